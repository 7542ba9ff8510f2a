//! Members in bulk, at a node: a CSV file uploaded (or its text pasted)
//! is first checked, every row, with nothing written — a report of the bad
//! rows (line, column, what is wrong) when there are any, else how many
//! members will be created and a button that creates them; and the node's
//! members exported in the columns an import reads.
//!
//! The rows are those of `POST /v1/import/members` and go through the same
//! service ([`imports`]); the nodes they name must lie in the page's node's
//! branch (a node elsewhere is reported as one that does not exist). The
//! confirmation carries the CSV and a token made when it was drawn: a
//! second post of it answers the first import's result (the API's
//! idempotency store), never a second import.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::frame::{refusal, render, render_as, Frame, OrRefuse, PageResult, Upload, Viewer};
use super::problems::said;
use super::sheet::{Form, Sheet};
use super::{Page, PageAccess};
use crate::api::idempotency::{idempotent, replayed};
use crate::api::{Reply, MEMBER_WRITERS};
use crate::bulk::{self, CsvWriter, Kind, RowError};
use crate::error::ApiError;
use crate::extract::IdempotencyKey;
use crate::secret;
use crate::service::imports::{self, member_line, MemberImport};
use crate::store::{MemberService, Page as Window, Scope};
use crate::AppState;

pub(super) fn pages() -> Vec<Page> {
    use PageAccess::Signed;
    vec![
        Page::get("/customers/{id}/import", Signed, form),
        Page::post("/customers/{id}/import", Signed, check),
        Page::post("/customers/{id}/import/confirm", Signed, confirm),
        Page::get("/customers/{id}/members.csv", Signed, export),
    ]
}

/// The section of the navigation these pages belong to.
const SECTION: &str = "customers";
/// The idempotency route of the console's imports (the API's are its own).
const ROUTE: &str = "console:import:members";
/// Members read per query of an export.
const EXPORT_PAGE: i64 = 500;

/// One bad row, as the report draws it.
struct ReportLine {
    line: u64,
    column: String,
    message: String,
}

#[derive(Template)]
#[template(path = "console/member_import.html")]
struct ImportPage {
    f: Frame,
    id: String,
    node: String,
    /// The CSV as last sent, to correct in place.
    csv: String,
    /// Why the form was refused (not a row's fault).
    refusal: Option<String>,
    /// "3 rows are refused; nothing was written." (when `report` has lines).
    report_summary: String,
    report: Vec<ReportLine>,
    /// What was created, once confirmed.
    done: Option<DoneView>,
}

/// The result of a confirmed import, as drawn.
struct DoneView {
    summary: String,
    members: Vec<Created>,
}

/// What an import made, as stored for a replay of its confirmation.
#[derive(Serialize, Deserialize)]
struct Made {
    members: Vec<Created>,
}

/// A member created.
#[derive(Serialize, Deserialize)]
struct Created {
    href: String,
    name: String,
    email: String,
}

/// The node, if the person may import members there (404 outside their
/// grants, 403 without a member writer's role); its name.
async fn node_name(s: &AppState, v: &Viewer, id: &str) -> Result<String, ApiError> {
    v.staff.allow(MEMBER_WRITERS)?;
    Ok(s.store.customer(id).await?.name)
}

/// The nodes an import at `id` may name: `id` and the nodes below it (the
/// person reaches them all, reaching `id`).
fn branch(id: &str) -> Scope {
    Scope::Under(vec![id.to_owned()])
}

impl ImportPage {
    fn new(f: Frame, id: &str, node: String) -> ImportPage {
        ImportPage {
            f,
            id: id.to_owned(),
            node,
            csv: String::new(),
            refusal: None,
            report_summary: String::new(),
            report: Vec::new(),
            done: None,
        }
    }

    /// The page with `csv` in the form again and the bad rows listed (422).
    fn report(mut self, csv: &[u8], errors: Vec<RowError>) -> Response {
        self.csv = String::from_utf8_lossy(csv).into_owned();
        self.report_summary = self.f.t.n("import-refused", errors.len() as i64);
        self.report = errors
            .into_iter()
            .map(|e| ReportLine {
                line: e.line,
                column: e.column.unwrap_or_default(),
                message: e.message,
            })
            .collect();
        render_as(&self, Some(StatusCode::UNPROCESSABLE_ENTITY))
    }

    /// The page with `csv` in the form again and why it was refused; a
    /// server failure is the refusal page.
    fn refused(mut self, csv: &[u8], e: ApiError) -> Response {
        if let Some(errors) = imports::row_errors(&e) {
            return self.report(csv, errors);
        }
        if e.status.is_server_error() {
            return refusal(&self.f, e);
        }
        self.csv = String::from_utf8_lossy(csv).into_owned();
        self.refusal = Some(said(&self.f.t, &e));
        render_as(&self, Some(e.status))
    }
}

/// `GET /customers/{id}/import`: the upload form.
async fn form(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let f = v.frame.at(SECTION);
    let node = node_name(&s, &v, &id).await.or_refuse(&f)?;
    Ok(render(&ImportPage::new(f, &id, node)))
}

/// The CSV of an upload: the file when one was chosen, else the pasted text.
fn sent_csv(upload: &Upload, f: &Frame) -> Result<Vec<u8>, ApiError> {
    upload
        .bytes("file")
        .or_else(|| upload.bytes("csv"))
        .filter(|b| !b.iter().all(u8::is_ascii_whitespace))
        .map(<[u8]>::to_vec)
        .ok_or_else(|| ApiError::invalid(f.t.t("import-no-csv")))
}

