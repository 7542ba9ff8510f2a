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
use std::collections::HashSet;

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};

use super::reports::csv;
use crate::api::idempotency::idempotent;
use crate::api::{Created, CsvFile, OneOf, Reply, READERS, WRITERS};
use crate::bulk::{
    read, Cell, CsvWriter, CustomerRow, Kind, LicenseRow, MemberRow, Parent, RowError, Rows,
    LIST_SEPARATOR,
};
use crate::error::{ApiError, ApiResult};
use crate::extract::{CsvBody, IdempotencyKey, Staff, Q};
use crate::routes::{Access, Route};
use crate::secret;
use crate::service::licenses::{prepare_license, IssueOverrides};
use crate::service::seat_rules::check_new_license;
use crate::store::{
    invalid_rows, Customer, ImportCustomer, LicenseRecord, Member, MemberService, Scope,
};
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
    let at = crate::service::now().0;
    let mut import: Vec<ImportCustomer> = Vec::with_capacity(rows.len());
    for row in rows {
        let (parent_id, parent_ref, parent_row) = match row.parent {
            Some(Parent::Row(i)) => (Some(import[i].customer.id.clone()), None, Some(i)),
            Some(Parent::Stored(r)) => (None, Some(r), None),
            None => (None, None, None),
        };
        import.push(ImportCustomer {
            line: row.line,
            customer: Customer {
                id: row.id.unwrap_or_else(|| secret::new_id("cus")),
                parent_id,
                kind: row.kind,
                name: row.name,
                email: row.email,
                external_ref: row.external_ref,
                created_at: at,
            },
            parent_ref,
            parent_row,
        });
    }
    let n = import.len();
    let actor = staff.actor();
    if dry_run {
        s.store
            .import_customers(scope, import, true, &actor, None)
            .await?;
        return dry_run_answer(Kind::Customers, n);
    }
    let lines: Vec<u64> = import.iter().map(|i| i.line).collect();
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
        s.store.import_customers(scope, import, false, &actor, idem)
    })
    .await
    .map(OneOf::Second)
}

/// Where a row's `customer` leads: the one node with that id or external
/// reference within the caller's part of the tree (one outside it is as
/// one that does not exist).
async fn customer_id(s: &AppState, scope: &Scope, reference: &str) -> Result<String, String> {
    let found = s
        .store
        .customers_named(scope, reference)
        .await
        .map_err(|e| e.to_string())?;
    match found.as_slice() {
        [c] => Ok(c.id.clone()),
        [] => Err(format!(
            "no customer has the id or external_ref '{reference}'"
        )),
        _ => Err(format!(
            "several customers have the external_ref '{reference}': name the customer by id"
        )),
    }
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
    let mut errors = Vec::new();
    let mut prepared = Vec::with_capacity(rows.len());
    let mut ids = HashSet::new();
    for row in rows {
        let line = row.line;
        if let Some(id) = &row.id {
            if !ids.insert(id.clone()) {
                errors.push(RowError::new(
                    line,
                    Some("id"),
                    "this id names an earlier row too",
                ));
                continue;
            }
            if s.store.license(id).await.is_ok() {
                errors.push(RowError::new(
                    line,
                    Some("id"),
                    "a license with this id exists",
                ));
                continue;
            }
        }
        let customer = match &row.customer {
            Some(r) => match customer_id(&s, scope, r).await {
                Ok(id) => Some(id),
                Err(e) => {
                    errors.push(RowError::new(line, Some("customer"), e));
                    continue;
                }
            },
            None => None,
        };
        let req = IssueOverrides {
            policy_id: row.policy_id,
            licensee: row.licensee,
            email: row.email,
            customer_id: customer,
            seats: row.seats,
            machines: row.machines,
            user: row.user,
            metadata: None,
            expires: row.expires,
            features: row.features,
        };
        // The issue path of POST /v1/licenses: the same checks, the same files.
        let made = match prepare_license(&s, &req, row.id.as_deref()).await {
            Ok(p) => check_new_license(&s, &staff, &p.0.record).await.map(|()| p),
            Err(e) => Err(e),
        };
        match made {
            Ok(p) => prepared.push((line, p)),
            Err(e) if e.status.is_client_error() => {
                let column = (e.detail == "no such policy").then_some("policy_id");
                errors.push(RowError::new(line, column, e.detail));
            }
            Err(e) => return Err(e),
        }
    }
    if !errors.is_empty() {
        return Err(invalid_rows(errors, dry_run).into());
    }
    if dry_run {
        return dry_run_answer(Kind::Licenses, prepared.len());
    }
    // Each key is in this answer only (and, sealed, in its idempotent replay).
    let shown: Vec<(u64, String)> = prepared
        .iter()
        .map(|(line, (_, key))| (*line, key.reveal().to_owned()))
        .collect();
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
    let licenses = prepared.into_iter().map(|(_, (new, _))| new).collect();
    let actor = staff.actor();
    idempotent(&s, &key, "import:licenses", &actor, hash, render, |idem| {
        s.store.import_licenses(licenses, &actor, idem)
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
    let at = crate::service::now().0;
    let mut errors = Vec::new();
    let mut members = Vec::with_capacity(rows.len());
    let mut keys = Vec::with_capacity(rows.len());
    for row in rows {
        let customer = match customer_id(&s, scope, &row.customer).await {
            Ok(id) => id,
            Err(e) => {
                errors.push(RowError::new(row.line, Some("customer"), e));
                continue;
            }
        };
        let member = Member {
            id: secret::new_id("mem"),
            customer_id: customer,
            name: row.name,
            email: row.email,
            external_ref: row.external_ref,
            plan_id: None,
            options: Vec::new(),
            license_id: None,
            created_at: at,
            updated_at: at,
        };
        // The service as POST /v1/customers/{id}/members makes it (no
        // default plan: a row without plan_id gets no service).
        let service = match row.plan_id {
            None => None,
            Some(plan) => {
                match crate::service::members::new_service(&s, &member, plan, row.options).await {
                    Ok((service, key)) => {
                        keys.push((row.line, Some(key.reveal().to_owned())));
                        members.push((row.line, member, Some(service)));
                        continue;
                    }
                    Err(e) if e.status.is_client_error() => {
                        errors.push(RowError::new(row.line, Some("plan_id"), e.detail));
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        keys.push((row.line, None));
        members.push((row.line, member, service));
    }
    let actor = staff.actor();
    if dry_run || !errors.is_empty() {
        // The database's checks too, so the 422 lists every bad row.
        let n = members.len();
        s.store
            .import_members(members, errors, true, &actor, None)
            .await?;
        return dry_run_answer(Kind::Members, n);
    }
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
        s.store
            .import_members(members, Vec::new(), false, &actor, idem)
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
                w.row(&[
                    Cell::Text(&m.customer_id),
                    Cell::Text(&m.name),
                    Cell::Text(&m.email),
                    Cell::Opt(m.external_ref.as_deref()),
                    Cell::Opt(m.plan_id.as_deref()),
                    Cell::Text(&m.options.join(&LIST_SEPARATOR.to_string())),
                ]);
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
