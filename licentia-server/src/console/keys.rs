//! The signing keys (admin only): the active key, the trusted ones and the
//! retired ones; rotating and retiring, each through a page that says what
//! changes for products in the field; the public key (PEM) and the
//! rollover statement to download.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::frame::{Frame, OrRefuse, PageResult, Params, Viewer};
use super::sheet::{redraw, Action, Cell, Form, Posted, Sheet, Table};
use super::{Page, PageAccess};
use crate::error::ApiError;
use crate::service::keys;
use crate::store::{KeyRecord, Role};
use crate::AppState;

pub(super) fn pages() -> Vec<Page> {
    use PageAccess::Signed;
    vec![
        Page::get("/keys", Signed, list),
        Page::get("/keys/rotate", Signed, confirm_rotate),
        Page::post("/keys/rotate", Signed, rotate),
        Page::get("/keys/retire", Signed, confirm_retire),
        Page::post("/keys/retire", Signed, retire),
        Page::get("/keys/public.pem", Signed, public_pem),
        Page::get("/keys/rollover.txt", Signed, rollover),
    ]
}

/// The frame of a keys page, once the viewer is known to be an admin
/// (403, naming the rule, otherwise).
fn admin(v: &Viewer) -> Result<Frame, Response> {
    let f = v.frame.at("keys");
    v.staff
        .allow(&[Role::Admin])
        .map_err(|_| ApiError::forbidden("the signing keys are the admin role's only"))
        .or_refuse(&f)?;
    Ok(f)
}

/// Which key a page is about (none: the active one).
#[derive(Deserialize, Default)]
struct Which {
    #[serde(default)]
    key: String,
    /// The key just made (after a rotation) or retired.
    #[serde(default)]
    done: String,
}

/// The keys not retired, then the retired ones' ids.
async fn all_keys(s: &AppState) -> Result<(Vec<KeyRecord>, Vec<String>), ApiError> {
    Ok((s.store.signing_keys().await?, s.store.retired_keys().await?))
}

/// `GET /keys`.
async fn list(State(s): State<AppState>, v: Viewer, Params(q): Params<Which>) -> PageResult {
    let f = admin(&v)?;
    let t = f.t;
    let (live, retired) = all_keys(&s).await.or_refuse(&f)?;
    let mut page = Sheet::new(f.clone(), t.t("keys-title"));
    page.lead.push(t.t("keys-lead"));
    if !q.done.is_empty() {
        page.done = Some(t.t1("keys-done", "key", &q.done));
    }
    page.actions = vec![
        Action::new("/keys/rotate", t.t("keys-rotate")).primary(),
        Action::new("/keys/public.pem", t.t("keys-download-active")),
    ];
    let mut rows: Vec<Vec<Cell>> = live
        .iter()
        .map(|k| {
            let retire = if k.state == "active" {
                Cell::text(t.t("keys-signs-now"))
            } else {
                Cell::link(t.t("keys-retire"), format!("/keys/retire?key={}", k.key_id))
            };
            vec![
                Cell::text(&k.key_id),
                Cell::text(t.t(&format!("keys-state-{}", k.state))),
                Cell::text(t.date(k.created_at)),
                Cell::link(
                    t.t("keys-pem"),
                    format!("/keys/public.pem?key={}", k.key_id),
                ),
                match k.rollover {
                    Some(_) => Cell::link(
                        t.t("keys-statement"),
                        format!("/keys/rollover.txt?key={}", k.key_id),
                    ),
                    None => Cell::text(t.t("keys-first")),
                },
                retire,
            ]
        })
        .collect();
    rows.extend(retired.iter().map(|id| {
        vec![
            Cell::text(id),
            Cell::text(t.t("keys-state-retired")),
            Cell::text("—"),
            Cell::text("—"),
            Cell::text("—"),
            Cell::text(t.t("keys-retired-final")),
        ]
    }));
    page.tables.push(Table::new(
        t.n("keys-count", rows.len() as i64),
        vec![
            t.t("keys-id"),
            t.t("keys-state"),
            t.t("cat-created"),
            t.t("keys-public"),
            t.t("keys-rollover"),
            t.t("keys-action"),
        ],
        rows,
        t.t("cat-none"),
    ));
    Ok(page.page())
}

/// The rotation's confirmation, with what changes for products.
fn rotate_page(f: &Frame, active: &str) -> Sheet {
    let t = f.t;
    let mut page = Sheet::new(f.clone(), t.t("keys-rotate"));
    let mut form = Form::post(
        "rotate",
        "/keys/rotate",
        Vec::new(),
        t.t("keys-rotate-button"),
    );
    form.lead = vec![
        t.t1("keys-rotate-what", "key", active),
        t.t("keys-rotate-field"),
        t.t("keys-rotate-old"),
    ];
    form.cancel = Some(Action::new("/keys", t.t("sheet-cancel")));
    page.forms.push(form);
    page
}

