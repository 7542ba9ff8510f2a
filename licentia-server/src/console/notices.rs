//! Notices: the subscriptions that receive them (made here, deleted behind
//! a confirmation), the notifications the jobs wrote, newest first, and a
//! notification's deliveries with each attempt, its error and when it is
//! retried.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};

use super::frame::{Frame, OrRefuse, PageResult, Viewer};
use super::paging::Paging;
use super::sheet::{redraw, Action, Cell, Field, Form, Opt, Posted, Sheet, Table};
use super::{Page, PageAccess};
use crate::api::READERS;
use crate::error::ApiError;
use crate::service::notices::{self, NewSubscription};
use crate::store::{
    Delivery, NoticeSubscription, NotificationFilter, Page as Window, Role, NOTICE_KINDS,
};
use crate::AppState;

pub(super) fn pages() -> Vec<Page> {
    use PageAccess::Signed;
    vec![
        Page::get("/notices", Signed, list),
        Page::get("/notice-subscriptions/new", Signed, new_subscription),
        Page::post("/notice-subscriptions", Signed, create_subscription),
        Page::get("/notice-subscriptions/{id}/delete", Signed, confirm_delete),
        Page::post("/notice-subscriptions/{id}/delete", Signed, delete),
        Page::get("/notifications/{id}", Signed, notification),
    ]
}

/// The most notice subscriptions the page lists (they are rules, a few per
/// node; notifications page).
const ROWS: Window = Window::first(200);

fn frame(v: &Viewer) -> Frame {
    v.frame.at("notices")
}

/// Where a subscription's notices go.
fn target(f: &Frame, sub: &NoticeSubscription) -> String {
    match (&sub.webhook_url, &sub.email) {
        (Some(url), _) => f.t.t1("ntc-to-webhook", "url", url),
        (_, Some(email)) => f.t.t1("ntc-to-email", "email", email),
        _ => "—".to_owned(),
    }
}

/// A notice kind as people read it.
fn kind(f: &Frame, kind: &str) -> String {
    f.t.t(&format!("ntc-kind-{}", kind.replace('.', "-")))
}

/// `GET /notices`: the subscriptions, then the notifications, newest first,
/// a page at a time.
async fn list(State(s): State<AppState>, v: Viewer, paging: Paging) -> PageResult {
    let f = frame(&v);
    let t = f.t;
    let subs = notices::list_subscriptions(&s, &v.staff, None, ROWS)
        .await
        .or_refuse(&f)?;
    let scope = v.staff.scope(READERS).or_refuse(&f)?;
    let sent = s
        .store
        .list_notifications(&scope, &NotificationFilter::default(), paging.rows())
        .await
        .or_refuse(&f)?;
    let (sent, pager) = paging.cut(&t, sent);
    let mut page = Sheet::new(f.clone(), t.t("ntc-title"));
    page.lead.push(t.t("ntc-lead"));
    if subs.len() as i64 >= ROWS.limit {
        page.notice = Some(t.n("sheet-first-rows", ROWS.limit));
    }
    page.actions
        .push(Action::new("/notice-subscriptions/new", t.t("ntc-new")).primary());
    let rows = subs
        .iter()
        .map(|sub| {
            vec![
                Cell::text(target(&f, sub)),
                Cell::text(
                    sub.kinds
                        .iter()
                        .map(|k| kind(&f, k))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                Cell::text(
                    sub.role
                        .map_or_else(|| "—".to_owned(), |r| r.as_str().to_owned()),
                ),
                Cell::text(t.date(sub.created_at)),
                Cell::link(
                    t.t("ntc-delete"),
                    format!("/notice-subscriptions/{}/delete", sub.id),
                ),
            ]
        })
        .collect();
    page.tables.push(Table::new(
        t.n("ntc-count-subscriptions", subs.len() as i64),
        vec![
            t.t("ntc-target"),
            t.t("ntc-kinds"),
            t.t("ntc-role"),
            t.t("cat-created"),
            t.t("keys-action"),
        ],
        rows,
        t.t("ntc-no-subscriptions"),
    ));
    let rows = sent
        .iter()
        .map(|n| {
            vec![
                Cell::link(t.time(n.created_at), format!("/notifications/{}", n.id)),
                Cell::text(kind(&f, &n.kind)),
                Cell::text(&n.subject),
                Cell::text(&n.due_on),
                Cell::num(n.lead_days),
            ]
        })
        .collect();
    // A page of a longer list is counted by its pager, not its heading.
    let heading = match pager.paged() {
        true => t.t("ntc-notifications"),
        false => t.n("ntc-count-notifications", sent.len() as i64),
    };
    page.pager = Some(pager);
    page.tables.push(Table::new(
        heading,
        vec![
            t.t("ntc-written"),
            t.t("ntc-kind"),
            t.t("ntc-subject"),
            t.t("ntc-due-on"),
            t.t("ntc-lead-days"),
        ],
        rows,
        t.t("ntc-no-notifications"),
    ));
    Ok(page.page())
}

/// The subscription form, with what was typed.
fn subscription_form(f: &Frame, kinds: &[String], typed: &dyn Fn(&str) -> String) -> Sheet {
    let t = f.t;
    let mut page = Sheet::new(f.clone(), t.t("ntc-new"));
    page.lead.push(t.t("ntc-new-lead"));
    let field = |name: &'static str, id: &str| {
        Field::text(name, t.t(id), t.t(&format!("{id}-rule")), typed(name))
    };
    let mut kinds_field = field("kinds", "ntc-kinds").required().kind("checks");
    kinds_field.options = Opt::list(
        NOTICE_KINDS
            .iter()
            .map(|k| ((*k).to_owned(), kind(f, k)))
            .collect(),
        kinds,
    );
    let roles = std::iter::once((String::new(), t.t("ntc-no-role")))
        .chain(
            ["admin", "issuer", "finance", "auditor", "member-manager"]
                .map(|r| (r.to_owned(), r.to_owned())),
        )
        .collect();
    let mut form = Form::post(
        "subscription",
        "/notice-subscriptions",
        vec![
            kinds_field,
            field("email", "ntc-email").kind("email"),
            field("webhook_url", "ntc-webhook").kind("url"),
            field("role", "ntc-role").select(roles),
        ],
        t.t("ntc-subscribe"),
    );
    form.cancel = Some(Action::new("/notices", t.t("sheet-cancel")));
    page.forms.push(form);
    page
}

