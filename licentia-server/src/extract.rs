//! Request extractors that answer every rejection with a problem document:
//! JSON bodies, query strings, the staff (see `staff.rs`), the
//! `Idempotency-Key` header.

use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode, Uri};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::Duration;

use crate::error::{ApiError, ApiResult};
use crate::openapi::Operation;
use crate::routes::ArgDoc;
use crate::secret::sha256_hex;
pub use crate::staff::Staff;
use crate::store::Page;

/// A JSON body, with the hash of its bytes (for idempotency).
pub struct Body<T> {
    /// The parsed value.
    pub value: T,
    /// SHA-256 of the raw body.
    pub hash: String,
}

/// The body limit in force, set on each request by the router.
#[derive(Debug, Clone, Copy)]
pub struct MaxBody(pub usize);

/// How long a body may take to arrive, set on each request by the router.
#[derive(Debug, Clone, Copy)]
pub struct BodyDeadline(pub Duration);

/// Body limit when the router sets none.
const DEFAULT_MAX_BODY: usize = 64 * 1024;

/// Body deadline when the router sets none.
const DEFAULT_BODY_DEADLINE: Duration = Duration::from_secs(30);

/// Reads at most `limit` bytes, all within `deadline`: a client that stalls
/// or trickles its body gets a 408 (and hyper closes the connection, the
/// body being unread) instead of holding a task and a connection. A
/// deadline for the whole body, not between chunks: a byte now and then
/// would otherwise keep it open forever. The handler's transaction has not
/// begun yet, so nothing is cut off halfway.
///
/// A larger body is still drained (up to 16 times the limit) before the 413
/// goes out, so the client reads the answer instead of a connection reset;
/// a flood beyond that is cut off.
async fn read_limited(
    body: axum::body::Body,
    limit: usize,
    deadline: Duration,
) -> ApiResult<Vec<u8>> {
    use axum::body::HttpBody;
    let mut body = std::pin::pin!(body);
    let mut buf = Vec::new();
    let mut seen = 0usize;
    let read = async {
        while let Some(frame) = std::future::poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
            let frame =
                frame.map_err(|_| ApiError::bad_request("the request body could not be read"))?;
            if let Ok(data) = frame.into_data() {
                seen = seen.saturating_add(data.len());
                if seen <= limit {
                    buf.extend_from_slice(&data);
                } else if seen > limit.saturating_mul(16) {
                    break;
                }
            }
        }
        Ok::<(), ApiError>(())
    };
    tokio::time::timeout(deadline, read).await.map_err(|_| {
        ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            format!(
                "the request body did not arrive within {} s",
                deadline.as_secs()
            ),
        )
    })??;
    if seen > limit {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the request body is larger than the {limit} bytes the server accepts"),
        ));
    }
    Ok(buf)
}

/// Reads a body of media type `media` (415 otherwise) within the limit and
/// deadline the router set.
async fn read_body(req: Request, media: &str) -> ApiResult<Vec<u8>> {
    let fits = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(media));
    if !fits {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("send the body as {media}"),
        ));
    }
    let limit = req
        .extensions()
        .get::<MaxBody>()
        .map_or(DEFAULT_MAX_BODY, |m| m.0);
    let deadline = req
        .extensions()
        .get::<BodyDeadline>()
        .map_or(DEFAULT_BODY_DEADLINE, |d| d.0);
    read_limited(req.into_body(), limit, deadline).await
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, ApiError> {
        let bytes = read_body(req, "application/json").await?;
        let value = serde_json::from_slice(&bytes).map_err(|e| {
            if e.is_data() {
                ApiError::invalid(format!("the JSON body does not fit: {e}"))
            } else {
                ApiError::bad_request(format!("the body is not valid JSON: {e}"))
            }
        })?;
        Ok(Body {
            value,
            hash: sha256_hex(&bytes),
        })
    }
}

/// A `text/csv` body (bounded like JSON bodies), with the hash of its bytes.
pub struct CsvBody {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// SHA-256 of the bytes (for idempotency).
    pub hash: String,
}

impl<S: Send + Sync> FromRequest<S> for CsvBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, ApiError> {
        let bytes = read_body(req, "text/csv").await?;
        Ok(CsvBody {
            hash: sha256_hex(&bytes),
            bytes,
        })
    }
}

impl<T: DeserializeOwned, S: Send + Sync> axum::extract::OptionalFromRequest<S> for Body<T> {
    type Rejection = ApiError;

    /// No body at all (no content type) is `None`; any body must be JSON.
    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, ApiError> {
        if req.headers().get(header::CONTENT_TYPE).is_none() {
            return Ok(None);
        }
        <Body<T> as FromRequest<S>>::from_request(req, state)
            .await
            .map(Some)
    }
}

/// A query string, every parameter of it one that `T` takes.
pub struct Q<T>(pub T);

impl<T: DeserializeOwned + JsonSchema + 'static, S: Send + Sync> FromRequestParts<S> for Q<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        refuse_unknown_parameters(&parts.uri, &[&parameter_names::<T>()])?;
        parse_query(&parts.uri).map(Q)
    }
}

/// The query string read as `T`, its parameters unchecked.
pub(crate) fn parse_query<T: DeserializeOwned>(uri: &Uri) -> ApiResult<T> {
    Query::<T>::try_from_uri(uri)
        .map(|Query(v)| v)
        .map_err(|e| ApiError::bad_request(format!("bad query string: {}", e.body_text())))
}

