//! Subscriptions: the list per company within the person's grants, and
//! each one's status page (Rainbow's): service, options, plan, term,
//! expiry and renewal option, seats and the members using them, its
//! history; with the forms that raise or lower its seats and change its
//! renewal option, offered only within the person's rights.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use serde::Deserialize;

use super::customers::{choices, notice, seats_field, Choice, Done};
use super::frame::{refusal, render, with_status, Frame, OrRefuse, PageResult, Params, Viewer};
use super::history::{history_of, history_page, later, HistoryLine, HistoryQuery, Shown};
use super::i18n::Tr;
use super::members::{member_lines, MemberLine};
use super::paging::{Pager, Paging};
use super::problems::said;
use super::sheet::{self, Sheet};
use super::{Page, PageAccess};
use crate::api::{READERS, WRITERS};
use crate::error::{ApiError, ApiResult};
use crate::service::members::set_star;
use crate::service::seat_rules::{may_change_subscription, SubscriptionChange};
use crate::service::subscriptions::{self, today};
use crate::store::{HistoryFilter, Rows, Subscription, SubscriptionFilter};
use crate::AppState;

pub(super) fn pages() -> Vec<Page> {
    use PageAccess::Signed;
    vec![
        Page::get("/subscriptions", Signed, list),
        Page::get("/subscriptions/{id}", Signed, show),
        Page::post("/subscriptions/{id}/seats", Signed, set_seats),
        Page::get("/subscriptions/{id}/seats/confirm", Signed, confirm_seats),
        Page::post("/subscriptions/{id}/renewal", Signed, set_renewal),
        Page::post("/subscriptions/{id}/star", Signed, star),
        Page::get("/subscriptions/{id}/history", Signed, history),
    ]
}

/// The section of the navigation these pages belong to.
const SECTION: &str = "subscriptions";

/// The renewal options, in the order of the form: (value, message id).
const RENEWALS: [(&str, &str); 4] = [
    ("none", "renewal-none"),
    ("once", "renewal-once"),
    ("always", "renewal-always"),
    ("switch_to_monthly", "renewal-switch_to_monthly"),
];

/// A renewal option as drawn: its icon (decorative) and its words.
pub(crate) struct RenewalShown {
    pub icon: &'static str,
    pub text: String,
}

/// How `option` is drawn.
fn renewal_shown(t: &Tr, option: &str) -> RenewalShown {
    let icon = match option {
        "none" => "✕",
        "once" => "①",
        "always" => "↻",
        _ => "⇢",
    };
    RenewalShown {
        icon,
        text: t.t(&format!("renewal-{option}")),
    }
}

/// The term of a billing model: monthly, or 1, 3 or 5 years prepaid.
fn term_text(t: &Tr, billing: &str) -> String {
    t.t(&format!("term-{}", billing.replace('_', "-")))
}

/// A calendar day (already one of the subscription's zone: not moved to
/// the person's), as the person's language writes it.
fn day(t: &Tr, d: NaiveDate) -> String {
    let as_written = Tr::new(t.lang);
    d.and_hms_opt(0, 0, 0)
        .map(|at| as_written.date(at.and_utc().timestamp()))
        .unwrap_or_default()
}

/// One subscription of the list.
struct Line {
    href: String,
    plan: String,
    seats: i64,
    term: String,
    renewal: RenewalShown,
    term_end: String,
    status: String,
}

#[derive(Template)]
#[template(path = "console/subscriptions.html")]
struct ListPage {
    f: Frame,
    /// (company, its subscriptions).
    groups: Vec<(String, Vec<Line>)>,
    pager: Pager,
    /// Only those whose last day to cancel is this month.
    cancellable: bool,
}

/// Names looked up once per page.
struct Names<'a> {
    s: &'a AppState,
    seen: HashMap<String, String>,
}

