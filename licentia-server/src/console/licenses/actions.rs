//! What is done to a licence: suspend, reinstate, revoke, a machine
//! deactivated, a renewal — each through a page that says what happens.

use super::*;
use crate::console::sheet::{Field, Form, Sheet};

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
pub(super) fn status_pages(name: &'static str, tr: Transition) -> [Page; 2] {
    let path: &'static str = match name {
        "suspend" => "/licenses/{id}/suspend",
        "reinstate" => "/licenses/{id}/reinstate",
        _ => "/licenses/{id}/revoke",
    };
    let confirm = move |State(s): State<AppState>, v: Viewer, Path(id): Path<String>| async move {
        let f = v.frame.at("licenses");
        let l = s.store.license(&id).await.or_refuse(&f)?;
        Ok::<_, Response>(status_confirm(&f, name, &l, String::new(), None))
    };
    let post = move |State(s): State<AppState>, v: Viewer, Path(id): Path<String>, body: Bytes| async move {
        let f = v.frame.at("licenses");
        let fields = Fields::read(&body);
        let reason = fields.opt("reason");
        match tr.apply(&s, &v.staff, &id, reason.clone()).await {
            Ok(_) => Ok::<_, Response>(see(&format!("/licenses/{id}"))),
            Err(e) => {
                let l = s.store.license(&id).await.or_refuse(&f)?;
                let refused = Refused::of(&f, e);
                Ok(status_confirm(
                    &f,
                    name,
                    &l,
                    reason.unwrap_or_default(),
                    Some(refused),
                ))
            }
        }
    };
    [
        Page::get(path, PageAccess::Signed, confirm),
        Page::post(path, PageAccess::Signed, post),
    ]
}

/// The confirmation of a change to a licence or a machine: which one
/// (`subject`), what will happen, the form (with the refusal it met, in
/// the refusal's status).
fn confirmation(
    f: &Frame,
    title: String,
    subject: String,
    what: String,
    mut form: Form,
    refusal: Option<Refused>,
) -> Response {
    let status = refusal.as_ref().map(|r| r.status);
    form.refused = refusal.map(|r| {
        let status = f.t.t1("refusal-status", "status", r.status.as_u16());
        format!("{} ({status})", r.detail)
    });
    let mut page = Sheet::confirm(f.clone(), title, what, form);
    page.lead.push(subject);
    render_as(&page, status)
}

fn status_confirm(
    f: &Frame,
    name: &str,
    l: &LicenseRecord,
    reason: String,
    refusal: Option<Refused>,
) -> Response {
    let t = f.t;
    let (title, what, button, danger) = status_words(f, name);
    let mut form = Form::confirm(
        f,
        format!("/licenses/{}/{name}", l.id),
        Vec::new(),
        button,
        format!("/licenses/{}", l.id),
    );
    form.danger = danger;
    form.fields.push(Field::text(
        "reason",
        t.t("field-reason"),
        String::new(),
        reason,
    ));
    let subject = t.t1("license-of", "licensee", &l.licensee);
    confirmation(f, title, subject, what, form, refusal)
}

fn deactivate_page(f: &Frame, a: &Activation, refusal: Option<Refused>) -> Response {
    let t = f.t;
    let form = Form::confirm(
        f,
        format!("/activations/{}/deactivate", a.id),
        Vec::new(),
        t.t("action-deactivate"),
        format!("/licenses/{}", a.license_id),
    );
    confirmation(
        f,
        t.t("confirm-deactivate-title"),
        t.t1("machine-named", "fingerprint", short(&a.fingerprint)),
        t.t("confirm-deactivate-what"),
        form,
        refusal,
    )
}

/// `GET /activations/{id}/deactivate`: what deactivating this machine does.
pub(super) async fn deactivate_confirm(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let f = v.frame.at("licenses");
    let a = s.store.activation(&id).await.or_refuse(&f)?;
    Ok(deactivate_page(&f, &a, None))
}

/// `POST /activations/{id}/deactivate`: the machine's seat is freed.
pub(super) async fn deactivate(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let f = v.frame.at("licenses");
    let a = s.store.activation(&id).await.or_refuse(&f)?;
    match activations::deactivate(&s, Some(&v.staff), None, &id).await {
        Ok(a) => Ok(see(&format!("/licenses/{}", a.license_id))),
        Err(e) => Ok(deactivate_page(&f, &a, Some(Refused::of(&f, e)))),
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
    /// Whether a new expiry must be given (a perpetual license may renew
    /// its maintenance only).
    expires_required: bool,
    soft_expiry: String,
    /// The new end of maintenance typed.
    updates_until: String,
    token_mode: bool,
    activations: Vec<Choice>,
    /// The licence's machines page, when it has more machines than offered.
    more_machines: Option<String>,
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
    // The latest machines are offered; any other is chosen from the
    // licence's machines page, which links here with its id.
    let latest = s
        .store
        .list_activations(&l.id, Window::first(RENEW_CHOICES))
        .await
        .or_refuse(f)?;
    let more_machines = latest
        .next
        .is_some()
        .then(|| format!("/licenses/{}/machines", l.id));
    let mut machines = latest.items;
    if let Some(chosen) = fields.opt("activation_id") {
        if !machines.iter().any(|a| a.id == chosen) {
            if let Ok(a) = s.store.activation(&chosen).await {
                machines.insert(0, a);
            }
        }
    }
    let online: Vec<(String, String)> = machines
        .into_iter()
        .filter(|a| a.license_id == l.id && renewable(a))
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
        expires_required: l.expires_at.is_some(),
        soft_expiry: fields.get("soft_expiry").to_owned(),
        updates_until: fields.get("updates_until").to_owned(),
        token_mode: fields.get("mode") == "token",
        activations: select(f.t.t("own-file"), &online, fields.get("activation_id")),
        more_machines,
        refusal,
        token: None,
    })
}

/// How many of a licence's latest machines the renew form offers.
const RENEW_CHOICES: i64 = 50;

/// Whether a machine's own file may be renewed: an online activation still
/// live.
pub(super) fn renewable(a: &Activation) -> bool {
    a.mode == "online" && a.deactivated_at.is_none()
}

/// `GET /licenses/{id}/renew`: a new end date, as a new file or a token;
/// `?activation_id=` chooses the machine whose file is renewed.
pub(super) async fn renew_form(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> PageResult {
    let f = v.frame.at("licenses");
    let l = s.store.license(&id).await.or_refuse(&f)?;
    let chosen = Fields::read(query.unwrap_or_default().as_bytes());
    let page = renew_page(&s, &f, &l, &chosen, None).await?;
    Ok(render(&page))
}

/// `POST /licenses/{id}/renew`.
pub(super) async fn renew(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let f = v.frame.at("licenses");
    let fields = Fields::read(&body);
    let l = s.store.license(&id).await.or_refuse(&f)?;
    let req = RenewRequest {
        expires: fields.opt("expires"),
        soft_expiry: fields.opt("soft_expiry"),
        updates_until: fields.opt("updates_until"),
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
