//! Routes for bulk: CSV import (with a dry run) and export of customers and
//! licenses.
//!
//! An import reads the whole `text/csv` body (bounded by the server's body
//! limit, [`crate::bulk::MAX_ROWS`] rows and [`crate::bulk::MAX_FIELD_LEN`] bytes a
//! field), checks every row, and runs in one transaction: any bad row and
//! nothing is created, the 422 listing every bad row (line, column,
//! message). Rows with format errors are reported first; once the file is
//! well-formed, every row the database refuses is. `?dry_run=true` makes
//! the same checks and keeps nothing. An export writes the columns an
//! import reads, page by page, so export -> import gives the same records.

use schemars::JsonSchema;

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};

use super::reports::csv;
use crate::api::idempotency::idempotent;
use crate::api::{Created, CsvFile, OneOf, Reply, READERS, WRITERS};
use crate::bulk::{
    read, Cell, CsvWriter, CustomerRow, Kind, LicenseRow, MemberRow, Rows, LIST_SEPARATOR,
};
use crate::error::{ApiError, ApiResult};
use crate::extract::{CsvBody, IdempotencyKey, Staff, Q};
use crate::routes::{Access, Route};
use crate::service::imports;
use crate::store::{invalid_rows, Customer, LicenseRecord, MemberService, Scope};
use crate::AppState;

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Token;
    vec![
        Route::post("/v1/import/{kind}", Token, "Import customers, licenses or members from a text/csv body (admin, issuer; every row within the caller's part of the tree; ?dry_run=true checks only; all or nothing: a 422 lists every bad row; Idempotency-Key; license keys shown once)", import),
        Route::get("/v1/export/{kind}", Token, "Export customers, licenses or members as text/csv, the columns import reads (streamed page by page)", export),
    ]
}

fn kind(name: &str) -> ApiResult<Kind> {
    Kind::parse(name)
        .ok_or_else(|| ApiError::not_found("import or export kind (customers, licenses, members)"))
}

/// `POST /v1/import/{kind}` query.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// Check every row and report, changing nothing.
    #[serde(default)]
    dry_run: bool,
}

/// What an import answers: a dry run (200), or what it created (201).
type ImportAnswer = OneOf<Reply<DryRun>, Created<Imported>>;

/// A dry run whose rows are all good: nothing was kept.
#[derive(Serialize, JsonSchema)]
struct DryRun {
    /// `customers`, `licenses` or `members`.
    kind: &'static str,
    /// Always true.
    dry_run: bool,
    /// Rows checked.
    rows: usize,
    /// Always empty: bad rows make a 422 that lists them.
    errors: [(); 0],
}

/// The answer to a dry run of `rows` good rows of `kind`.
fn dry_run_answer(kind: Kind, rows: usize) -> ApiResult<ImportAnswer> {
    Ok(OneOf::First(Reply::Fresh(DryRun {
        kind: kind.as_str(),
        dry_run: true,
        rows,
        errors: [],
    })))
}

/// What an import created: one item per row, in the file's order.
#[derive(Serialize, JsonSchema)]
struct Imported {
    /// Rows created.
    created: usize,
    /// The kind imported and its items.
    #[serde(flatten)]
    items: ImportedItems,
}

impl Imported {
    /// `items`, of the kind `kind` wraps them in.
    fn of<T>(items: Vec<T>, kind: fn(Vec<T>) -> ImportedItems) -> Self {
        Imported {
            created: items.len(),
            items: kind(items),
        }
    }
}

/// The items of an import: `kind` says which, `items` lists them.
#[derive(Serialize, JsonSchema)]
#[serde(tag = "kind", content = "items", rename_all = "lowercase")]
enum ImportedItems {
    /// Customer nodes.
    Customers(Vec<ImportedCustomer>),
    /// Licenses.
    Licenses(Vec<ImportedLicense>),
    /// Members.
    Members(Vec<ImportedMember>),
}

/// A customer node imported.
#[derive(Serialize, JsonSchema)]
struct ImportedCustomer {
    /// The row's line in the file.
    line: u64,
    /// The node's id.
    id: String,
}

/// A license imported.
#[derive(Serialize, JsonSchema)]
struct ImportedLicense {
    /// The row's line in the file.
    line: u64,
    /// The license's id.
    id: String,
    /// Its license key, shown only here (and in replays of this answer).
    license_key: String,
}

/// A member imported.
#[derive(Serialize, JsonSchema)]
struct ImportedMember {
    /// The row's line in the file.
    line: u64,
    /// The member's id.
    id: String,
    /// Its service's license; null for a row without `plan_id`.
    license_id: Option<String>,
    /// That license's key, shown only here (and in replays of this answer);
    /// null for a row without `plan_id`.
    license_key: Option<String>,
}

