//! Licences: search, a licence's page (terms, machines, leases, history,
//! its file), the status changes and renewals, issuing from a plan or a
//! policy, a temporary licence for an outage (FlexNet's entitlement
//! screens) and offline activation by upload.
//!
//! Every change goes through the same service functions as the API's
//! routes; a destructive one through a confirm page that says what will
//! happen.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;

use super::frame::{render, Frame, OrRefuse, PageResult, Params, Viewer};
use super::renewals::Choice;
use super::{Page, PageAccess};
use crate::api::{staff_event, Reply, READERS, WRITERS};
use crate::error::ApiError;
use crate::extract::IdempotencyKey;
use crate::secret;
use crate::service::licenses::{
    self, key_search, IssueOverrides, Issued, PlanIssue, RenewRequest, Renewed, Transition,
    REINSTATE, REVOKE, SUSPEND,
};
use crate::service::{activations, now};
use crate::store::{
    Activation, Event, HistoryEntry, HistoryFilter, LicenseFilter, LicenseRecord, Page as Rows,
    Role,
};
use crate::AppState;

pub(super) fn pages() -> Vec<Page> {
    use PageAccess::Signed;
    let mut pages = vec![
        Page::get("/licenses", Signed, list),
        Page::get("/licenses/new", Signed, new_form),
        Page::post("/licenses/new", Signed, issue),
        Page::get("/licenses/activate-offline", Signed, offline_form),
        Page::post("/licenses/activate-offline", Signed, offline),
        Page::get("/licenses/{id}", Signed, show),
        Page::get("/licenses/{id}/file", Signed, file),
        Page::get("/licenses/{id}/renew", Signed, renew_form),
        Page::post("/licenses/{id}/renew", Signed, renew),
        Page::get("/licenses/{id}/temporary", Signed, temporary_form),
        Page::post("/licenses/{id}/temporary", Signed, temporary),
        Page::get("/activations/{id}/deactivate", Signed, deactivate_confirm),
        Page::post("/activations/{id}/deactivate", Signed, deactivate),
    ];
    for (name, t) in [
        ("suspend", SUSPEND),
        ("reinstate", REINSTATE),
        ("revoke", REVOKE),
    ] {
        pages.extend(status_pages(name, t));
    }
    pages
}

/// Rows per page of the search.
const PER_PAGE: i64 = 25;
/// The largest offline activation request read.
const MAX_REQUEST: usize = 64 * 1024;

// ------------------------------------------------------------ forms

/// A posted form, read without refusing anything: a missing field is empty.
struct Fields(Vec<(String, String)>);

impl Fields {
    fn read(body: &[u8]) -> Fields {
        Fields(url::form_urlencoded::parse(body).into_owned().collect())
    }

    /// The field `name`, trimmed ("" when absent).
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// The field `name` when it is not blank.
    fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name))
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    /// Every value of `name` (checkboxes).
    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect()
    }
}

/// The idempotency key of a form: its hidden `_idem` token (made when the
/// form was drawn), so that a second submit answers the first answer.
fn form_key(fields: &Fields) -> IdempotencyKey {
    let token = fields.get("_idem");
    let ok = (1..=255).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_graphic());
    IdempotencyKey(ok.then(|| token.to_owned()))
}

/// A form's hash, telling a second submit of the same form from another.
fn form_hash(body: &[u8]) -> String {
    secret::sha256_hex(body)
}

/// The first answer of a replayed request, read back.
async fn replayed<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .map_err(ApiError::internal)?;
    serde_json::from_slice(&bytes).map_err(ApiError::internal)
}

/// A refusal's status and text, to draw in the form that was refused.
struct Refused {
    status: StatusCode,
    detail: String,
}

impl Refused {
    fn of(f: &Frame, e: ApiError) -> Refused {
        let detail = if e.status.is_server_error() {
            tracing::warn!(kind = e.kind, "console form failed");
            f.t.t("refusal-internal")
        } else {
            e.detail
        };
        Refused {
            status: e.status,
            detail,
        }
    }
}

/// A page drawn with the status of the refusal it shows (200 without one).
fn drawn(page: &impl Template, refused: Option<&Refused>) -> Response {
    let mut response = render(page);
    if let Some(r) = refused {
        *response.status_mut() = r.status;
    }
    response
}

/// 303 to `to`.
fn see(to: &str) -> Response {
    Redirect::to(to).into_response()
}

// ------------------------------------------------------------ search

/// The search's fields, all in the address.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Search {
    key: String,
    licensee: String,
    customer: String,
    product: String,
    status: String,
    offset: String,
}

impl Search {
    fn offset(&self) -> i64 {
        self.offset.trim().parse::<i64>().unwrap_or(0).max(0)
    }