/// `GET /notice-subscriptions/new`.
async fn new_subscription(v: Viewer) -> PageResult {
    let f = frame(&v);
    Ok(subscription_form(&f, &[], &|_| String::new()).page())
}

/// The subscription a form asks for.
fn posted_subscription(form: &Posted) -> Result<NewSubscription, ApiError> {
    let role = match form.opt("role") {
        None => None,
        Some(text) => Some(Role::parse(&text).ok_or_else(|| {
            ApiError::invalid(format!(
                "'role' is admin, issuer, finance, auditor or member-manager, not '{text}'"
            ))
        })?),
    };
    Ok(NewSubscription {
        kinds: form.all("kinds"),
        webhook_url: form.opt("webhook_url"),
        email: form.opt("email"),
        role,
    })
}

/// `POST /notice-subscriptions`: back to the list (or, for a webhook, a
/// page showing its signing secret, shown only this once); refused, the
/// form again with the rule and what was typed.
async fn create_subscription(State(s): State<AppState>, v: Viewer, form: Posted) -> PageResult {
    let f = frame(&v);
    let t = f.t;
    let made = async {
        let new = posted_subscription(&form)?;
        let (sub, secret) = notices::new_subscription(&s, &v.staff, &new).await?;
        let made = s
            .store
            .create_notice_subscription(sub, secret.clone(), None)
            .await?
            .unkeyed()?;
        Ok::<_, ApiError>((made, secret))
    };
    match made.await {
        Ok((_, None)) => Ok(Redirect::to("/notices").into_response()),
        Ok((sub, Some(secret))) => {
            let mut page = Sheet::new(f.clone(), t.t("ntc-made"));
            page.done = Some(target(&f, &sub));
            page.notice = Some(t.t("ntc-secret-once"));
            page.terms = vec![(t.t("ntc-secret"), secret)];
            page.actions = vec![Action::new("/notices", t.t("ntc-back"))];
            Ok(page.status(StatusCode::CREATED))
        }
        Err(e) => {
            let kinds = form.all("kinds");
            let typed = |name: &str| form.get(name);
            Ok(redraw(&f, e, || subscription_form(&f, &kinds, &typed)))
        }
    }
}

