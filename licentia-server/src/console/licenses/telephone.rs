//! Activation by telephone: the request code a caller reads from a machine
//! with no network and no USB, and the answer code to read back, in big
//! groups (and as a QR code, for a phone to carry).

use super::*;
use crate::service::telephone::{self, TypedAnswered};

#[derive(Template)]
#[template(path = "console/license_telephone.html")]
struct TelephonePage {
    f: Frame,
    id: String,
    subject: String,
    /// The request code, as typed (kept on a refusal).
    code: String,
    valid_days: String,
    idem: String,
    refusal: Option<Refused>,
    answer: Option<Answer>,
}

/// An answer code, drawn.
struct Answer {
    /// Its groups of five characters.
    groups: Vec<String>,
    /// The day the machine stops accepting it.
    ends: String,
    /// The code as a QR code (SVG).
    qr: String,
}

fn page(f: &Frame, l: &LicenseRecord, fields: &Fields) -> TelephonePage {
    TelephonePage {
        f: f.clone(),
        id: l.id.clone(),
        subject: f.t.t1("license-of", "licensee", &l.licensee),
        code: fields.get("code").to_owned(),
        valid_days: fields.opt("valid_days").unwrap_or_else(|| "30".into()),
        idem: secret::new_id("form"),
        refusal: None,
        answer: None,
    }
}

/// `GET /licenses/{id}/telephone`: type the code a caller reads.
pub(super) async fn telephone_form(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let f = v.frame.at("licenses");
    let l = s.store.license(&id).await.or_refuse(&f)?;
    Ok(render(&page(&f, &l, &Fields(Vec::new()))))
}

/// `POST /licenses/{id}/telephone`: the answer code, one seat.
pub(super) async fn telephone(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let f = v.frame.at("licenses");
    let fields = Fields::read(&body);
    let l = s.store.license(&id).await.or_refuse(&f)?;
    let answered = async {
        let days = valid_days(fields.get("valid_days"))?;
        let key = form_key(&fields);
        let reply = telephone::answer(
            &s,
            &v.staff,
            &key,
            &form_hash(&body),
            &id,
            fields.get("code"),
            days,
        )
        .await?;
        let a: TypedAnswered = match reply {
            Reply::Fresh(a) => a,
            Reply::Replayed(response) => replayed(response).await?,
        };
        let qr = crate::qr::svg(&a.answer, &f.t.t("telephone-qr-alt"))?;
        Ok::<_, ApiError>(Answer {
            groups: a.answer.split('-').map(str::to_owned).collect(),
            ends: f.t.date(a.not_after),
            qr,
        })
    }
    .await;
    let drawn_page = page(&f, &l, &fields);
    match answered {
        Ok(answer) => Ok(render(&TelephonePage {
            answer: Some(answer),
            ..drawn_page
        })),
        Err(e) => {
            let page = TelephonePage {
                refusal: Some(Refused::of(&f, e)),
                ..drawn_page
            };
            Ok(drawn(&page, page.refusal.as_ref()))
        }
    }
}