impl Names<'_> {
    async fn customer(&mut self, id: &str) -> String {
        if let Some(n) = self.seen.get(id) {
            return n.clone();
        }
        let name = self
            .s
            .store
            .customer(id)
            .await
            .map_or_else(|_| id.to_owned(), |c| c.name);
        self.seen.insert(id.to_owned(), name.clone());
        name
    }

    async fn plan(&mut self, id: &str) -> String {
        if let Some(n) = self.seen.get(id) {
            return n.clone();
        }
        let name = self
            .s
            .store
            .plan(id)
            .await
            .map_or_else(|_| id.to_owned(), |p| p.name);
        self.seen.insert(id.to_owned(), name.clone());
        name
    }
}

/// The filter of the list: `cancellable=this-month` keeps the
/// subscriptions whose last day to cancel is between today and the end of
/// the month (the dashboard's tile).
#[derive(Deserialize, Default)]
struct ListQuery {
    cancellable: Option<String>,
}

/// `GET /subscriptions`: per company, soonest term end first.
async fn list(
    State(s): State<AppState>,
    v: Viewer,
    paging: Paging,
    Params(q): Params<ListQuery>,
) -> PageResult {
    let f = v.frame.at(SECTION);
    let t = f.t;
    let scope = v.staff.scope(READERS).or_refuse(&f)?;
    // An empty field is a form's "all".
    let asked = q.cancellable.as_deref().filter(|v| !v.is_empty());
    let filter = SubscriptionFilter {
        cancellable_at: subscriptions::cancellable_at(asked).or_refuse(&f)?,
        ..SubscriptionFilter::default()
    };
    let cancellable = filter.cancellable_at.is_some();
    let found = s
        .store
        .list_subscriptions(&scope, &filter, paging.rows())
        .await
        .or_refuse(&f)?;
    let (subs, pager) = paging.cut(&t, found);
    let mut names = Names {
        s: &s,
        seen: HashMap::new(),
    };
    let mut groups: Vec<(String, Vec<Line>)> = Vec::new();
    for sub in subs {
        let company = names.customer(&sub.customer_id).await;
        let line = Line {
            href: format!("/subscriptions/{}", sub.id),
            plan: names.plan(&sub.plan_id).await,
            seats: sub.seats,
            term: term_text(&t, &sub.billing),
            renewal: renewal_shown(&t, &sub.renewal),
            term_end: day(&t, sub.term_end),
            status: t.t(&format!("status-{}", sub.status)),
        };
        match groups.iter_mut().find(|(c, _)| *c == company) {
            Some((_, lines)) => lines.push(line),
            None => groups.push((company, vec![line])),
        }
    }
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(render(&ListPage {
        f,
        groups,
        pager,
        cancellable,
    }))
}

/// What the seats form holds.
#[derive(Deserialize, Default, Clone)]
struct SeatsForm {
    #[serde(default)]
    seats: String,
    /// `yes` once a cut was confirmed.
    #[serde(default)]
    confirm: String,
}

/// What the renewal form holds.
#[derive(Deserialize, Default, Clone)]
struct RenewalForm {
    #[serde(default)]
    renewal: String,
}

/// The state of the status page's forms.
#[derive(Default)]
struct SubForms {
    refusal: Option<String>,
    seats: Option<String>,
    renewal: Option<String>,
}

#[derive(Template)]
#[template(path = "console/subscription.html")]
struct StatusPage {
    f: Frame,
    id: String,
    customer: (String, String),
    service: String,
    plan: String,
    options: String,
    term: String,
    term_span: String,
    expires: String,
    renews_on: Option<String>,
    final_end: Option<String>,
    next_invoice: Option<String>,
    last_day_to_cancel: Option<String>,
    renewal: RenewalShown,
    status: String,
    seats: i64,
    /// "Members served: 3 of 10 licences, 7 free".
    members_heading: String,
    members: Vec<MemberLine>,
    /// Whether it is the company's default licence (the star).
    starred: bool,
    /// Whether the person may make it the star.
    may_star: bool,
    /// The history's lines.
    lines: Vec<HistoryLine>,
    /// The page that goes on with its history.
    next: Option<String>,
    notice: Option<String>,
    refusal: Option<String>,
    /// The seats form, when the person may raise or lower them.
    seats_form: Option<String>,
    /// The renewal form's options, when the person may change it.
    renewals: Option<Vec<Choice>>,
}