/// `POST /v1/import/{kind}` (admin, issuer): every row's node within the
/// caller's grants (a node outside them is as one that does not exist; a
/// new top node is the vendor root's).
async fn import(
    State(s): State<AppState>,
    staff: Staff,
    key: IdempotencyKey,
    Path(name): Path<String>,
    Q(q): Q<ImportQuery>,
    body: CsvBody,
) -> ApiResult<ImportAnswer> {
    let scope = staff.scope(WRITERS)?;
    let kind = kind(&name)?;
    let rows = read(kind, &body.bytes).map_err(|e| invalid_rows(e, q.dry_run))?;
    match rows {
        Rows::Customers(rows) => {
            import_customers(s, staff, &scope, key, &body.hash, rows, q.dry_run).await
        }
        Rows::Licenses(rows) => {
            import_licenses(s, staff, &scope, key, &body.hash, rows, q.dry_run).await
        }
        Rows::Members(rows) => {
            import_members(s, staff, &scope, key, &body.hash, rows, q.dry_run).await
        }
    }
}

async fn import_customers(
    s: AppState,
    staff: Staff,
    scope: &Scope,
    key: IdempotencyKey,
    hash: &str,
    rows: Vec<CustomerRow>,
    dry_run: bool,
) -> ApiResult<ImportAnswer> {
    let import = imports::prepare_customers(rows);
    let actor = staff.actor();
    if dry_run {
        let n = import.check(&s, scope, &actor).await?;
        return dry_run_answer(Kind::Customers, n);
    }
    let lines = import.lines();
    let render = move |created: &Vec<Customer>| {
        let items = created
            .iter()
            .zip(&lines)
            .map(|(c, line)| ImportedCustomer {
                line: *line,
                id: c.id.clone(),
            })
            .collect();
        Imported::of(items, ImportedItems::Customers)
    };
    idempotent(&s, &key, "import:customers", &actor, hash, render, |idem| {
        import.write(&s, scope, &actor, idem)
    })
    .await
    .map(OneOf::Second)
}

async fn import_licenses(
    s: AppState,
    staff: Staff,
    scope: &Scope,
    key: IdempotencyKey,
    hash: &str,
    rows: Vec<LicenseRow>,
    dry_run: bool,
) -> ApiResult<ImportAnswer> {
    let import = imports::prepare_licenses(&s, &staff, scope, rows).await?;
    let n = import.check(dry_run)?;
    if dry_run {
        return dry_run_answer(Kind::Licenses, n);
    }
    // Each key is in this answer only (and, sealed, in its idempotent replay).
    let shown = import.keys();
    let render = move |records: &Vec<LicenseRecord>| {
        let items = records
            .iter()
            .zip(&shown)
            .map(|(r, (line, key))| ImportedLicense {
                line: *line,
                id: r.id.clone(),
                license_key: key.clone(),
            })
            .collect();
        Imported::of(items, ImportedItems::Licenses)
    };
    let actor = staff.actor();
    idempotent(&s, &key, "import:licenses", &actor, hash, render, |idem| {
        import.write(&s, &actor, idem)
    })
    .await
    .map(OneOf::Second)
}

async fn import_members(
    s: AppState,
    staff: Staff,
    scope: &Scope,
    key: IdempotencyKey,
    hash: &str,
    rows: Vec<MemberRow>,
    dry_run: bool,
) -> ApiResult<ImportAnswer> {
    let import = imports::prepare_members(&s, scope, rows).await?;
    let actor = staff.actor();
    if dry_run || !import.ready() {
        // The database's checks too, so the 422 lists every bad row.
        let n = import.check(&s, &actor).await?;
        return dry_run_answer(Kind::Members, n);
    }
    let keys = import.keys().to_vec();
    let render = move |created: &Vec<MemberService>| {
        let items = created
            .iter()
            .zip(&keys)
            .map(|(m, (line, key))| ImportedMember {
                line: *line,
                id: m.member.id.clone(),
                license_id: m.member.license_id.clone(),
                license_key: key.clone(),
            })
            .collect();
        Imported::of(items, ImportedItems::Members)
    };
    idempotent(&s, &key, "import:members", &actor, hash, render, |idem| {
        import.write(&s, &actor, idem)
    })
    .await
    .map(OneOf::Second)
}

/// Rows per page of an export: each page is one query, written and sent
/// before the next is read.
const EXPORT_PAGE: i64 = 500;

