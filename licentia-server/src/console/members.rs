//! Members: a node's named users, listed on the node's page and added
//! there (with a service from the node's default plan unless unticked,
//! refused when the node has no free seat); a member's page, with its
//! service unassigned or the member deleted behind confirm pages.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::customers::{notice, refused_on_node, Done, NodeForms};
use super::frame::{refusal, render, Frame, OrRefuse, PageResult, Params, Viewer};
use super::i18n::Tr;
use super::sheet::{self, Sheet};
use super::{Page, PageAccess};
use crate::api::MEMBER_WRITERS;
use crate::error::{ApiError, ApiResult};
use crate::service::members::{self, MemberRequest};
use crate::store::{DefaultPlan, Member, Rows};
use crate::AppState;

pub(super) fn pages() -> Vec<Page> {
    use PageAccess::Signed;
    vec![
        Page::post("/customers/{id}/members", Signed, add),
        Page::get("/members/{id}", Signed, show),
        Page::get("/members/{id}/unassign", Signed, confirm_unassign),
        Page::post("/members/{id}/unassign", Signed, unassign),
        Page::get("/members/{id}/delete", Signed, confirm_delete),
        Page::post("/members/{id}/delete", Signed, delete),
    ]
}

/// One member, as the node's list draws it.
pub(crate) struct MemberLine {
    pub href: String,
    pub name: String,
    pub email: String,
    /// The service's plan ("" without one).
    pub service: String,
    pub options: String,
    /// The service is the node's default plan's.
    pub default: bool,
}

/// A page of `members` as lines, each starred when its service is the node's star
/// (`star`: its plan, or its subscription).
pub(crate) async fn member_lines(
    s: &AppState,
    t: &Tr,
    members: Rows<Member>,
    star: Option<&DefaultPlan>,
) -> ApiResult<Rows<MemberLine>> {
    let (next, prev) = (members.next.clone(), members.prev.clone());
    let members = members.items;
    let mut plans = std::collections::HashMap::new();
    let mut lines = Vec::with_capacity(members.len());
    for m in members {
        let starred = match star {
            Some(DefaultPlan {
                subscription_id: Some(sub),
                ..
            }) => m.subscription_id.as_ref() == Some(sub),
            Some(star) => m.subscription_id.is_none() && m.plan_id.as_ref() == Some(&star.plan_id),
            None => false,
        };
        let service = match &m.plan_id {
            Some(p) => {
                if !plans.contains_key(p) {
                    let name = s.store.plan(p).await.map_or_else(|_| p.clone(), |p| p.name);
                    plans.insert(p.clone(), name);
                }
                plans[p].clone()
            }
            None => t.t("no-service"),
        };
        lines.push(MemberLine {
            href: format!("/members/{}", m.id),
            default: m.license_id.is_some() && starred,
            name: m.name,
            email: m.email,
            service,
            options: m.options.join(", "),
        });
    }
    Ok(Rows {
        items: lines,
        next,
        prev,
    })
}

/// What the add-member form holds.
#[derive(Deserialize, Default, Clone)]
pub(crate) struct MemberForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    /// Ticked (any value): a service from the node's default plan.
    #[serde(default)]
    pub service: String,
}

/// `POST /customers/{id}/members`: a new member, with a service from the
/// node's default plan unless unticked.
async fn add(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Form(form): Form<MemberForm>,
) -> Response {
    let request = MemberRequest {
        name: form.name.trim().to_owned(),
        email: form.email.clone(),
        service: form.service.is_empty().then_some(false),
        ..MemberRequest::default()
    };
    match members::create(&s, &v.staff, &id, &request).await {
        Ok(_) => Redirect::to(&format!("/customers/{id}?done=member")).into_response(),
        Err(e) => {
            let forms = NodeForms {
                member: form,
                ..NodeForms::default()
            };
            refused_on_node(&s, &v, &id, e, forms).await
        }
    }
}