/// Whether `staff` may make `change` to `sub`.
fn may(v: &Viewer, sub: &Subscription, change: SubscriptionChange) -> bool {
    may_change_subscription(&v.staff, &v.staff.placement(), &sub.billing, change).is_ok()
}

/// The status page of `id`, with `forms` as typed.
async fn status_page(
    s: &AppState,
    v: &Viewer,
    id: &str,
    forms: SubForms,
    notice: Option<String>,
) -> ApiResult<Response> {
    let f = v.frame.at(SECTION);
    let t = f.t;
    let sub = s.store.subscription(id).await?;
    let view = sub.view(today(&sub)?)?;
    let customer = s.store.customer(&sub.customer_id).await?;
    let plan = s.store.plan(&sub.plan_id).await?;
    let product = s.store.product(&sub.product_id).await?;
    let served = subscriptions::served(s, &sub).await?;
    let assigned = served.len() as i64;
    let star = s.store.default_plan(&sub.customer_id).await?;
    let starred = star
        .as_ref()
        .is_some_and(|d| d.subscription_id.as_deref() == Some(id));
    let all = Rows {
        items: served,
        next: None,
        prev: None,
    };
    let members = member_lines(s, &t, all, star.as_ref()).await?;
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("assigned", assigned);
    args.set("seats", sub.seats);
    args.set("free", (sub.seats - assigned).max(0));
    let filter = HistoryFilter {
        subscription_id: Some(id.to_owned()),
        ..HistoryFilter::default()
    };
    let (history, next) = history_of(s, v, filter, None).await?;
    let active = sub.status == "active";
    let seats_form = (active
        && (may(v, &sub, SubscriptionChange::Raise) || may(v, &sub, SubscriptionChange::Lower)))
    .then(|| forms.seats.clone().unwrap_or_else(|| sub.seats.to_string()));
    let renewals = (active && may(v, &sub, SubscriptionChange::Renewal)).then(|| {
        let current = forms.renewal.clone().unwrap_or_else(|| sub.renewal.clone());
        choices(
            RENEWALS
                .iter()
                .map(|(value, label)| ((*value).to_owned(), t.t(label)))
                .collect(),
            &current,
        )
    });
    let page = StatusPage {
        id: sub.id.clone(),
        customer: (format!("/customers/{}", customer.id), customer.name),
        service: product.name,
        plan: plan.name,
        options: sub.options.join(", "),
        term: term_text(&t, &sub.billing),
        term_span: format!("{} – {}", day(&t, sub.term_start), day(&t, sub.term_end)),
        expires: day(&t, sub.ends_on.unwrap_or(sub.term_end)),
        renews_on: view.renews_on.map(|d| day(&t, d)),
        final_end: view.final_end.map(|d| day(&t, d)),
        next_invoice: view.next_invoice.map(|d| day(&t, d)),
        last_day_to_cancel: view.last_day_to_cancel.map(|d| day(&t, d)),
        renewal: renewal_shown(&t, &sub.renewal),
        status: t.t(&format!("status-{}", sub.status)),
        seats: sub.seats,
        members_heading: t.args("subscription-members", &args),
        members: members.items,
        starred,
        may_star: active
            && !starred
            && v.staff
                .allow_at(s, WRITERS, Some(&sub.customer_id))
                .await
                .is_ok(),
        lines: history,
        next: next.map(|n| later(&format!("/subscriptions/{id}/history"), &n)),
        notice,
        refusal: forms.refusal,
        seats_form,
        renewals,
        f,
    };
    Ok(render(&page))
}

/// The status page redrawn with a refusal, in its status.
async fn refused(s: &AppState, v: &Viewer, id: &str, e: ApiError, mut forms: SubForms) -> Response {
    let f = v.frame.at(SECTION);
    if e.status.is_server_error() {
        return refusal(&f, e);
    }
    let status = e.status;
    forms.refusal = Some(said(&f.t, &e));
    match status_page(s, v, id, forms, None).await {
        Ok(page) => with_status(page, status),
        Err(_) => refusal(&f, e),
    }
}

