//! The HTTP API under `/v1`: one file per business area, each with its
//! routes, request and answer types, and handlers. Handlers are thin: check
//! the caller, call the service layer (which has the core sign), and answer.

use std::future::Future;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::extract::{parameter_names, parse_query, refuse_unknown_parameters, PageQuery, Staff};
use crate::openapi::Operation;
use crate::routes::{AnswerDoc, ArgDoc};
use crate::store::{Event, LicenseRecord, Page, Role, Rows};

use Role::{Admin, Auditor, Finance, Issuer, MemberManager};

pub(crate) mod accounts;
pub(crate) mod activations;
pub(crate) mod bulk;
pub(crate) mod catalogue;
pub(crate) mod contracts;
pub(crate) mod customers;
pub(crate) mod health;
pub(crate) mod history;
pub(crate) mod idempotency;
pub(crate) mod invoices;
pub(crate) mod keys;
pub(crate) mod leases;
pub(crate) mod licenses;
pub(crate) mod members;
pub(crate) mod notices;
pub(crate) mod passwords;
pub(crate) mod purchases;
pub(crate) mod releases;
pub(crate) mod reports;
pub(crate) mod revocation;
pub(crate) mod sessions;
pub(crate) mod subscriptions;
pub(crate) mod telephone;
pub(crate) mod tokens;
pub(crate) mod usage;

/// Every staff role: each reads what its grants reach.
pub(crate) const READERS: &[Role] = &[Admin, Issuer, Finance, Auditor, MemberManager];
/// Roles that manage the catalogue and licenses.
pub(crate) const WRITERS: &[Role] = &[Admin, Issuer];
/// Roles that manage a node's members and their services.
pub(crate) const MEMBER_WRITERS: &[Role] = &[Admin, Issuer, MemberManager];

/// A history event about `subject` by `actor`, naming no other license or
/// customer.
pub(crate) fn event(
    actor: String,
    operation: &'static str,
    subject: impl Into<String>,
    details: Value,
) -> Event {
    Event {
        actor,
        operation,
        subject: subject.into(),
        license_id: None,
        customer_id: None,
        details,
    }
}

/// A history event by a member of staff.
pub(crate) fn staff_event(
    staff: &Staff,
    operation: &'static str,
    subject: impl Into<String>,
    details: Value,
) -> Event {
    event(staff.actor(), operation, subject, details)
}

/// A history event by a product, which acts with `license`'s key: the
/// license's customer is concerned.
pub(crate) fn license_event(
    license: &LicenseRecord,
    operation: &'static str,
    subject: impl Into<String>,
) -> Event {
    Event {
        customer_id: license.customer_id.clone(),
        ..event(
            format!("license:{}", license.id),
            operation,
            subject,
            Value::Null,
        )
    }
}

/// A record the request body names, looked up: when there is none, the
/// body is at fault (422 `detail`), not the path (404).
pub(crate) async fn named<T, E: Into<ApiError>>(
    lookup: impl Future<Output = Result<T, E>>,
    detail: &'static str,
) -> ApiResult<T> {
    lookup.await.map_err(ApiError::absent_is_invalid(detail))
}

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

/// A page of a list: `{"items": [...], "limit": n, "offset": n, "next":
/// cursor, "prev": cursor}`.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "{T}Page")]
pub(crate) struct Listed<T> {
    /// The records of this page.
    pub items: Vec<T>,
    /// Rows asked for.
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
    /// The next page is `?after=` this (null on the last page).
    pub next: Option<String>,
    /// The previous page is `?before=` this (null on the first page).
    pub prev: Option<String>,
}

impl<T> Listed<T> {
    /// One page of a list.
    pub(crate) fn of(rows: Rows<T>, page: &Page) -> Listed<T> {
        Listed {
            items: rows.items,
            limit: page.limit,
            offset: page.offset,
            next: rows.next,
            prev: rows.prev,
        }
    }

    /// The answer for one page of a list.
    pub(crate) fn page(rows: Rows<T>, page: &Page) -> Reply<Listed<T>> {
        Reply::Fresh(Listed::of(rows, page))
    }

    /// The page `query` asks for, read by `list` (a bad page is refused
    /// before the store is asked).
    pub(crate) async fn fetch<E, Fut>(
        query: &PageQuery,
        list: impl FnOnce(Page) -> Fut,
    ) -> ApiResult<Reply<Listed<T>>>
    where
        Fut: Future<Output = Result<Rows<T>, E>>,
        ApiError: From<E>,
    {
        let page = query.page()?;
        Ok(Listed::page(list(page.clone()).await?, &page))
    }
}

/// The query string of a filtered list: its filters `F` and its page, each
/// read from the whole string (flattening the page into `F` would break
/// numbers in query strings); a parameter neither takes is refused.
pub(crate) struct Listing<F> {
    /// The filters.
    pub filter: F,
    /// `limit` and `offset`.
    pub page: PageQuery,
}

impl<F: DeserializeOwned + JsonSchema + Send + 'static, S: Send + Sync> FromRequestParts<S>
    for Listing<F>
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let known = [parameter_names::<F>(), parameter_names::<PageQuery>()];
        refuse_unknown_parameters(&parts.uri, &[&known[0], &known[1]])?;
        Ok(Listing {
            filter: parse_query(&parts.uri)?,
            page: parse_query(&parts.uri)?,
        })
    }
}

impl<F: JsonSchema> ArgDoc for Listing<F> {
    fn document(op: &mut Operation) {
        op.query::<F>();
        op.query::<PageQuery>();
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
