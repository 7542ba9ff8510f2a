//! The HTTP API under `/v1`: one file per business area, each with its
//! routes, request and answer types, and handlers. Handlers are thin: check
//! the caller, call the service layer (which has the core sign), and answer.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use schemars::JsonSchema;
use serde::Serialize;

use crate::openapi::Operation;
use crate::routes::AnswerDoc;
use crate::store::{Page, Role};

use Role::{Admin, Auditor, Finance, Issuer};

pub(crate) mod activations;
pub(crate) mod bulk;
pub(crate) mod catalogue;
pub(crate) mod customers;
pub(crate) mod health;
pub(crate) mod history;
pub(crate) mod idempotency;
pub(crate) mod keys;
pub(crate) mod leases;
pub(crate) mod licenses;
pub(crate) mod members;
pub(crate) mod notices;
pub(crate) mod purchases;
pub(crate) mod reports;
pub(crate) mod revocation;
pub(crate) mod subscriptions;
pub(crate) mod tokens;

/// Every staff role.
pub(crate) const READERS: &[Role] = &[Admin, Issuer, Finance, Auditor];
/// Roles that manage the catalogue and licenses.
pub(crate) const WRITERS: &[Role] = &[Admin, Issuer];

/// A JSON answer with `STATUS` (200 unless said): fresh, or the stored
/// first answer to a request repeated with its `Idempotency-Key`.
pub(crate) enum Reply<R, const STATUS: u16 = 200> {
    /// Made by this request.
    Fresh(R),
    /// The first request's answer, replayed as it was stored.
    Replayed(Response),
}

/// A 201 answer.
pub(crate) type Created<R> = Reply<R, 201>;

impl<R: Serialize, const STATUS: u16> IntoResponse for Reply<R, STATUS> {
    fn into_response(self) -> Response {
        match self {
            Reply::Fresh(value) => {
                let status = StatusCode::from_u16(STATUS).unwrap_or(StatusCode::OK);
                (status, Json(value)).into_response()
            }
            Reply::Replayed(response) => response,
        }
    }
}

impl<R: JsonSchema, const STATUS: u16> AnswerDoc for Reply<R, STATUS> {
    fn document(op: &mut Operation) {
        op.answer::<R>(STATUS, false);
    }
}

/// A page of a list: `{"items": [...], "limit": n, "offset": n}`.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "{T}Page")]
pub(crate) struct Listed<T> {
    /// The records of this page.
    pub items: Vec<T>,
    /// Rows asked for.
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
}

impl<T> Listed<T> {
    /// The answer for one page of a list.
    pub(crate) fn page(items: Vec<T>, page: Page) -> Reply<Listed<T>> {
        Reply::Fresh(Listed {
            items,
            limit: page.limit,
            offset: page.offset,
        })
    }
}

/// Every item of a short list: `{"items": [...]}`.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "{T}List")]
pub(crate) struct Items<T> {
    /// The records.
    pub items: Vec<T>,
}

/// One of two answers, each with its own status: an import's dry run (200)
/// or the import (201); a member's new service (201) or its new options (200).
pub(crate) enum OneOf<A, B> {
    /// The first kind of answer.
    First(A),
    /// The second kind of answer.
    Second(B),
}

impl<A: IntoResponse, B: IntoResponse> IntoResponse for OneOf<A, B> {
    fn into_response(self) -> Response {
        match self {
            OneOf::First(a) => a.into_response(),
            OneOf::Second(b) => b.into_response(),
        }
    }
}

impl<A: AnswerDoc, B: AnswerDoc> AnswerDoc for OneOf<A, B> {
    fn document(op: &mut Operation) {
        A::document(op);
        B::document(op);
    }
}

/// A report: `R` as JSON, or the same rows as CSV when the caller sent
/// `Accept: text/csv`.
pub(crate) enum Table<R> {
    /// The JSON answer.
    Json(R),
    /// The CSV answer, ready to send.
    Csv(Response),
}

impl<R: Serialize> IntoResponse for Table<R> {
    fn into_response(self) -> Response {
        match self {
            Table::Json(value) => Json(value).into_response(),
            Table::Csv(response) => response,
        }
    }
}

impl<R: JsonSchema> AnswerDoc for Table<R> {
    fn document(op: &mut Operation) {
        op.answer::<R>(200, true);
    }
}

/// A CSV file (an export), streamed.
pub(crate) struct CsvFile(pub Response);

impl IntoResponse for CsvFile {
    fn into_response(self) -> Response {
        self.0
    }
}

impl AnswerDoc for CsvFile {
    fn document(op: &mut Operation) {
        op.csv_answer(200);
    }
}