/// `GET /subscriptions/{id}`.
async fn show(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Params(done): Params<Done>,
) -> PageResult {
    let f = v.frame.at(SECTION);
    let notice = notice(&f.t, &done);
    status_page(&s, &v, &id, SubForms::default(), notice)
        .await
        .or_refuse(&f)
}

/// `GET /subscriptions/{id}/history`: the subscription's whole history, a
/// page at a time.
async fn history(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Params(q): Params<HistoryQuery>,
) -> PageResult {
    let f = v.frame.at(SECTION);
    let sub = s.store.subscription(&id).await.or_refuse(&f)?;
    let plan = s.store.plan(&sub.plan_id).await.or_refuse(&f)?;
    let customer = s.store.customer(&sub.customer_id).await.or_refuse(&f)?;
    let name = format!("{} · {}", plan.name, customer.name);
    let filter = HistoryFilter {
        subscription_id: Some(id.clone()),
        ..HistoryFilter::default()
    };
    let shown = Shown {
        title: f.t.t1("history-of", "name", &name),
        back: format!("/subscriptions/{id}"),
        back_label: name,
        path: format!("/subscriptions/{id}/history"),
    };
    history_page(&s, &v, f, shown, filter, q.after).await
}

/// `POST /subscriptions/{id}/seats`: a raise at once; a cut through its
/// confirm page first.
async fn set_seats(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Form(form): Form<SeatsForm>,
) -> Response {
    let result = match seats_field(&form.seats) {
        Ok(seats) => match s.store.subscription(&id).await {
            Ok(sub) if i64::from(seats) < sub.seats && seats > 0 && form.confirm != "yes" => {
                return Redirect::to(&format!("/subscriptions/{id}/seats/confirm?seats={seats}"))
                    .into_response();
            }
            Ok(_) => subscriptions::set_seats(&s, &v.staff, &id, seats).await,
            Err(e) => Err(e.into()),
        },
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/subscriptions/{id}?done=seats")).into_response(),
        Err(e) => {
            let forms = SubForms {
                seats: Some(form.seats),
                ..SubForms::default()
            };
            refused(&s, &v, &id, e, forms).await
        }
    }
}

/// `GET /subscriptions/{id}/seats/confirm`: what a cut of the seats will do.
async fn confirm_seats(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Params(form): Params<SeatsForm>,
) -> PageResult {
    let f = v.frame.at(SECTION);
    let seats = seats_field(&form.seats).or_refuse(&f)?;
    let sub = s.store.subscription(&id).await.or_refuse(&f)?;
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("from", sub.seats);
    args.set("to", seats);
    let form = sheet::Form::confirm(
        &f,
        format!("/subscriptions/{id}/seats"),
        vec![
            ("seats".into(), seats.to_string()),
            ("confirm".into(), "yes".into()),
        ],
        f.t.t("lower-seats"),
        format!("/subscriptions/{id}"),
    );
    let title = f.t.t("confirm-lower-seats");
    let what = f.t.args("confirm-lower-seats-what", &args);
    Ok(Sheet::confirm(f, title, what, form).page())
}

/// `POST /subscriptions/{id}/star`: the company's default licence becomes
/// this subscription (its new members take one of its licences).
async fn star(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> Response {
    let f = v.frame.at(SECTION);
    let sub = match s.store.subscription(&id).await {
        Ok(sub) => sub,
        Err(e) => return refusal(&f, e.into()),
    };
    match set_star(&s, &v.staff, &sub.customer_id, None, Some(&id)).await {
        Ok(_) => Redirect::to(&format!("/subscriptions/{id}?done=star")).into_response(),
        Err(e) => refused(&s, &v, &id, e, SubForms::default()).await,
    }
}

/// `POST /subscriptions/{id}/renewal`: the renewal option from now on.
async fn set_renewal(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Form(form): Form<RenewalForm>,
) -> Response {
    match subscriptions::set_renewal(&s, &v.staff, &id, form.renewal.trim()).await {
        Ok(_) => Redirect::to(&format!("/subscriptions/{id}?done=renewal")).into_response(),
        Err(e) => {
            let forms = SubForms {
                renewal: Some(form.renewal),
                ..SubForms::default()
            };
            refused(&s, &v, &id, e, forms).await
        }
    }
}