    /// The same search at `offset`.
    fn at(&self, offset: i64) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("key", &self.key)
            .append_pair("licensee", &self.licensee)
            .append_pair("customer", &self.customer)
            .append_pair("product", &self.product)
            .append_pair("status", &self.status)
            .append_pair("offset", &offset.to_string())
            .finish();
        format!("/licenses?{query}")
    }
}

/// One licence in the results.
struct Row {
    href: String,
    licensee: String,
    key: String,
    product: String,
    customer: String,
    status: String,
    seats: String,
    expires: String,
}

#[derive(Template)]
#[template(path = "console/licenses.html")]
struct List {
    f: Frame,
    q: Search,
    customers: Vec<Choice>,
    products: Vec<Choice>,
    statuses: Vec<Choice>,
    rows: Vec<Row>,
    count: String,
    previous: Option<String>,
    next: Option<String>,
    may_issue: bool,
}

/// Names by id: the products, and the customer nodes the caller reaches.
struct Names {
    products: HashMap<String, String>,
    customers: HashMap<String, String>,
    customer_list: Vec<(String, String)>,
    product_list: Vec<(String, String)>,
}

async fn names(s: &AppState, v: &Viewer) -> Result<Names, ApiError> {
    let all = Rows {
        limit: 500,
        offset: 0,
    };
    let products = s.store.list_products(all).await?;
    let scope = v.staff.scope(READERS)?;
    let customers = s.store.list_customers(&scope, None, None, all).await?;
    Ok(Names {
        products: products
            .iter()
            .map(|p| (p.id.clone(), p.name.clone()))
            .collect(),
        customers: customers
            .iter()
            .map(|c| (c.id.clone(), c.name.clone()))
            .collect(),
        customer_list: customers.into_iter().map(|c| (c.id, c.name)).collect(),
        product_list: products.into_iter().map(|p| (p.id, p.name)).collect(),
    })
}

/// Options of a select, an "any" first, `current` selected.
fn select(any: String, options: &[(String, String)], current: &str) -> Vec<Choice> {
    std::iter::once((String::new(), any))
        .chain(options.iter().cloned())
        .map(|(value, label)| Choice {
            selected: value == current,
            value,
            label,
        })
        .collect()
}

/// `GET /licenses`: the search, a page of its results.
async fn list(State(s): State<AppState>, v: Viewer, Params(q): Params<Search>) -> PageResult {
    let f = v.frame.at("licenses");
    let t = f.t;
    let names = names(&s, &v).await.or_refuse(&f)?;
    let blank = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    let filter = LicenseFilter {
        product_id: blank(&q.product),
        customer_id: blank(&q.customer),
        status: blank(&q.status),
        licensee: blank(&q.licensee),
        key: key_search(&q.key),
        ..LicenseFilter::default()
    };
    let offset = q.offset();
    let page = Rows {
        limit: PER_PAGE + 1,
        offset,
    };
    let mut found = licenses::search(&s, &v.staff, &filter, page)
        .await
        .or_refuse(&f)?;
    let more = found.len() as i64 > PER_PAGE;
    found.truncate(PER_PAGE as usize);
    let count = found.len() as i64;
    let rows = found
        .into_iter()
        .map(|l| Row {
            href: format!("/licenses/{}", l.id),
            key: format!("…-{}", l.key_hint),
            product: names
                .products
                .get(&l.product_id)
                .cloned()
                .unwrap_or_default(),
            customer: l
                .customer_id
                .as_ref()
                .and_then(|c| names.customers.get(c).cloned())
                .unwrap_or_default(),
            status: t.t(&format!("status-{}", l.status)),
            seats: format!("{} / {}", l.seats_used, l.seats),
            expires: l.expires_at.map_or_else(|| t.t("never"), |e| t.date(e)),
            licensee: l.licensee,
        })
        .collect();
    let statuses = ["active", "suspended", "revoked"]
        .map(|st| (st.to_owned(), t.t(&format!("status-{st}"))))
        .to_vec();
    let page = List {
        customers: select(t.t("any"), &names.customer_list, &q.customer),
        products: select(t.t("any"), &names.product_list, &q.product),
        statuses: select(t.t("any"), &statuses, &q.status),
        rows,
        count: t.n("licenses-found", count + offset),
        previous: (offset > 0).then(|| q.at((offset - PER_PAGE).max(0))),
        next: more.then(|| q.at(offset + PER_PAGE)),
        may_issue: v.staff.scope(WRITERS).is_ok(),
        q,
        f,
    };
    Ok(render(&page))
}

// ------------------------------------------------------------ a licence

/// One term of a licence: (label, value).
type Term = (String, String);