#[derive(Template)]
#[template(path = "console/member.html")]
struct MemberPage {
    f: Frame,
    id: String,
    name: String,
    email: String,
    node: (String, String),
    service: Option<String>,
    options: String,
    license: Option<String>,
    since: String,
    notice: Option<String>,
    may_change: bool,
}

/// `GET /members/{id}`.
async fn show(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Params(done): Params<Done>,
) -> PageResult {
    let f = v.frame.at("customers");
    let m = s.store.member(&id).await.or_refuse(&f)?;
    let node = s.store.customer(&m.customer_id).await.or_refuse(&f)?;
    let service = match &m.plan_id {
        Some(p) => Some(s.store.plan(p).await.map_or_else(|_| p.clone(), |p| p.name)),
        None => None,
    };
    let here = v.staff.placement();
    let page = MemberPage {
        notice: notice(&f.t, &done),
        may_change: v.staff.holding(MEMBER_WRITERS, &here).next().is_some(),
        since: f.t.date(m.created_at),
        id: m.id,
        name: m.name,
        email: m.email,
        node: (format!("/customers/{}", node.id), node.name),
        service,
        options: m.options.join(", "),
        license: m.license_id,
        f,
    };
    Ok(render(&page))
}

/// The member, if the person may change it (403 naming the rule).
async fn changeable(s: &AppState, v: &Viewer, id: &str) -> ApiResult<Member> {
    v.staff.allow(MEMBER_WRITERS)?;
    Ok(s.store.member(id).await?)
}

/// `GET /members/{id}/unassign`: what unassigning the service will do.
async fn confirm_unassign(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let f = v.frame.at("customers");
    let m = changeable(&s, &v, &id).await.or_refuse(&f)?;
    if m.license_id.is_none() {
        return Err(refusal(
            &f,
            ApiError::conflict("no_service", "this member holds no service"),
        ));
    }
    let form = sheet::Form::confirm(
        &f,
        format!("/members/{id}/unassign"),
        Vec::new(),
        f.t.t("unassign-service"),
        format!("/members/{id}"),
    );
    let title = f.t.t("confirm-unassign");
    let what = f.t.t1("confirm-unassign-what", "name", &m.name);
    Ok(Sheet::confirm(f, title, what, form).page())
}

/// `POST /members/{id}/unassign`: the service's license revoked, its seat
/// freed.
async fn unassign(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let f = v.frame.at("customers");
    changeable(&s, &v, &id).await.or_refuse(&f)?;
    s.store
        .unassign_service(&id, &v.staff.actor())
        .await
        .or_refuse(&f)?;
    Ok(Redirect::to(&format!("/members/{id}?done=unassigned")).into_response())
}

/// `GET /members/{id}/delete`: what deleting the member will do.
async fn confirm_delete(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let f = v.frame.at("customers");
    let m = changeable(&s, &v, &id).await.or_refuse(&f)?;
    let what = if m.license_id.is_some() {
        f.t.t1("confirm-delete-member-service", "name", &m.name)
    } else {
        f.t.t1("confirm-delete-member-what", "name", &m.name)
    };
    let form = sheet::Form::confirm(
        &f,
        format!("/members/{id}/delete"),
        Vec::new(),
        f.t.t("delete-member"),
        format!("/members/{id}"),
    );
    let title = f.t.t("confirm-delete-member");
    Ok(Sheet::confirm(f, title, what, form).page())
}

/// `POST /members/{id}/delete`: the member deleted (its service unassigned
/// first); back to its node.
async fn delete(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let f = v.frame.at("customers");
    changeable(&s, &v, &id).await.or_refuse(&f)?;
    let gone = s
        .store
        .delete_member(&id, &v.staff.actor())
        .await
        .or_refuse(&f)?;
    Ok(Redirect::to(&format!("/customers/{}?done=deleted", gone.customer_id)).into_response())
}
