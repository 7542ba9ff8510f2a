//! A node of the customer tree edited (its name, e-mail and reference) or
//! retired, behind a confirm page that says what retiring does; both are
//! [`customers::edit`] and [`customers::retire`], as the API's.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::Value;

use super::frame::{Frame, OrRefuse, PageResult, Viewer};
use super::sheet::{redraw, Action, Field, Form, Posted, Sheet};
use super::{Page, PageAccess};
use crate::api::WRITERS;
use crate::service::changes::Changes;
use crate::service::customers::{self, NewCustomer};
use crate::store::Customer;
use crate::AppState;

pub(super) fn pages() -> Vec<Page> {
    use PageAccess::Signed;
    vec![
        Page::get("/customers/{id}/edit", Signed, edit_form),
        Page::post("/customers/{id}/edit", Signed, edit),
        Page::get("/customers/{id}/retire", Signed, confirm_retire),
        Page::post("/customers/{id}/retire", Signed, retire),
    ]
}

/// The section of the navigation these pages belong to.
const SECTION: &str = "customers";

/// The fields a person changes, as typed.
struct Typed {
    name: String,
    email: String,
    external_ref: String,
}

impl Typed {
    fn of(c: &Customer) -> Typed {
        Typed {
            name: c.name.clone(),
            email: c.email.clone().unwrap_or_default(),
            external_ref: c.external_ref.clone().unwrap_or_default(),
        }
    }

    /// The change the API would be asked for: an empty field clears it.
    fn changes(&self) -> Changes<NewCustomer> {
        let text = |v: &str| match v.trim() {
            "" => Value::Null,
            v => Value::String(v.to_owned()),
        };
        Changes::new(
            [
                ("name".to_owned(), Value::String(self.name.clone())),
                ("email".to_owned(), text(&self.email)),
                ("external_ref".to_owned(), text(&self.external_ref)),
            ]
            .into_iter()
            .collect(),
        )
    }
}

/// The edit form of node `id`, called `name`, with what was typed.
fn edit_sheet(f: &Frame, id: &str, name: &str, typed: &Typed) -> Sheet {
    let t = f.t;
    let mut page = Sheet::new(f.clone(), t.t1("node-edit-title", "name", name));
    page.lead.push(t.t("node-edit-lead"));
    let fields = vec![
        Field::text(
            "name",
            t.t("field-name"),
            t.t("node-name-rule"),
            typed.name.clone(),
        )
        .required(),
        Field::text(
            "email",
            t.t("field-email"),
            t.t("node-email-rule"),
            typed.email.clone(),
        ),
        Field::text(
            "external_ref",
            t.t("field-external-ref"),
            t.t("node-ref-rule"),
            typed.external_ref.clone(),
        ),
    ];
    let mut form = Form::post(
        "node",
        format!("/customers/{id}/edit"),
        fields,
        t.t("cat-save"),
    );
    form.cancel = Some(Action::new(format!("/customers/{id}"), t.t("sheet-cancel")));
    page.forms.push(form);
    page
}

/// The node `id`, when the person may change it (a refusal page otherwise:
/// outside their grants, it is not there).
async fn changeable(s: &AppState, v: &Viewer, f: &Frame, id: &str) -> Result<Customer, Response> {
    let c = s.store.customer(id).await.or_refuse(f)?;
    v.staff
        .allow_at(s, WRITERS, Some(&c.id))
        .await
        .or_refuse(f)?;
    Ok(c)
}

/// `GET /customers/{id}/edit`.
async fn edit_form(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let f = v.frame.at(SECTION);
    let c = changeable(&s, &v, &f, &id).await?;
    Ok(edit_sheet(&f, &c.id, &c.name, &Typed::of(&c)).page())
}

/// `POST /customers/{id}/edit`: the node's page, or the form again with
/// the rule that refused it.
async fn edit(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    form: Posted,
) -> PageResult {
    let f = v.frame.at(SECTION);
    let typed = Typed {
        name: form.get("name"),
        email: form.get("email"),
        external_ref: form.get("external_ref"),
    };
    match customers::edit(&s, &v.staff, &id, &typed.changes()).await {
        Ok(c) => Ok(Redirect::to(&format!("/customers/{}?done=edited", c.id)).into_response()),
        Err(e) => Ok(redraw(&f, e, || edit_sheet(&f, &id, &typed.name, &typed))),
    }
}

/// `GET /customers/{id}/retire`: what retiring the node does.
async fn confirm_retire(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let f = v.frame.at(SECTION);
    let c = changeable(&s, &v, &f, &id).await?;
    let t = f.t;
    let here = format!("/customers/{}", c.id);
    let form = Form::confirm(
        &f,
        format!("{here}/retire"),
        Vec::new(),
        t.t("cat-retire"),
        &here,
    );
    let title = t.t1("cat-retire-title", "name", &c.name);
    let what = t.t1("node-retire-what", "name", &c.name);
    Ok(Sheet::confirm(f, title, what, form).page())
}

/// `POST /customers/{id}/retire`: the node's page, marked retired; a
/// refusal (nodes under it still in use) is its own page, with the rule.
async fn retire(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let f = v.frame.at(SECTION);
    customers::retire(&s, &v.staff, &id).await.or_refuse(&f)?;
    Ok(Redirect::to(&format!("/customers/{id}?done=retired")).into_response())
}