/// One machine of a licence.
struct Machine {
    fingerprint: String,
    platform: String,
    mode: String,
    activated: String,
    last_seen: String,
    state: String,
    deactivate: Option<String>,
}

/// One lease of a floating licence.
struct LeaseRow {
    fingerprint: String,
    from: String,
    until: String,
    state: String,
}

/// One entry of a licence's history.
struct Entry {
    operation: String,
    when: String,
    by: String,
    details: String,
}

#[derive(Template)]
#[template(path = "console/license.html")]
struct Show {
    f: Frame,
    id: String,
    licensee: String,
    status: String,
    terms: Vec<Term>,
    has_file: bool,
    machines: Vec<Machine>,
    leases: Vec<LeaseRow>,
    history: Vec<Entry>,
    may_write: bool,
    may_renew: bool,
    /// The status changes this licence may make: (path, message id, danger).
    actions: Vec<(String, &'static str, bool)>,
}

/// A short form of a fingerprint, for tables (the whole one is its title).
fn short(fingerprint: &str) -> String {
    fingerprint.chars().take(16).collect()
}

/// A spec date (`YYYY-MM-DD` or RFC 3339), as the reader writes dates.
fn spec_date(f: &Frame, text: Option<&str>) -> Option<String> {
    let t = licentia::Timestamp::parse(text?).ok()?;
    Some(f.t.date(t.0))
}

/// `GET /licenses/{id}`.
async fn show(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let f = v.frame.at("licenses");
    let t = f.t;
    let l = s
        .store
        .license(&id)
        .await
        .map_err(ApiError::from)
        .or_refuse(&f)?;
    let product = s
        .store
        .product(&l.product_id)
        .await
        .map_err(ApiError::from)
        .or_refuse(&f)?;
    let policy = s
        .store
        .policy(&l.policy_id)
        .await
        .map_err(ApiError::from)
        .or_refuse(&f)?;
    let customer = match &l.customer_id {
        Some(c) => s.store.customer(c).await.ok().map(|c| c.name),
        None => None,
    };
    let features = l.spec.features.clone().unwrap_or_default();
    let none = t.t("none");
    let terms: Vec<Term> = vec![
        (t.t("col-product"), product.name),
        (t.t("term-policy"), policy.name),
        (t.t("col-licensee"), l.licensee.clone()),
        (
            t.t("col-customer"),
            customer.unwrap_or_else(|| none.clone()),
        ),
        (t.t("col-seats"), format!("{} / {}", l.seats_used, l.seats)),
        (
            t.t("term-features"),
            if features.is_empty() {
                none.clone()
            } else {
                features.join(", ")
            },
        ),
        (
            t.t("term-valid-from"),
            spec_date(&f, l.spec.valid_from.as_deref()).unwrap_or_else(|| t.date(l.issued_at)),
        ),
        (
            t.t("term-expires"),
            l.expires_at.map_or_else(|| t.t("never"), |e| t.date(e)),
        ),
        (
            t.t("term-grace"),
            l.spec
                .grace_days
                .map_or_else(|| none.clone(), |d| t.n("days", i64::from(d))),
        ),
        (t.t("col-status"), t.t(&format!("status-{}", l.status))),
        (t.t("term-key"), format!("…-{}", l.key_hint)),
    ];
    let may_write = v.staff.allow(WRITERS).is_ok();
    let rows = Rows {
        limit: 200,
        offset: 0,
    };
    let machines = s
        .store
        .list_activations(&id, rows)
        .await
        .map_err(ApiError::from)
        .or_refuse(&f)?
        .into_iter()
        .map(|a| Machine {
            platform: a.platform,
            mode: t.t(&format!("mode-{}", a.mode)),
            activated: t.date(a.created_at),
            last_seen: t.time(a.last_seen_at),
            state: a.deactivated_at.map_or_else(
                || t.t("machine-active"),
                |d| t.t1("machine-deactivated", "date", t.date(d)),
            ),
            deactivate: (may_write && a.deactivated_at.is_none())
                .then(|| format!("/activations/{}/deactivate", a.id)),
            fingerprint: a.fingerprint,
        })
        .collect();
    let at = now().0;
    let leases = s
        .store
        .list_leases(&id, rows)
        .await
        .map_err(ApiError::from)
        .or_refuse(&f)?
        .into_iter()
        .map(|l| LeaseRow {
            fingerprint: l.fingerprint,
            from: t.time(l.created_at),
            until: t.time(l.expires_at),
            state: match l.returned_at {
                Some(r) => t.t1("lease-returned", "date", t.time(r)),
                None if l.expires_at <= at => t.t("lease-expired"),
                None => t.t("lease-held"),
            },
        })
        .collect();
    let history = license_history(&s, &v, &id, &f).await.or_refuse(&f)?;
    let mut actions = Vec::new();
    if may_write {
        for (name, tr, label, danger) in [
            ("suspend", SUSPEND, "action-suspend", true),
            ("reinstate", REINSTATE, "action-reinstate", false),
            ("revoke", REVOKE, "action-revoke", true),
        ] {
            if tr.applies_to(&l.status) {
                actions.push((format!("/licenses/{id}/{name}"), label, danger));
            }
        }
    }
    let page = Show {
        status: t.t(&format!("status-{}", l.status)),
        licensee: l.licensee.clone(),
        has_file: l.file.is_some(),
        terms,
        machines,
        leases,
        history,
        may_write: may_write && l.status == "active",
        may_renew: v
            .staff
            .allow(&[Role::Admin, Role::Issuer, Role::Finance])
            .is_ok()
            && l.status != "revoked",
        actions,
        id,
        f,
    };
    Ok(render(&page))
}

/// The licence's history, oldest first, within the caller's grants.
async fn license_history(
    s: &AppState,
    v: &Viewer,
    id: &str,
    f: &Frame,
) -> Result<Vec<Entry>, ApiError> {
    let scope = v.staff.scope(READERS)?;
    let filter = HistoryFilter {
        license_id: Some(id.to_owned()),
        ..HistoryFilter::default()
    };
    let rows = Rows {
        limit: 200,
        offset: 0,
    };
    let entries: Vec<HistoryEntry> = s.store.history(&scope, &filter, rows).await?;
    Ok(entries
        .into_iter()
        .map(|e| Entry {
            operation: e.operation,
            when: f.t.time(e.at),
            by: if e.done_by.is_empty() {
                e.actor
            } else {
                e.done_by
            },
            details: details(&e.details),
        })
        .collect())
}

/// A history entry's details for people: `name: value` pairs, the
/// empty ones left out.
fn details(json: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Object(map)) => map
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}: {s}"),
                v => format!("{k}: {v}"),
            })
            .collect::<Vec<_>>()
            .join("; "),
        Ok(serde_json::Value::Null) => String::new(),
        _ => json.to_owned(),
    }
}