/// The active key's id.
fn active_of(keys: &[KeyRecord]) -> String {
    keys.iter()
        .find(|k| k.state == "active")
        .map(|k| k.key_id.clone())
        .unwrap_or_default()
}

/// `GET /keys/rotate`: what a rotation does, before it is done.
async fn confirm_rotate(State(s): State<AppState>, v: Viewer) -> PageResult {
    let f = admin(&v)?;
    let (live, _) = all_keys(&s).await.or_refuse(&f)?;
    Ok(rotate_page(&f, &active_of(&live)).page())
}

/// `POST /keys/rotate`: a new active key; back to the list, which names it.
async fn rotate(State(s): State<AppState>, v: Viewer) -> PageResult {
    let f = admin(&v)?;
    match keys::rotate(&s, &v.staff).await {
        Ok(now) => Ok(Redirect::to(&format!("/keys?done={}", active_of(&now))).into_response()),
        Err(e) => {
            let (live, _) = all_keys(&s).await.or_refuse(&f)?;
            Ok(redraw(&f, e, || rotate_page(&f, &active_of(&live))))
        }
    }
}

/// The retirement's confirmation, with what changes for products.
fn retire_page(f: &Frame, key: &str) -> Sheet {
    let t = f.t;
    let mut form = Form::confirm(
        f,
        "/keys/retire",
        vec![("key".into(), key.into())],
        t.t("keys-retire-button"),
        "/keys",
    );
    form.lead.push(t.t("keys-retire-final-note"));
    Sheet::confirm(
        f.clone(),
        t.t1("keys-retire-title", "key", key),
        t.t("keys-retire-what"),
        form,
    )
}

/// `GET /keys/retire?key=ID`: what retiring the key does, before it is done.
async fn confirm_retire(
    State(s): State<AppState>,
    v: Viewer,
    Params(q): Params<Which>,
) -> PageResult {
    let f = admin(&v)?;
    let (live, _) = all_keys(&s).await.or_refuse(&f)?;
    let key = live
        .iter()
        .find(|k| k.key_id == q.key)
        .ok_or_else(|| ApiError::not_found("signing key"))
        .or_refuse(&f)?;
    let mut page = retire_page(&f, &key.key_id);
    if key.state == "active" {
        let e = ApiError::invalid(
            "the active key cannot be retired: rotate first, then retire the old key",
        );
        page.forms = page
            .forms
            .into_iter()
            .map(|form| form.refused(&f.t, &e))
            .collect();
    }
    Ok(page.page())
}

/// `POST /keys/retire`: the key retired; back to the list.
async fn retire(State(s): State<AppState>, v: Viewer, form: Posted) -> PageResult {
    let f = admin(&v)?;
    let key = form.get("key");
    match keys::retire(&s, &v.staff, &key).await {
        Ok(()) => Ok(Redirect::to(&format!("/keys?done={key}")).into_response()),
        Err(e) => Ok(redraw(&f, e, || retire_page(&f, &key))),
    }
}

/// The key asked for (none: the active one), among those not retired.
async fn chosen(s: &AppState, f: &Frame, key: &str) -> Result<KeyRecord, Response> {
    let (live, _) = all_keys(s).await.or_refuse(f)?;
    live.into_iter()
        .find(|k| {
            if key.is_empty() {
                k.state == "active"
            } else {
                k.key_id == key
            }
        })
        .ok_or_else(|| ApiError::not_found("signing key"))
        .or_refuse(f)
}

/// A text file to download.
fn download(text: String, kind: &'static str, name: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        text,
    )
        .into_response()
}

/// `GET /keys/public.pem?key=ID`: the key's public half (SPKI PEM).
async fn public_pem(State(s): State<AppState>, v: Viewer, Params(q): Params<Which>) -> PageResult {
    let f = admin(&v)?;
    let key = chosen(&s, &f, &q.key).await?;
    Ok(download(
        key.public_pem,
        "application/x-pem-file",
        format!("licentia-{}.pem", key.key_id),
    ))
}

/// `GET /keys/rollover.txt?key=ID`: the statement by which the key before
/// it endorses the key.
async fn rollover(State(s): State<AppState>, v: Viewer, Params(q): Params<Which>) -> PageResult {
    let f = admin(&v)?;
    let key = chosen(&s, &f, &q.key).await?;
    let text = key
        .rollover
        .ok_or_else(|| ApiError::not_found("rollover statement (the first key has none)"))
        .or_refuse(&f)?;
    Ok(download(
        text,
        "text/plain; charset=utf-8",
        format!("licentia-rollover-{}.txt", key.key_id),
    ))
}

#[cfg(test)]
mod tests {

    #[test]
    fn every_key_state_is_said() {
        crate::console::sheet::assert_said(
            ["active", "trusted", "retired"].map(|s| format!("keys-state-{s}")),
        );
    }
}