/// The parameters a query string of type `T` takes, as the OpenAPI
/// document lists them (its schema's properties), worked out once per type.
pub(crate) fn parameter_names<T: JsonSchema + 'static>() -> Arc<[String]> {
    static NAMES: LazyLock<Mutex<HashMap<TypeId, Arc<[String]>>>> = LazyLock::new(Default::default);
    let mut names = NAMES.lock().unwrap_or_else(PoisonError::into_inner);
    let names = names.entry(TypeId::of::<T>()).or_insert_with(|| {
        let schema = schemars::schema_for!(T);
        let properties = schema.get("properties").and_then(|p| p.as_object());
        properties
            .into_iter()
            .flat_map(|p| p.keys().cloned())
            .collect()
    });
    Arc::clone(names)
}

/// Refuses a query parameter that none of `known` holds: a misspelt filter
/// ignored would answer with the whole list as if it were the filtered one.
pub(crate) fn refuse_unknown_parameters(uri: &Uri, known: &[&[String]]) -> ApiResult<()> {
    let given: Vec<(String, String)> = parse_query(uri)?;
    let takes = |name: &str| known.iter().any(|names| names.iter().any(|n| n == name));
    let Some((unknown, _)) = given.iter().find(|(name, _)| !takes(name)) else {
        return Ok(());
    };
    let mut names: Vec<&str> = known
        .iter()
        .flat_map(|n| n.iter().map(String::as_str))
        .collect();
    names.sort_unstable();
    let takes = if names.is_empty() {
        "no parameter".to_owned()
    } else {
        names.join(", ")
    };
    Err(ApiError::bad_request(format!(
        "unknown query parameter `{unknown}`: this takes {takes}"
    )))
}

/// Largest page size.
pub const MAX_LIMIT: i64 = 500;

/// Largest `offset`: a deeper page is read by its cursor (`after`), which
/// costs what the first page costs where an offset walks every row it skips.
pub const MAX_OFFSET: i64 = 10_000;

/// Pagination parameters: `limit` (1..=500, default 50), and where the page
/// starts: `after` the `next` cursor of the page before (or `before` the
/// `prev` cursor of the page after), or `offset` rows in. A list with
/// filters takes them as a second query extractor, `Q<PageQuery>` beside
/// `Q<Filters>` (flattening them into one struct breaks numbers in query
/// strings).
#[derive(Debug, Default, serde::Deserialize, JsonSchema)]
pub struct PageQuery {
    /// Rows per page, 1 to 500 (default 50).
    limit: Option<i64>,
    /// Rows to skip, at most 10000 (follow `next` beyond: a cursor costs
    /// the same at any depth).
    offset: Option<i64>,
    /// The page after this cursor: the `next` of the previous page.
    after: Option<String>,
    /// The page before this cursor: the `prev` of the following page.
    before: Option<String>,
}

impl PageQuery {
    /// The checked page.
    pub fn page(&self) -> ApiResult<Page> {
        let limit = self.limit.unwrap_or(Page::default().limit);
        let offset = self.offset.unwrap_or(0);
        if !(1..=MAX_LIMIT).contains(&limit) || !(0..=MAX_OFFSET).contains(&offset) {
            return Err(ApiError::bad_request(format!(
                "limit must be 1 to {MAX_LIMIT} and offset 0 to {MAX_OFFSET} (follow `next` beyond)"
            )));
        }
        let cursors = [&self.after, &self.before];
        if cursors.iter().filter(|c| c.is_some()).count() + usize::from(offset > 0) > 1 {
            return Err(ApiError::bad_request(
                "give one of after, before and offset",
            ));
        }
        Ok(Page {
            limit,
            offset,
            after: self.after.clone(),
            before: self.before.clone(),
        })
    }
}

/// The optional `Idempotency-Key` header (1 to 255 visible characters).
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get("idempotency-key") else {
            return Ok(IdempotencyKey(None));
        };
        IdempotencyKey::checked("Idempotency-Key", value.to_str().unwrap_or_default())
    }
}

impl IdempotencyKey {
    /// `text` as a key, when it is 1 to 255 visible ASCII characters (the
    /// header's rule; `what` names where it came from in the refusal).
    pub(crate) fn checked(what: &str, text: &str) -> Result<IdempotencyKey, ApiError> {
        if (1..=255).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(IdempotencyKey(Some(text.to_owned())))
        } else {
            Err(ApiError::bad_request(format!(
                "{what} must be 1 to 255 visible ASCII characters"
            )))
        }
    }
}

// What each extractor adds to its route's OpenAPI operation.

impl<T: JsonSchema> ArgDoc for Body<T> {
    fn document(op: &mut Operation) {
        op.json_body::<T>(true);
    }
}

impl<T: JsonSchema> ArgDoc for Option<Body<T>> {
    fn document(op: &mut Operation) {
        op.json_body::<T>(false);
    }
}

impl ArgDoc for CsvBody {
    fn document(op: &mut Operation) {
        op.csv_body();
    }
}

impl<T: JsonSchema> ArgDoc for Q<T> {
    fn document(op: &mut Operation) {
        op.query::<T>();
    }
}

impl ArgDoc for IdempotencyKey {
    fn document(op: &mut Operation) {
        op.header(
            "Idempotency-Key",
            "Retrying with the same key and body answers the first answer again",
        );
    }
}

impl ArgDoc for Staff {}
impl ArgDoc for Option<Staff> {}
impl<S> ArgDoc for axum::extract::State<S> {}
impl<T> ArgDoc for axum::extract::Path<T> {}
/// Handlers that read headers document what they answer instead (CSV on
/// `Accept: text/csv`, `X-License-Key`).
impl ArgDoc for axum::http::HeaderMap {}