/// `?form=line` for the one-line file.
#[derive(Deserialize, Default)]
#[serde(default)]
struct FileForm {
    form: String,
}

/// What a licence without a file of its own answers for its file.
#[derive(Template)]
#[template(path = "console/license_no_file.html")]
struct NoFile {
    f: Frame,
    href: String,
}

/// `GET /licenses/{id}/file`: the licence's own file, armored (`.lic`) or
/// on one line (`?form=line`).
async fn file(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Params(q): Params<FileForm>,
) -> PageResult {
    let f = v.frame.at("licenses");
    let l = s
        .store
        .license(&id)
        .await
        .map_err(ApiError::from)
        .or_refuse(&f)?;
    let Some(armored) = l.file else {
        // Nothing to download: the page says why, and where the files are.
        return Ok(render(&NoFile {
            f,
            href: format!("/licenses/{id}"),
        }));
    };
    let (text, name) = if q.form == "line" {
        (
            licenses::one_line(&armored).or_refuse(&f)?,
            format!("license-{id}.txt"),
        )
    } else {
        (armored, format!("license-{id}.lic"))
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        text,
    )
        .into_response())
}

// ------------------------------------------------------------ confirmations

#[derive(Template)]
#[template(path = "console/license_confirm.html")]
struct Confirm {
    f: Frame,
    title: String,
    subject: String,
    what: String,
    action: String,
    back: String,
    button: String,
    danger: bool,
    reason: Option<String>,
    refusal: Option<Refused>,
}

/// What a status change does, in the reader's words: (title, what
/// happens, button, danger).
fn status_words(f: &Frame, name: &str) -> (String, String, String, bool) {
    let t = f.t;
    (
        t.t(&format!("confirm-{name}-title")),
        t.t(&format!("confirm-{name}-what")),
        t.t(&format!("action-{name}")),
        name != "reinstate",
    )
}

