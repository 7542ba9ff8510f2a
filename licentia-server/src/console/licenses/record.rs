//! One licence's page: its terms, machines and leases, history, and its
//! file to download.

use super::*;
use crate::console::history::{history_of, history_page, later, HistoryLine, HistoryQuery, Shown};
use crate::console::i18n::Tr;
use crate::console::paging::{Pager, Paging};
use crate::service::usage;
use crate::store::Lease;

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
    /// The renew form with this machine's file chosen.
    renew: Option<String>,
}

/// One lease of a floating licence.
struct LeaseRow {
    fingerprint: String,
    from: String,
    until: String,
    state: String,
}

/// One meter of a licence, this period.
struct MeterRow {
    meter: String,
    used: String,
    period: String,
    until: String,
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
    /// The page of all its machines, when there are more than these.
    more_machines: Option<String>,
    leases: Vec<LeaseRow>,
    /// The page of all its leases, when there are more than these.
    more_leases: Option<String>,
    /// Its history's first page, oldest first.
    lines: Vec<HistoryLine>,
    /// The page that goes on with its history.
    next: Option<String>,
    meters: Vec<MeterRow>,
    may_write: bool,
    may_renew: bool,
    /// The status changes this licence may make: (path, message id, danger).
    actions: Vec<(String, &'static str, bool)>,
}

/// Machines and leases a licence's page shows before linking to the page
/// of all of them.
const FIRST_ROWS: i64 = 20;

/// A short form of a fingerprint, for tables (the whole one is its title).
pub(super) fn short(fingerprint: &str) -> String {
    fingerprint.chars().take(16).collect()
}

/// A spec date (`YYYY-MM-DD` or RFC 3339), as the reader writes dates.
fn spec_date(f: &Frame, text: Option<&str>) -> Option<String> {
    let t = licentia::Timestamp::parse(text?).ok()?;
    Some(f.t.date(t.0))
}

/// `GET /licenses/{id}`.
pub(super) async fn show(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let f = v.frame.at("licenses");
    let t = f.t;
    let l = s.store.license(&id).await.or_refuse(&f)?;
    let product = s.store.product(&l.product_id).await.or_refuse(&f)?;
    let policy = s.store.policy(&l.policy_id).await.or_refuse(&f)?;
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
        (
            t.t("term-updates-until"),
            spec_date(&f, l.spec.updates_until.as_deref()).unwrap_or_else(|| t.t("never")),
        ),
        (
            t.t("term-releases"),
            crate::console::releases::runnable(
                &f,
                &crate::service::releases::runnable(&s, &l)
                    .await
                    .or_refuse(&f)?,
            ),
        ),
    ];
    let may_write = v.staff.allow(WRITERS).is_ok();
    let first = Window::first(FIRST_ROWS);
    let machines = s
        .store
        .list_activations(&id, first.clone())
        .await
        .or_refuse(&f)?;
    let more_machines = machines
        .next
        .is_some()
        .then(|| format!("/licenses/{id}/machines"));
    let machines = machine_rows(t, may_write, machines.items);
    let leases = s.store.list_leases(&id, first).await.or_refuse(&f)?;
    let more_leases = leases
        .next
        .is_some()
        .then(|| format!("/licenses/{id}/leases"));
    let leases = lease_rows(t, leases.items);
    let filter = HistoryFilter {
        license_id: Some(id.clone()),
        ..HistoryFilter::default()
    };
    let (lines, next) = history_of(&s, &v, filter, None).await.or_refuse(&f)?;
    let next = next.map(|n| later(&format!("/licenses/{id}/history"), &n));
    let meters = usage::license_usage(&s, &l)
        .await
        .or_refuse(&f)?
        .meters
        .into_iter()
        .map(|m| MeterRow {
            used: format!("{} / {}", m.used, m.quota),
            period: t.t(&format!("meter-period-{}", m.period)),
            until: m.period_end.map_or_else(|| t.t("never"), |e| t.date(e)),
            meter: m.meter,
        })
        .collect();
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
        more_machines,
        leases,
        more_leases,
        lines,
        next,
        meters,
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

/// A licence's machines as drawn; each active one with its deactivate
/// link, and each online one its renew link, when the person may write.
fn machine_rows(t: Tr, may_write: bool, found: Vec<Activation>) -> Vec<Machine> {
    found
        .into_iter()
        .map(|a| Machine {
            renew: (may_write && renewable(&a))
                .then(|| format!("/licenses/{}/renew?activation_id={}", a.license_id, a.id)),
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
        .collect()
}

/// A floating licence's leases as drawn, each held, returned or expired.
fn lease_rows(t: Tr, found: Vec<Lease>) -> Vec<LeaseRow> {
    let at = now().0;
    found
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
        .collect()
}

/// All of a licence's machines, or all its leases, a page at a time.
#[derive(Template)]
#[template(path = "console/license_rows.html")]
struct Rows {
    f: Frame,
    id: String,
    licensee: String,
    title: String,
    machines: Vec<Machine>,
    leases: Vec<LeaseRow>,
    pager: Pager,
}

impl Rows {
    /// The page of `l`'s rows titled by the message `title` (which names
    /// the licensee), with no rows yet.
    fn of(f: Frame, l: LicenseRecord, title: &str, pager: Pager) -> Rows {
        Rows {
            title: f.t.t1(title, "licensee", &l.licensee),
            machines: Vec::new(),
            leases: Vec::new(),
            licensee: l.licensee,
            id: l.id,
            pager,
            f,
        }
    }
}

/// `GET /licenses/{id}/machines`: every machine of the licence, paged.
pub(super) async fn machines(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    paging: Paging,
) -> PageResult {
    let f = v.frame.at("licenses");
    let l = s.store.license(&id).await.or_refuse(&f)?;
    let found = s.store.list_activations(&id, paging.rows()).await;
    let (found, pager) = paging.cut(&f.t, found.or_refuse(&f)?);
    let machines = machine_rows(f.t, v.staff.allow(WRITERS).is_ok(), found);
    Ok(render(&Rows {
        machines,
        ..Rows::of(f, l, "machines-of", pager)
    }))
}

/// `GET /licenses/{id}/leases`: every lease of the licence, paged.
pub(super) async fn leases(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    paging: Paging,
) -> PageResult {
    let f = v.frame.at("licenses");
    let l = s.store.license(&id).await.or_refuse(&f)?;
    let found = s.store.list_leases(&id, paging.rows()).await;
    let (found, pager) = paging.cut(&f.t, found.or_refuse(&f)?);
    Ok(render(&Rows {
        leases: lease_rows(f.t, found),
        ..Rows::of(f, l, "leases-of", pager)
    }))
}

/// `GET /licenses/{id}/history`: the licence's whole history, a page at a
/// time.
pub(super) async fn history(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Params(q): Params<HistoryQuery>,
) -> PageResult {
    let f = v.frame.at("licenses");
    let l = s.store.license(&id).await.or_refuse(&f)?;
    let filter = HistoryFilter {
        license_id: Some(id.clone()),
        ..HistoryFilter::default()
    };
    let shown = Shown {
        title: f.t.t1("history-of", "name", &l.licensee),
        back: format!("/licenses/{id}"),
        back_label: l.licensee,
        path: format!("/licenses/{id}/history"),
    };
    history_page(&s, &v, f, shown, filter, q.after).await
}

/// `?form=line` for the one-line file, `?form=qr` for it as a QR code.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct FileForm {
    form: String,
}

/// What a licence without a file of its own answers for its file.
#[derive(Template)]
#[template(path = "console/license_no_file.html")]
struct NoFile {
    f: Frame,
    href: String,
}

/// `GET /licenses/{id}/file`: the licence's own file, armored (`.lic`), on
/// one line (`?form=line`), or that line as a QR code (`?form=qr`, an SVG
/// image the licence's page shows).
pub(super) async fn file(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Params(q): Params<FileForm>,
) -> PageResult {
    let f = v.frame.at("licenses");
    let l = s.store.license(&id).await.or_refuse(&f)?;
    let Some(armored) = l.file else {
        // Nothing to download: the page says why, and where the files are.
        return Ok(render(&NoFile {
            f,
            href: format!("/licenses/{id}"),
        }));
    };
    if q.form == "qr" {
        let line = licenses::one_line(&armored).or_refuse(&f)?;
        let svg = crate::qr::svg(&line, &f.t.t("license-qr-alt")).or_refuse(&f)?;
        return Ok((
            [(
                header::CONTENT_TYPE,
                "image/svg+xml; charset=utf-8".to_owned(),
            )],
            svg,
        )
            .into_response());
    }
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
