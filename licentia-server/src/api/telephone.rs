//! Activation by telephone: a licence's short request answered by staff,
//! and each product's typed-answer secret for its vendor's admins.

use axum::extract::{Path, State};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::api::{Created, Reply};
use crate::error::ApiResult;
use crate::extract::{Body, IdempotencyKey, Staff};
use crate::routes::{Access, Route};
use crate::service::telephone::{self, SecretShown, TypedAnswered};
use crate::AppState;

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Token;
    vec![
        Route::post(
            "/v1/licenses/{id}/telephone-activations",
            Token,
            "Answer a machine's telephone request code for this licence: a short answer code, one seat (admin, issuer; Idempotency-Key)",
            answer,
        ),
        Route::get(
            "/v1/products/{id}/typed-secret",
            Token,
            "The product's typed-answer secret, made when first asked for, to compile into the product (vendor admin)",
            show_secret,
        ),
        Route::post(
            "/v1/products/{id}/typed-secret/rotate",
            Token,
            "Replace the product's typed-answer secret, e.g. for a major release (vendor admin)",
            rotate_secret,
        ),
    ]
}

/// `POST /v1/licenses/{id}/telephone-activations` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TelephoneRequest {
    /// The request code the machine shows, as read: six groups of five
    /// characters (case, dashes and spaces do not matter).
    code: String,
    /// Days the machine accepts the answer (1 to 3660, default 30).
    valid_days: Option<u32>,
}

/// `POST /v1/licenses/{id}/telephone-activations` (admin, issuer).
pub(crate) async fn answer(
    State(s): State<AppState>,
    staff: Staff,
    key: IdempotencyKey,
    Path(id): Path<String>,
    body: Body<TelephoneRequest>,
) -> ApiResult<Created<TypedAnswered>> {
    let req = &body.value;
    telephone::answer(&s, &staff, &key, &body.hash, &id, &req.code, req.valid_days).await
}

/// `GET /v1/products/{id}/typed-secret` (vendor admin).
pub(crate) async fn show_secret(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Reply<SecretShown>> {
    Ok(Reply::Fresh(
        telephone::reveal(&s, &staff, &id, false).await?,
    ))
}

/// `POST /v1/products/{id}/typed-secret/rotate` (vendor admin).
pub(crate) async fn rotate_secret(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Reply<SecretShown>> {
    Ok(Reply::Fresh(
        telephone::reveal(&s, &staff, &id, true).await?,
    ))
}
