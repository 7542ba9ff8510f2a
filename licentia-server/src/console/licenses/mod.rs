//! Licences: search, a licence's page (terms, machines, leases, history,
//! its file), the status changes and renewals, issuing from a plan or a
//! policy, a temporary licence for an outage (FlexNet's entitlement
//! screens), offline activation by upload and activation by telephone.
//!
//! Every change goes through the same service functions as the API's
//! routes; a destructive one through a confirm page that says what will
//! happen.

mod actions;
mod issuing;
mod offline_activation;
mod outage;
mod record;
mod search;
mod telephone;

use actions::{deactivate, deactivate_confirm, renew, renew_form, renewable, status_pages};
use issuing::{issue, new_form};
use offline_activation::{offline, offline_form, valid_days};
use outage::{temporary, temporary_form};
use record::{file, history, leases, machines, short, show};
use search::{list, select};
use telephone::{telephone, telephone_form};

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::frame::{render, render_as, Frame, OrRefuse, PageResult, Params, Upload, Viewer};
use super::problems::said;
use super::renewals::Choice;
use super::{Page, PageAccess};
use crate::api::idempotency::replayed;
use crate::api::{staff_event, Reply, READERS, WRITERS};
use crate::error::ApiError;
use crate::extract::IdempotencyKey;
use crate::secret;
use crate::service::licenses::{
    self, key_search, IssueOverrides, Issued, PlanIssue, RenewRequest, Renewed, Transition,
    REINSTATE, REVOKE, SUSPEND,
};
use crate::service::{activations, now};
use crate::store::{
    Activation, Event, HistoryFilter, LicenseFilter, LicenseRecord, Page as Window, Role,
};
use crate::AppState;

pub(super) fn pages() -> Vec<Page> {
    use PageAccess::Signed;
    let mut pages = vec![
        Page::get("/licenses", Signed, list),
        Page::get("/licenses/new", Signed, new_form),
        Page::post("/licenses/new", Signed, issue),
        Page::get("/licenses/activate-offline", Signed, offline_form),
        Page::post("/licenses/activate-offline", Signed, offline),
        Page::get("/licenses/{id}", Signed, show),
        Page::get("/licenses/{id}/file", Signed, file),
        Page::get("/licenses/{id}/machines", Signed, machines),
        Page::get("/licenses/{id}/leases", Signed, leases),
        Page::get("/licenses/{id}/history", Signed, history),
        Page::get("/licenses/{id}/renew", Signed, renew_form),
        Page::post("/licenses/{id}/renew", Signed, renew),
        Page::get("/licenses/{id}/temporary", Signed, temporary_form),
        Page::post("/licenses/{id}/temporary", Signed, temporary),
        Page::get("/licenses/{id}/telephone", Signed, telephone_form),
        Page::post("/licenses/{id}/telephone", Signed, telephone),
        Page::get("/activations/{id}/deactivate", Signed, deactivate_confirm),
        Page::post("/activations/{id}/deactivate", Signed, deactivate),
    ];
    for (name, t) in [
        ("suspend", SUSPEND),
        ("reinstate", REINSTATE),
        ("revoke", REVOKE),
    ] {
        pages.extend(status_pages(name, t));
    }
    pages
}

/// The largest offline activation request read.
const MAX_REQUEST: usize = 64 * 1024;

// ------------------------------------------------------------ forms

/// A posted form, read without refusing anything: a missing field is empty.
struct Fields(Vec<(String, String)>);

impl Fields {
    fn read(body: &[u8]) -> Fields {
        Fields(url::form_urlencoded::parse(body).into_owned().collect())
    }

    /// The field `name`, trimmed ("" when absent).
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// The field `name` when it is not blank.
    fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name))
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    /// Every value of `name` (checkboxes).
    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect()
    }
}

/// The idempotency key of a form: its hidden `_idem` token (made when the
/// form was drawn), so that a second submit answers the first answer.
fn form_key(fields: &Fields) -> IdempotencyKey {
    let token = fields.get("_idem");
    let ok = (1..=255).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_graphic());
    IdempotencyKey(ok.then(|| token.to_owned()))
}

/// A form's hash, telling a second submit of the same form from another.
fn form_hash(body: &[u8]) -> String {
    secret::sha256_hex(body)
}

/// A refusal's status and text, to draw in the form that was refused.
struct Refused {
    status: StatusCode,
    detail: String,
}

impl Refused {
    fn of(f: &Frame, e: ApiError) -> Refused {
        Refused {
            status: e.status,
            detail: said(&f.t, &e),
        }
    }
}

/// A page drawn with the status of the refusal it shows (200 without one).
fn drawn(page: &impl Template, refused: Option<&Refused>) -> Response {
    render_as(page, refused.map(|r| r.status))
}

/// 303 to `to`.
fn see(to: &str) -> Response {
    Redirect::to(to).into_response()
}
