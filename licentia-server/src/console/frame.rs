//! What every console page shares: the person viewing it ([`Viewer`], from
//! the same [`Staff`] extractor as the API), the frame drawn around it
//! ([`Frame`]: language, navigation, the CSRF token its forms carry),
//! refusals drawn as pages, and the headers every page is sent with.

use askama::Template;
use axum::extract::{FromRequestParts, Request};
use axum::http::header::{self, HeaderValue};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::csrf::CSRF_COOKIE;
use super::i18n::{Lang, Tr};
use super::problems::said;
use crate::error::ApiError;
use crate::staff::{cookie, Caller, Staff, SESSION_COOKIE};
use crate::store::Role;
use crate::AppState;

/// A signed-in person looking at a page.
pub(crate) struct Viewer {
    /// Their grants, and where the page's record sits.
    pub staff: Staff,
    /// The frame their pages are drawn in.
    pub frame: Frame,
}

/// What the layout around every page needs.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    /// The language it is written in.
    pub t: Tr,
    /// Who is signed in (none on the sign-in pages).
    pub person: Option<String>,
    /// The token every form carries (`_csrf`).
    pub csrf: String,
    /// The section of the navigation the page belongs to.
    pub section: &'static str,
    /// Only the page's own part (an htmx request), without the layout.
    pub partial: bool,
    /// The person is an admin somewhere (the accounts pages are theirs).
    pub admin: bool,
    /// The person is an admin at the vendor root (the signing keys are theirs).
    pub vendor_admin: bool,
}

impl Frame {
    /// The frame of a page seen by nobody signed in.
    pub fn anonymous(parts: &Parts) -> Frame {
        Frame {
            t: Tr::new(browser_lang(parts)),
            person: None,
            csrf: String::new(),
            section: "",
            partial: is_htmx(parts),
            admin: false,
            vendor_admin: false,
        }
    }

    /// The same frame, for a page of `section`.
    pub fn at(&self, section: &'static str) -> Frame {
        Frame {
            section,
            ..self.clone()
        }
    }

    /// The address of an embedded asset (`console.css`, `htmx.min.js`).
    pub fn asset(&self, name: &str) -> String {
        super::assets::href(name)
    }

    /// The entries of the navigation the person may use.
    pub fn nav(&self) -> Vec<NavItem> {
        let may = |section: &str| match section {
            "accounts" => self.admin,
            "keys" => self.vendor_admin,
            _ => true,
        };
        [
            ("dashboard", "/", "nav-dashboard"),
            ("renewals", "/renewals", "nav-renewals"),
            ("licenses", "/licenses", "nav-licenses"),
            ("customers", "/customers", "nav-customers"),
            ("subscriptions", "/subscriptions", "nav-subscriptions"),
            ("catalogue", "/products", "nav-catalogue"),
            ("purchases", "/purchases", "nav-purchases"),
            ("contracts", "/contracts", "nav-contracts"),
            ("invoices", "/invoices", "nav-invoices"),
            ("notices", "/notices", "nav-notices"),
            ("reports", "/reports", "nav-reports"),
            ("keys", "/keys", "nav-keys"),
            ("accounts", "/accounts", "nav-accounts"),
            ("settings", "/settings", "nav-settings"),
        ]
        .into_iter()
        .filter(|(section, _, _)| may(section))
        .map(|(section, href, label)| NavItem {
            href,
            label: self.t.t(label),
            current: section == self.section,
        })
        .collect()
    }
}

/// An entry of the navigation.
pub(crate) struct NavItem {
    /// Where it goes.
    pub href: &'static str,
    /// Its words.
    pub label: String,
    /// The page shown is in its section.
    pub current: bool,
}

/// Whether htmx asked (it then swaps the page's part itself).
fn is_htmx(parts: &Parts) -> bool {
    parts.headers.contains_key("hx-request") && !parts.headers.contains_key("hx-boosted")
}

/// The language the browser asks for first that the console speaks.
pub(crate) fn browser_lang(parts: &Parts) -> Lang {
    parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Lang::En, Lang::negotiate)
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let anonymous = Frame::anonymous(parts);
        if cookie(parts, SESSION_COOKIE).is_none() {
            return Err(to_sign_in(parts));
        }
        let staff = match Staff::from_request_parts(parts, state).await {
            Ok(staff) => staff,
            Err(e) if e.status == StatusCode::UNAUTHORIZED => return Err(to_sign_in(parts)),
            Err(e) => return Err(refusal(&anonymous, e)),
        };
        let Caller::Account(account) = &staff.caller else {
            return Err(to_sign_in(parts));
        };
        let frame = Frame {
            t: Tr::new(Lang::from_code(&account.locale).unwrap_or(anonymous.t.lang))
                .in_zone(&account.time_zone),
            person: Some(account.name.clone()),
            csrf: cookie(parts, CSRF_COOKIE).unwrap_or_default().to_owned(),
            section: "",
            partial: anonymous.partial,
            admin: staff.grants.iter().any(|g| g.role == Role::Admin),
            vendor_admin: staff
                .grants
                .iter()
                .any(|g| g.role == Role::Admin && g.customer_id.is_none()),
        };
        Ok(Viewer { staff, frame })
    }
}