/// The confirm page of a status change (GET) and its form's target (POST).
fn status_pages(name: &'static str, tr: Transition) -> [Page; 2] {
    let path: &'static str = match name {
        "suspend" => "/licenses/{id}/suspend",
        "reinstate" => "/licenses/{id}/reinstate",
        _ => "/licenses/{id}/revoke",
    };
    let confirm = move |State(s): State<AppState>, v: Viewer, Path(id): Path<String>| async move {
        let f = v.frame.at("licenses");
        let l = s
            .store
            .license(&id)
            .await
            .map_err(ApiError::from)
            .or_refuse(&f)?;
        Ok::<_, Response>(render(&status_confirm(&f, name, &l, String::new(), None)))
    };
    let post = move |State(s): State<AppState>, v: Viewer, Path(id): Path<String>, body: Bytes| async move {
        let f = v.frame.at("licenses");
        let fields = Fields::read(&body);
        let reason = fields.opt("reason");
        match tr.apply(&s, &v.staff, &id, reason.clone()).await {
            Ok(_) => Ok::<_, Response>(see(&format!("/licenses/{id}"))),
            Err(e) => {
                let l = s
                    .store
                    .license(&id)
                    .await
                    .map_err(ApiError::from)
                    .or_refuse(&f)?;
                let refused = Refused::of(&f, e);
                let page = status_confirm(&f, name, &l, reason.unwrap_or_default(), None);
                let page = Confirm {
                    refusal: Some(refused),
                    ..page
                };
                Ok(drawn(&page, page.refusal.as_ref()))
            }
        }
    };
    [
        Page::get(path, PageAccess::Signed, confirm),
        Page::post(path, PageAccess::Signed, post),
    ]
}

fn status_confirm(
    f: &Frame,
    name: &str,
    l: &LicenseRecord,
    reason: String,
    refusal: Option<Refused>,
) -> Confirm {
    let (title, what, button, danger) = status_words(f, name);
    Confirm {
        f: f.clone(),
        title,
        subject: f.t.t1("license-of", "licensee", &l.licensee),
        what,
        action: format!("/licenses/{}/{name}", l.id),
        back: format!("/licenses/{}", l.id),
        button,
        danger,
        reason: Some(reason),
        refusal,
    }
}

fn deactivate_page(f: &Frame, a: &Activation, refusal: Option<Refused>) -> Confirm {
    let t = f.t;
    Confirm {
        f: f.clone(),
        title: t.t("confirm-deactivate-title"),
        subject: t.t1("machine-named", "fingerprint", short(&a.fingerprint)),
        what: t.t("confirm-deactivate-what"),
        action: format!("/activations/{}/deactivate", a.id),
        back: format!("/licenses/{}", a.license_id),
        button: t.t("action-deactivate"),
        danger: true,
        reason: None,
        refusal,
    }
}

/// `GET /activations/{id}/deactivate`: what deactivating this machine does.
async fn deactivate_confirm(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let f = v.frame.at("licenses");
    let a = s
        .store
        .activation(&id)
        .await
        .map_err(ApiError::from)
        .or_refuse(&f)?;
    Ok(render(&deactivate_page(&f, &a, None)))
}

/// `POST /activations/{id}/deactivate`: the machine's seat is freed.
async fn deactivate(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let f = v.frame.at("licenses");
    let a = s
        .store
        .activation(&id)
        .await
        .map_err(ApiError::from)
        .or_refuse(&f)?;
    match activations::deactivate(&s, Some(&v.staff), None, &id).await {
        Ok(a) => Ok(see(&format!("/licenses/{}", a.license_id))),
        Err(e) => {
            let page = deactivate_page(&f, &a, Some(Refused::of(&f, e)));
            Ok(drawn(&page, page.refusal.as_ref()))
        }
    }
}

// ------------------------------------------------------------ renew

#[derive(Template)]
#[template(path = "console/license_renew.html")]
struct Renew {
    f: Frame,
    id: String,
    subject: String,
    idem: String,
    expires: String,
    soft_expiry: String,
    token_mode: bool,
    activations: Vec<Choice>,
    refusal: Option<Refused>,
    /// The renewal token made (token mode), to hand to the customer.
    token: Option<String>,
}

async fn renew_page(
    s: &AppState,
    f: &Frame,
    l: &LicenseRecord,
    fields: &Fields,
    refusal: Option<Refused>,
) -> Result<Renew, Response> {
    let online: Vec<(String, String)> = s
        .store
        .list_activations(
            &l.id,
            Rows {
                limit: 200,
                offset: 0,
            },
        )
        .await
        .map_err(ApiError::from)
        .or_refuse(f)?
        .into_iter()
        .filter(|a| a.mode == "online" && a.deactivated_at.is_none())
        .map(|a| {
            let label = format!("{} ({})", short(&a.fingerprint), a.platform);
            (a.id, label)
        })
        .collect();
    let expires = fields
        .opt("expires")
        .or_else(|| {
            l.expires_at
                .and_then(|e| chrono::DateTime::from_timestamp(e + 365 * licentia::DAY, 0))
                .map(|d| d.format("%Y-%m-%d").to_string())
        })
        .unwrap_or_default();
    Ok(Renew {
        f: f.clone(),
        id: l.id.clone(),
        subject: f.t.t1("license-of", "licensee", &l.licensee),
        idem: fields
            .opt("_idem")
            .unwrap_or_else(|| secret::new_id("form")),
        expires,
        soft_expiry: fields.get("soft_expiry").to_owned(),
        token_mode: fields.get("mode") == "token",
        activations: select(f.t.t("own-file"), &online, fields.get("activation_id")),
        refusal,
        token: None,
    })
}

