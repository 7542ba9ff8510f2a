//! A temporary licence for a machine that died (FlexNet's outage case),
//! within the policy's quota.

use super::*;

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
pub(super) async fn temporary_form(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let f = v.frame.at("licenses");
    let l = s.store.license(&id).await.or_refuse(&f)?;
    Ok(render(&temporary_page(&s, &f, &l, "", None).await?))
}

/// `POST /licenses/{id}/temporary`.
pub(super) async fn temporary(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let f = v.frame.at("licenses");
    let fields = Fields::read(&body);
    let typed = fields.get("fingerprint");
    let l = s.store.license(&id).await.or_refuse(&f)?;
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