/// 303 to the sign-in page, coming back here afterwards.
fn to_sign_in(parts: &Parts) -> Response {
    let here = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let next: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
    Redirect::to(&format!("/sign-in?next={next}")).into_response()
}

/// The page that says why a request was refused: the API's status, and
/// the rule in the API's words.
#[derive(Template)]
#[template(path = "console/refusal.html")]
struct RefusalPage<'a> {
    f: &'a Frame,
    status: u16,
    title: String,
    detail: &'a str,
}

/// A refusal drawn as a page, with the API's status.
pub(crate) fn refusal(frame: &Frame, e: ApiError) -> Response {
    let title_id = format!("refusal-{}", e.status.as_u16());
    let detail = said(&frame.t, &e);
    let page = RefusalPage {
        f: frame,
        status: e.status.as_u16(),
        title: frame.t.t(&title_id),
        detail: &detail,
    };
    let mut response = render(&page);
    *response.status_mut() = e.status;
    response
}

/// A template drawn into an HTML answer (a failure to draw is logged, and
/// answered with a bare 500).
pub(crate) fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a console template failed to render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A page drawn with `status` — the refusal it shows a form with — or 200.
pub(crate) fn render_as(page: &impl Template, status: Option<StatusCode>) -> Response {
    let response = render(page);
    match status {
        Some(status) => with_status(response, status),
        None => response,
    }
}

/// `page` answered with `status`.
pub(crate) fn with_status(mut page: Response, status: StatusCode) -> Response {
    *page.status_mut() = status;
    page
}

/// What a page handler answers: the page, or the refusal drawn as one.
pub(crate) type PageResult = Result<Response, Response>;

/// Turns a service error into its refusal page.
pub(crate) trait OrRefuse<T> {
    /// The value, or the refusal page of its error.
    fn or_refuse(self, frame: &Frame) -> Result<T, Response>;
}

impl<T, E: Into<ApiError>> OrRefuse<T> for Result<T, E> {
    fn or_refuse(self, frame: &Frame) -> Result<T, Response> {
        self.map_err(|e| refusal(frame, e.into()))
    }
}

/// The headers of every console answer: no framing, no sniffing, scripts
/// and styles only from the console itself, pages not cached (they show
/// a person's own data).
pub(crate) async fn security_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    let fixed = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// A page's query string; one that cannot be read is refused on a page.
pub(crate) struct Params<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|axum::extract::Query(v)| Params(v))
            .map_err(|e| {
                let e = ApiError::bad_request(format!("bad query string: {}", e.body_text()));
                refusal(&Frame::anonymous(parts), e)
            })
    }
}

/// A `multipart/form-data` form (a file upload) read whole: each field's
/// bytes by name, within the server's body limit. The form's CSRF token
/// comes in the query (see [`super::csrf`]).
pub(crate) struct Upload(Vec<(String, axum::body::Bytes)>);

impl Upload {
    /// Reads every field; a form larger than the body limit is a 413, one
    /// that is not multipart a 400.
    pub async fn read(
        upload: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
    ) -> Result<Upload, ApiError> {
        let cut = |status: StatusCode, text: String| {
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    status,
                    "too_large",
                    "the upload is larger than the server accepts",
                )
            } else {
                ApiError::bad_request(text)
            }
        };
        let mut upload = upload.map_err(|e| cut(e.status(), e.body_text()))?;
        let mut fields = Vec::new();
        while let Some(field) = upload
            .next_field()
            .await
            .map_err(|e| cut(e.status(), e.body_text()))?
        {
            let name = field.name().unwrap_or_default().to_owned();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| cut(e.status(), e.body_text()))?;
            fields.push((name, bytes));
        }
        Ok(Upload(fields))
    }

    /// The first field `name` that is not empty.
    pub fn bytes(&self, name: &str) -> Option<&[u8]> {
        self.0
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_ref())
    }

    /// The field `name` as text, trimmed ("" when absent or not UTF-8).
    pub fn text(&self, name: &str) -> &str {
        self.bytes(name)
            .and_then(|b| std::str::from_utf8(b).ok())
            .map_or("", str::trim)
    }
}