/// `GET /licenses/{id}/renew`: a new end date, as a new file or a token.
async fn renew_form(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let f = v.frame.at("licenses");
    let l = s
        .store
        .license(&id)
        .await
        .map_err(ApiError::from)
        .or_refuse(&f)?;
    let page = renew_page(&s, &f, &l, &Fields(Vec::new()), None).await?;
    Ok(render(&page))
}

/// `POST /licenses/{id}/renew`.
async fn renew(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let f = v.frame.at("licenses");
    let fields = Fields::read(&body);
    let l = s
        .store
        .license(&id)
        .await
        .map_err(ApiError::from)
        .or_refuse(&f)?;
    let req = RenewRequest {
        expires: fields.get("expires").to_owned(),
        soft_expiry: fields.opt("soft_expiry"),
        mode: if fields.get("mode") == "token" {
            "token".into()
        } else {
            "file".into()
        },
        activation_id: fields.opt("activation_id"),
    };
    let key = form_key(&fields);
    let answer = match licenses::renew(&s, &v.staff, &key, &id, &form_hash(&body), &req).await {
        Ok(Reply::Fresh(r)) => Ok(r),
        Ok(Reply::Replayed(response)) => replayed::<Renewed>(response).await,
        Err(e) => Err(e),
    };
    match answer {
        Ok(Renewed {
            renewal_token: Some(token),
            license,
        }) => {
            let page = renew_page(&s, &f, &license, &fields, None).await?;
            Ok(render(&Renew {
                token: Some(token),
                ..page
            }))
        }
        Ok(_) => Ok(see(&format!("/licenses/{id}"))),
        Err(e) => {
            let page = renew_page(&s, &f, &l, &fields, Some(Refused::of(&f, e))).await?;
            Ok(drawn(&page, page.refusal.as_ref()))
        }
    }
}

// ------------------------------------------------------------ issue

/// `?from=plan:ID` or `policy:ID`, to draw the form for it.
#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    from: String,
    customer: String,
}

/// One add-on option of the chosen plan.
struct OptionBox {
    code: String,
    name: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "console/license_new.html")]
struct New {
    f: Frame,
    idem: String,
    plans: Vec<Choice>,
    policies: Vec<Choice>,
    from: String,
    options: Vec<OptionBox>,
    customers: Vec<Choice>,
    licensee: String,
    email: String,
    seats: String,
    expires: String,
    refusal: Option<Refused>,
}

#[derive(Template)]
#[template(path = "console/license_issued.html")]
struct IssuedPage {
    f: Frame,
    key: String,
    href: String,
    licensee: String,
}