/// Where an export stands between pages.
enum Cursor {
    /// The header is next.
    Start,
    /// Customers of the `n`th kind (partners, customers, sites: parents
    /// before children, as an import needs them) after this id.
    Customers(usize, String),
    /// Licenses after this id.
    Licenses(String),
    /// Members after this id.
    Members(String),
    /// Nothing more.
    Done,
}

const TREE_ORDER: [&str; 3] = ["partner", "customer", "site"];

/// `GET /v1/export/{kind}`: `text/csv`, streamed page by page (a page
/// failing midway ends the stream with an error, so a cut export is never
/// mistaken for a whole one).
async fn export(
    State(s): State<AppState>,
    staff: Staff,
    Path(name): Path<String>,
) -> ApiResult<CsvFile> {
    let scope = staff.scope(READERS)?;
    let kind = kind(&name)?;
    let stream = futures_util::stream::unfold(Cursor::Start, move |cursor| {
        let (s, scope) = (s.clone(), scope.clone());
        async move {
            match next_page(&s, &scope, kind, cursor).await {
                Ok(Some((text, next))) => Some((Ok(text), next)),
                Ok(None) => None,
                Err(e) => {
                    tracing::error!(detail = %e.detail, "export stopped");
                    Some((Err(std::io::Error::other(e.detail)), Cursor::Done))
                }
            }
        }
    });
    Ok(CsvFile(csv(
        kind.as_str(),
        axum::body::Body::from_stream(stream),
    )))
}

/// The next piece of an export, and where it leaves off.
async fn next_page(
    s: &AppState,
    scope: &Scope,
    kind: Kind,
    cursor: Cursor,
) -> ApiResult<Option<(String, Cursor)>> {
    let columns: Vec<&str> = kind.columns().iter().map(|(c, _)| *c).collect();
    let mut w = CsvWriter::new(&columns);
    let header = w.take();
    let next = match (kind, cursor) {
        (_, Cursor::Done) => return Ok(None),
        (Kind::Customers, Cursor::Start) => {
            return Ok(Some((header, Cursor::Customers(0, String::new()))))
        }
        (Kind::Members, Cursor::Start) => {
            return Ok(Some((header, Cursor::Members(String::new()))))
        }
        (Kind::Licenses, Cursor::Start) => {
            return Ok(Some((header, Cursor::Licenses(String::new()))))
        }
        (_, Cursor::Customers(n, after)) => {
            let Some(tree_kind) = TREE_ORDER.get(n) else {
                return Ok(None);
            };
            let page = s
                .store
                .customers_after(scope, tree_kind, &after, EXPORT_PAGE)
                .await?;
            for c in &page {
                w.row(&[
                    Cell::Text(&c.id),
                    Cell::Opt(c.external_ref.as_deref()),
                    Cell::Text(&c.kind),
                    Cell::Text(&c.name),
                    Cell::Opt(c.email.as_deref()),
                    Cell::Opt(c.parent_id.as_deref()),
                ]);
            }
            match page.last() {
                Some(last) if page.len() as i64 == EXPORT_PAGE => {
                    Cursor::Customers(n, last.id.clone())
                }
                _ => Cursor::Customers(n + 1, String::new()),
            }
        }
        (_, Cursor::Members(after)) => {
            let page = s.store.members_after(scope, &after, EXPORT_PAGE).await?;
            for m in &page {
                imports::member_line(&mut w, m);
            }
            match page.last() {
                Some(last) if page.len() as i64 == EXPORT_PAGE => Cursor::Members(last.id.clone()),
                _ => Cursor::Done,
            }
        }
        (_, Cursor::Licenses(after)) => {
            let page = s.store.licenses_after(scope, &after, EXPORT_PAGE).await?;
            for l in &page {
                license_line(&mut w, l);
            }
            match page.last() {
                Some(last) if page.len() as i64 == EXPORT_PAGE => Cursor::Licenses(last.id.clone()),
                _ => Cursor::Done,
            }
        }
    };
    Ok(Some((w.take(), next)))
}

fn license_line(w: &mut CsvWriter, l: &LicenseRecord) {
    let list = |items: &Option<Vec<String>>| {
        items
            .as_ref()
            .map(|i| i.join(&LIST_SEPARATOR.to_string()))
            .unwrap_or_default()
    };
    w.row(&[
        Cell::Text(&l.id),
        Cell::Text(&l.policy_id),
        Cell::Text(&l.licensee),
        Cell::Opt(l.spec.email.as_deref()),
        Cell::Opt(l.customer_id.as_deref()),
        Cell::Int(l.seats),
        Cell::Opt(l.spec.expires.as_deref()),
        Cell::Text(&list(&l.spec.features)),
        Cell::Opt(l.spec.user.as_deref()),
        Cell::Text(&list(&l.spec.machines)),
    ]);
}