/// The members `csv` asks for in the branch of `id`: ready to check or
/// write, or the rows the file itself gets wrong.
async fn prepared(s: &AppState, id: &str, csv: &[u8], f: &Frame) -> Result<MemberImport, ApiError> {
    let rows = match bulk::read(Kind::Members, csv) {
        Ok(bulk::Rows::Members(rows)) => rows,
        Ok(_) => return Err(ApiError::internal("a members import read other rows")),
        Err(errors) => return Err(crate::store::invalid_rows(errors, true).into()),
    };
    if rows.is_empty() {
        return Err(ApiError::invalid(f.t.t("import-no-rows")));
    }
    imports::prepare_members(s, &branch(id), rows).await
}

/// What both posts start from: the node, in the person's reach, the page
/// to answer with, and the CSV sent.
struct Received {
    f: Frame,
    node: String,
    page: ImportPage,
    upload: Upload,
    csv: Vec<u8>,
}

/// Reads a post's upload at node `id`; the refusal page when the node is
/// out of reach or no CSV came.
async fn received(
    s: &AppState,
    v: &Viewer,
    id: &str,
    upload: Result<Multipart, MultipartRejection>,
) -> Result<Received, Response> {
    let f = v.frame.at(SECTION);
    let node = node_name(s, v, id).await.or_refuse(&f)?;
    let page = ImportPage::new(f.clone(), id, node.clone());
    let upload = match Upload::read(upload).await {
        Ok(upload) => upload,
        Err(e) => return Err(page.refused(b"", e)),
    };
    match sent_csv(&upload, &f) {
        Ok(csv) => Ok(Received {
            f,
            node,
            page,
            upload,
            csv,
        }),
        Err(e) => Err(page.refused(b"", e)),
    }
}

/// `POST /customers/{id}/import?_csrf=`: every row checked, nothing
/// written; the report of the bad rows, or the confirmation.
async fn check(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    upload: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let Received {
        f, node, page, csv, ..
    } = match received(&s, &v, &id, upload).await {
        Ok(received) => received,
        Err(refused) => return Ok(refused),
    };
    let checked = match prepared(&s, &id, &csv, &f).await {
        Ok(import) => import.check(&s, &v.staff.actor()).await,
        Err(e) => Err(e),
    };
    let count = match checked {
        Ok(count) => count,
        Err(e) => return Ok(page.refused(&csv, e)),
    };
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("count", count as i64);
    args.set("node", node);
    let form = Form {
        upload: true,
        ..Form::confirm(
            &f,
            format!("/customers/{id}/import/confirm"),
            vec![
                ("csv".into(), String::from_utf8_lossy(&csv).into_owned()),
                ("_idem".into(), secret::new_id("form")),
            ],
            f.t.n("import-button", count as i64),
            format!("/customers/{id}/import"),
        )
    };
    let title = f.t.t("confirm-import");
    let what = f.t.args("confirm-import-what", &args);
    Ok(Sheet::confirm(f, title, what, form).page())
}

/// `POST /customers/{id}/import/confirm?_csrf=`: the members created, all
/// or none (the rows are checked again: the database may have changed); a
/// second post of the same confirmation shows the first one's result.
async fn confirm(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    upload: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let Received {
        f,
        node,
        page,
        upload,
        csv,
    } = match received(&s, &v, &id, upload).await {
        Ok(received) => received,
        Err(refused) => return Ok(refused),
    };
    let token = upload.text("_idem");
    let key = IdempotencyKey(
        ((1..=255).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_graphic()))
            .then(|| token.to_owned()),
    );
    let actor = v.staff.actor();
    let made = async {
        let import = prepared(&s, &id, &csv, &f).await?;
        if !import.ready() {
            // Refused with every bad row, the database's too.
            import.check(&s, &actor).await?;
            return Err(ApiError::internal("a check with bad rows passed"));
        }
        let render = |made: &Vec<MemberService>| Made {
            members: made
                .iter()
                .map(|m| Created {
                    href: format!("/members/{}", m.member.id),
                    name: m.member.name.clone(),
                    email: m.member.email.clone(),
                })
                .collect(),
        };
        let hash = secret::sha256_hex(&csv);
        let reply: Reply<Made> = idempotent(&s, &key, ROUTE, &actor, &hash, render, |idem| {
            import.write(&s, &actor, idem)
        })
        .await?;
        match reply {
            Reply::Fresh(made) => Ok(made),
            Reply::Replayed(response) => replayed::<Made>(response).await,
        }
    }
    .await;
    match made {
        Ok(made) => {
            let mut args = fluent_bundle::FluentArgs::new();
            args.set("count", made.members.len() as i64);
            args.set("node", node);
            let summary = f.t.args("import-done", &args);
            let mut page = page;
            page.done = Some(DoneView {
                summary,
                members: made.members,
            });
            Ok(render(&page))
        }
        Err(e) => Ok(page.refused(&csv, e)),
    }
}

/// `GET /customers/{id}/members.csv`: the node's members, in the columns
/// a members import reads (so export -> import gives the same members).
async fn export(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let f = v.frame.at(SECTION);
    v.staff.read().or_refuse(&f)?;
    let columns: Vec<&str> = Kind::Members.columns().iter().map(|(c, _)| *c).collect();
    let mut w = CsvWriter::new(&columns);
    let mut rows = Window::first(EXPORT_PAGE);
    loop {
        let page = s
            .store
            .list_members(&id, rows.clone())
            .await
            .or_refuse(&f)?;
        for m in &page {
            member_line(&mut w, m);
        }
        match page.next {
            Some(next) => rows.after = Some(next),
            None => break,
        }
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"members-{id}.csv\""),
            ),
        ],
        w.finish(),
    )
        .into_response())
}