/// The deletion's confirmation, saying what it does.
fn delete_page(f: &Frame, sub: &NoticeSubscription) -> Sheet {
    let t = f.t;
    let terms = vec![
        (t.t("ntc-target"), target(f, sub)),
        (
            t.t("ntc-kinds"),
            sub.kinds
                .iter()
                .map(|k| kind(f, k))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ];
    let form = Form::confirm(
        f,
        format!("/notice-subscriptions/{}/delete", sub.id),
        Vec::new(),
        t.t("ntc-delete-button"),
        "/notices",
    );
    let mut page = Sheet::confirm(
        f.clone(),
        t.t("ntc-delete-title"),
        t.t("ntc-delete-what"),
        form,
    );
    page.terms = terms;
    page
}

/// `GET /notice-subscriptions/{id}/delete`.
async fn confirm_delete(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let f = frame(&v);
    let sub = s.store.notice_subscription(&id).await.or_refuse(&f)?;
    Ok(delete_page(&f, &sub).page())
}

/// `POST /notice-subscriptions/{id}/delete`: deleted, its pending
/// deliveries cancelled; back to the list.
async fn delete(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let f = frame(&v);
    match notices::delete_subscription(&s, &v.staff, &id).await {
        Ok(()) => Ok(Redirect::to("/notices").into_response()),
        Err(e) => {
            let sub = s.store.notice_subscription(&id).await.or_refuse(&f)?;
            Ok(redraw(&f, e, || delete_page(&f, &sub)))
        }
    }
}

/// Where a delivery stands, in words: delivered when, retried when, or
/// given up.
fn standing(f: &Frame, d: &Delivery) -> String {
    let t = f.t;
    match d.status.as_str() {
        "delivered" => t.t1(
            "ntc-delivered",
            "when",
            d.delivered_at.map(|at| t.time(at)).unwrap_or_default(),
        ),
        "pending" if d.attempts == 0 => t.t("ntc-pending-first"),
        "pending" => t.t1("ntc-retry-at", "when", t.time(d.next_attempt_at)),
        "failed" => t.t("ntc-failed"),
        "cancelled" => t.t("ntc-cancelled"),
        other => other.to_owned(),
    }
}

/// `GET /notifications/{id}`: the notification, its deliveries and every
/// attempt.
async fn notification(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let f = frame(&v);
    let t = f.t;
    let n = s.store.notification(&id).await.or_refuse(&f)?;
    let deliveries = s.store.deliveries(&id).await.or_refuse(&f)?;
    let subs = notices::list_subscriptions(&s, &v.staff, None, ROWS)
        .await
        .unwrap_or_default();
    let to = |sub_id: &str| {
        subs.iter()
            .find(|x| x.id == sub_id)
            .map_or_else(|| sub_id.to_owned(), |x| target(&f, x))
    };
    let mut page = Sheet::new(
        f.clone(),
        t.t1("ntc-notification-title", "kind", kind(&f, &n.kind)),
    );
    page.actions = vec![Action::new("/notices", t.t("ntc-back"))];
    page.terms = vec![
        (t.t("ntc-kind"), kind(&f, &n.kind)),
        (t.t("ntc-subject"), n.subject.clone()),
        (t.t("ntc-due-on"), n.due_on.clone()),
        (t.t("ntc-lead-days"), n.lead_days.to_string()),
        (t.t("ntc-run-date"), n.run_date.clone()),
        (t.t("ntc-written"), t.time(n.created_at)),
        (t.t("cat-id"), n.id.clone()),
    ];
    let rows = deliveries
        .iter()
        .map(|d| {
            vec![
                Cell::text(to(&d.subscription_id)),
                Cell::text(t.t(&format!("ntc-status-{}", d.status))),
                Cell::text(standing(&f, d)),
                Cell::num(d.attempts),
                Cell::text(d.last_error.clone().unwrap_or_default()),
            ]
        })
        .collect();
    page.tables.push(Table::new(
        t.t("ntc-deliveries"),
        vec![
            t.t("ntc-target"),
            t.t("ntc-status"),
            t.t("ntc-retry"),
            t.t("ntc-attempts"),
            t.t("ntc-last-error"),
        ],
        rows,
        t.t("ntc-no-deliveries"),
    ));
    let rows = deliveries
        .iter()
        .flat_map(|d| {
            d.log.iter().map(|a| {
                vec![
                    Cell::text(to(&d.subscription_id)),
                    Cell::num(a.attempt),
                    Cell::text(t.time(a.at)),
                    Cell::text(a.status_code.map(|c| c.to_string()).unwrap_or_default()),
                    Cell::text(a.error.clone().unwrap_or_else(|| t.t("ntc-ok"))),
                    Cell::text(a.next_attempt_at.map(|at| t.time(at)).unwrap_or_default()),
                ]
            })
        })
        .collect();
    page.tables.push(Table::new(
        t.t("ntc-attempts-title"),
        vec![
            t.t("ntc-target"),
            t.t("ntc-attempt"),
            t.t("ntc-at"),
            t.t("ntc-code"),
            t.t("ntc-error"),
            t.t("ntc-next"),
        ],
        rows,
        t.t("ntc-no-attempts"),
    ));
    Ok(page.page())
}

#[cfg(test)]
mod tests {

    #[test]
    fn every_notice_kind_status_and_field_is_said() {
        let kinds = crate::store::NOTICE_KINDS
            .iter()
            .map(|k| format!("ntc-kind-{}", k.replace('.', "-")));
        let statuses =
            ["pending", "delivered", "failed", "cancelled"].map(|s| format!("ntc-status-{s}"));
        let fields = ["kinds", "email", "webhook", "role"].map(|f| format!("ntc-{f}-rule"));
        crate::console::sheet::assert_said(kinds.chain(statuses).chain(fields));
    }
}