/// The issue form, with what was typed (`fields`) and a refusal.
async fn new_page(
    s: &AppState,
    v: &Viewer,
    f: &Frame,
    fields: &Fields,
    refusal: Option<Refused>,
) -> Result<New, Response> {
    let all = Rows {
        limit: 500,
        offset: 0,
    };
    let from = fields.get("from").to_owned();
    let plans = s
        .store
        .list_plans(None, all)
        .await
        .map_err(ApiError::from)
        .or_refuse(f)?;
    let policies = s
        .store
        .list_policies(None, all)
        .await
        .map_err(ApiError::from)
        .or_refuse(f)?;
    let chosen = fields.all("options");
    let options = plans
        .iter()
        .find(|p| from == format!("plan:{}", p.id))
        .map(|p| {
            p.options
                .iter()
                .map(|o| OptionBox {
                    checked: chosen.contains(&o.code),
                    code: o.code.clone(),
                    name: o.name.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let choice = |value: String, label: String| Choice {
        selected: value == from,
        value,
        label,
    };
    let scope = v.staff.scope(READERS).or_refuse(f)?;
    let customers: Vec<(String, String)> = s
        .store
        .list_customers(&scope, None, None, all)
        .await
        .map_err(ApiError::from)
        .or_refuse(f)?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    Ok(New {
        f: f.clone(),
        idem: fields
            .opt("_idem")
            .unwrap_or_else(|| secret::new_id("form")),
        plans: plans
            .into_iter()
            .map(|p| choice(format!("plan:{}", p.id), p.name))
            .collect(),
        policies: policies
            .into_iter()
            .map(|p| choice(format!("policy:{}", p.id), p.name))
            .collect(),
        from,
        options,
        customers: select(f.t.t("no-customer"), &customers, fields.get("customer")),
        licensee: fields.get("licensee").to_owned(),
        email: fields.get("email").to_owned(),
        seats: fields.get("seats").to_owned(),
        expires: fields.get("expires").to_owned(),
        refusal,
    })
}

/// `GET /licenses/new`: issue from a plan (with its options) or a policy.
async fn new_form(State(s): State<AppState>, v: Viewer, Params(q): Params<NewQuery>) -> PageResult {
    let f = v.frame.at("licenses");
    v.staff.scope(WRITERS).or_refuse(&f)?;
    let fields = Fields(vec![
        ("from".to_owned(), q.from),
        ("customer".to_owned(), q.customer),
    ]);
    Ok(render(&new_page(&s, &v, &f, &fields, None).await?))
}

/// What the issue form asks for, checked: the idempotency route and the
/// request.
async fn issue_request(
    s: &AppState,
    fields: &Fields,
) -> Result<(String, IssueOverrides), ApiError> {
    let seats = match fields.opt("seats") {
        None => None,
        Some(n) => Some(
            n.parse::<u32>()
                .map_err(|_| ApiError::invalid("seats must be a whole number"))?,
        ),
    };
    let from = fields.get("from");
    if let Some(plan) = from.strip_prefix("plan:") {
        let req = PlanIssue {
            licensee: fields.get("licensee").to_owned(),
            email: fields.opt("email"),
            customer_id: fields.opt("customer"),
            seats,
            machines: None,
            user: None,
            metadata: None,
            expires: fields.opt("expires"),
            options: fields.all("options"),
        };
        let overrides = licenses::plan_license(s, plan, req)
            .await
            .map_err(|e| match e.status {
                StatusCode::NOT_FOUND => ApiError::invalid("no such plan"),
                _ => e,
            })?;
        Ok((format!("issue:{plan}"), overrides))
    } else if let Some(policy) = from.strip_prefix("policy:") {
        Ok((
            "issue".to_owned(),
            IssueOverrides {
                policy_id: policy.to_owned(),
                licensee: fields.get("licensee").to_owned(),
                email: fields.opt("email"),
                customer_id: fields.opt("customer"),
                seats,
                expires: fields.opt("expires"),
                ..IssueOverrides::default()
            },
        ))
    } else {
        Err(ApiError::invalid("choose a plan or a policy to issue from"))
    }
}

/// `POST /licenses/new`: the licence is issued, its key shown once; a
/// second submit of the same form shows the same licence.
async fn issue(State(s): State<AppState>, v: Viewer, body: Bytes) -> PageResult {
    let f = v.frame.at("licenses");
    let fields = Fields::read(&body);
    let key = form_key(&fields);
    let answer = async {
        v.staff.scope(WRITERS)?;
        let (route, req) = issue_request(&s, &fields).await?;
        match licenses::issue(&s, &v.staff, &key, &route, &form_hash(&body), req).await? {
            Reply::Fresh(issued) => Ok(issued),
            Reply::Replayed(response) => replayed::<Issued>(response).await,
        }
    }
    .await;
    match answer {
        Ok(issued) => Ok(render(&IssuedPage {
            f,
            key: issued.license_key,
            href: format!("/licenses/{}", issued.license.id),
            licensee: issued.license.licensee,
        })),
        Err(e) => {
            let refused = Refused::of(&f, e);
            let page = new_page(&s, &v, &f, &fields, Some(refused)).await?;
            Ok(drawn(&page, page.refusal.as_ref()))
        }
    }
}

// ------------------------------------------------------------ temporary

#[derive(Template)]
#[template(path = "console/license_temporary.html")]
struct TemporaryPage {
    f: Frame,
    id: String,
    subject: String,
    rule: String,
    fingerprint: String,
    refusal: Option<Refused>,
    /// The temporary licence made: (its file, the day it ends).
    made: Option<(String, String)>,
}

async fn temporary_page(
    s: &AppState,
    f: &Frame,
    l: &LicenseRecord,
    fingerprint: &str,
    refusal: Option<Refused>,
) -> Result<TemporaryPage, Response> {
    let (quota, period, duration) = activations::temporary_rule(s, l).await.or_refuse(f)?;
    let t = f.t;
    let rule = [
        t.n("temporary-quota", quota),
        t.n("temporary-period", period),
        t.n("temporary-duration", duration),
    ]
    .join(" ");
    Ok(TemporaryPage {
        f: f.clone(),
        id: l.id.clone(),
        subject: f.t.t1("license-of", "licensee", &l.licensee),
        rule,
        fingerprint: fingerprint.to_owned(),
        refusal,
        made: None,
    })
}

/// `GET /licenses/{id}/temporary`: a temporary licence for a replacement
/// machine, within the policy's quota.
async fn temporary_form(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let f = v.frame.at("licenses");
    let l = s
        .store
        .license(&id)
        .await
        .map_err(ApiError::from)
        .or_refuse(&f)?;
    Ok(render(&temporary_page(&s, &f, &l, "", None).await?))
}

/// `POST /licenses/{id}/temporary`.
async fn temporary(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let f = v.frame.at("licenses");
    let fields = Fields::read(&body);
    let typed = fields.get("fingerprint");
    let l = s
        .store
        .license(&id)
        .await
        .map_err(ApiError::from)
        .or_refuse(&f)?;
    let made = async {
        v.staff.allow(WRITERS)?;
        let machine = licentia::Fingerprint::parse(typed).map_err(|e| {
            ApiError::invalid(format!("the fingerprint is not one licentia prints: {e}"))
        })?;
        let ev = Event {
            customer_id: l.customer_id.clone(),
            license_id: Some(l.id.clone()),
            ..staff_event(
                &v.staff,
                "temporary.create",
                "",
                json!({ "fingerprint": typed }),
            )
        };
        activations::temporary(&s, &l, &machine, ev).await
    }
    .await;
    match made {
        Ok(t) => {
            let page = temporary_page(&s, &f, &l, typed, None).await?;
            Ok(render(&TemporaryPage {
                made: Some((t.license_file, f.t.date(t.expires_at))),
                ..page
            }))
        }
        Err(e) => {
            let page = temporary_page(&s, &f, &l, typed, Some(Refused::of(&f, e))).await?;
            Ok(drawn(&page, page.refusal.as_ref()))
        }
    }
}

// ------------------------------------------------------------ offline

#[derive(Template)]
#[template(path = "console/license_offline.html")]
struct Offline {
    f: Frame,
    valid_days: String,
    refusal: Option<Refused>,
}

/// `GET /licenses/activate-offline`: upload a machine's request file.
async fn offline_form(v: Viewer) -> PageResult {
    let f = v.frame.at("licenses");
    v.staff.scope(WRITERS).or_refuse(&f)?;
    Ok(render(&Offline {
        f,
        valid_days: "30".into(),
        refusal: None,
    }))
}

/// The request file and the answer's validity of the upload.
async fn read_upload(
    upload: Result<Multipart, MultipartRejection>,
) -> Result<(String, String), ApiError> {
    let mut upload = upload.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let (mut request, mut days) = (None, String::new());
    while let Some(field) = upload
        .next_field()
        .await
        .map_err(|e| ApiError::bad_request(e.body_text()))?
    {
        match field.name() {
            Some("request") => {
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| ApiError::bad_request(e.body_text()))?;
                if bytes.len() > MAX_REQUEST {
                    return Err(ApiError::invalid("the request file is larger than 64 KiB"));
                }
                request = Some(
                    String::from_utf8(bytes.to_vec())
                        .map_err(|_| ApiError::invalid("the request file is not text"))?,
                );
            }
            Some("valid_days") => {
                days = field.text().await.unwrap_or_default().trim().to_owned();
            }
            _ => {}
        }
    }
    let request = request
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| ApiError::invalid("choose the request file the machine wrote"))?;
    Ok((request, days))
}

/// `POST /licenses/activate-offline?_csrf=`: the signed answer, as a file.
async fn offline(
    State(s): State<AppState>,
    v: Viewer,
    upload: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let f = v.frame.at("licenses");
    let mut days_typed = "30".to_owned();
    let answer = async {
        let (request, days) = read_upload(upload).await?;
        if !days.is_empty() {
            days_typed = days.clone();
        }
        let valid_days = match days.as_str() {
            "" => None,
            d => Some(
                d.parse::<u32>()
                    .ok()
                    .filter(|d| (1..=3660).contains(d))
                    .ok_or_else(|| ApiError::invalid("the answer's validity is 1 to 3660 days"))?,
            ),
        };
        let key = IdempotencyKey(None);
        match activations::activate_offline(&s, &v.staff, &key, "", &request, valid_days).await? {
            Reply::Fresh(answer) => Ok(answer),
            Reply::Replayed(response) => replayed(response).await,
        }
    }
    .await;
    match answer {
        Ok(a) => Ok((
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"activation-{}.lic\"",
                        a.activation_id
                    ),
                ),
            ],
            a.answer,
        )
            .into_response()),
        Err(e) => {
            let page = Offline {
                refusal: Some(Refused::of(&f, e)),
                valid_days: days_typed,
                f,
            };
            Ok(drawn(&page, page.refusal.as_ref()))
        }
    }
}
