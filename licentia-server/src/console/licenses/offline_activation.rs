//! Offline activation: a request file uploaded (or its typed code, read
//! over the telephone, typed in), the signed answer downloaded — or shown
//! as a QR code of its one-line form, for a phone to carry to the machine.

use super::*;
use licentia::DocumentKind;

#[derive(Template)]
#[template(path = "console/license_offline.html")]
struct Offline {
    f: Frame,
    valid_days: String,
    /// The typed code, as typed (kept on a refusal).
    code: String,
    refusal: Option<Refused>,
    /// The answer asked for as a QR code: its one-line form and the QR code (SVG).
    answer_qr: Option<(String, String)>,
}

/// `GET /licenses/activate-offline`: upload a machine's request file.
pub(super) async fn offline_form(v: Viewer) -> PageResult {
    let f = v.frame.at("licenses");
    v.staff.scope(WRITERS).or_refuse(&f)?;
    Ok(render(&Offline {
        f,
        valid_days: "30".into(),
        code: String::new(),
        refusal: None,
        answer_qr: None,
    }))
}

/// The answer's validity as typed: 1 to 3660 days, or none (the default).
pub(super) fn valid_days(typed: &str) -> Result<Option<u32>, ApiError> {
    match typed {
        "" => Ok(None),
        d => d
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=3660).contains(d))
            .map(Some)
            .ok_or_else(|| ApiError::invalid("the answer's validity is 1 to 3660 days")),
    }
}

/// The request (the file, else the typed code), the answer's validity,
/// whether it is asked for as a QR code, and the code as typed, of the upload.
async fn read_upload(
    upload: Result<Multipart, MultipartRejection>,
    code_typed: &mut String,
) -> Result<(String, String, bool), ApiError> {
    let upload = Upload::read(upload).await?;
    *code_typed = upload.text("code").to_owned();
    let request = match upload.bytes("request") {
        Some(bytes) if bytes.len() > MAX_REQUEST => {
            return Err(ApiError::invalid("the request file is larger than 64 KiB"))
        }
        Some(bytes) => std::str::from_utf8(bytes)
            .map_err(|_| ApiError::invalid("the request file is not text"))?,
        None => "",
    };
    // No file chosen: the code read over the telephone, if typed.
    let request = if request.trim().is_empty() {
        upload.text("code")
    } else {
        request
    };
    if request.trim().is_empty() {
        return Err(ApiError::invalid(
            "choose the request file the machine wrote, or type its code",
        ));
    }
    Ok((
        request.to_owned(),
        upload.text("valid_days").to_owned(),
        upload.text("as") == "qr",
    ))
}

/// `POST /licenses/activate-offline?_csrf=`: the signed answer, as a file.
pub(super) async fn offline(
    State(s): State<AppState>,
    v: Viewer,
    upload: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let f = v.frame.at("licenses");
    let mut days_typed = "30".to_owned();
    let mut code_typed = String::new();
    let mut as_qr = false;
    let answer = async {
        let (request, days, qr) = read_upload(upload, &mut code_typed).await?;
        as_qr = qr;
        if !days.is_empty() {
            days_typed = days.clone();
        }
        let valid_days = valid_days(&days)?;
        let key = IdempotencyKey(None);
        match activations::activate_offline(&s, &v.staff, &key, "", &request, valid_days).await? {
            Reply::Fresh(answer) => Ok(answer),
            Reply::Replayed(response) => replayed(response).await,
        }
    }
    .await;
    match answer {
        Ok(a) if as_qr => {
            let line = licentia::Envelope::from_text(&a.answer, DocumentKind::ActivationAnswer)
                .map_err(ApiError::internal)
                .or_refuse(&f)?
                .to_compact();
            let svg = crate::qr::svg(&line, &f.t.t("offline-qr-alt")).or_refuse(&f)?;
            Ok(render(&Offline {
                f,
                valid_days: days_typed,
                code: code_typed,
                refusal: None,
                answer_qr: Some((line, svg)),
            }))
        }
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
                answer_qr: None,
                valid_days: days_typed,
                code: code_typed,
                f,
            };
            Ok(drawn(&page, page.refusal.as_ref()))
        }
    }
}
