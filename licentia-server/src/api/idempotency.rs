//! `Idempotency-Key` on requests that create: a retry with the same key and body gets the first answer, sealed at rest; another body under the same key is refused.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::extract::IdempotencyKey;
use crate::secret::{self};
use crate::sql::idempotency_mismatch;
use crate::AppState;

/// Where an idempotent request stands before it runs.
pub(crate) enum Pre {
    /// No `Idempotency-Key`: just run.
    NoKey,
    /// Seen before: this is the first answer.
    Stored(Response),
    /// A new key: run, and store the answer under this scope.
    New(String),
}

/// Looks the request's `Idempotency-Key` up (scoped by route and caller).
pub(crate) async fn pre_check(
    s: &AppState,
    key: &IdempotencyKey,
    route: &str,
    caller: &str,
    body_hash: &str,
) -> ApiResult<Pre> {
    let Some(k) = &key.0 else {
        return Ok(Pre::NoKey);
    };
    let scope = secret::sha256_hex(format!("{route}\n{caller}\n{k}").as_bytes());
    match s.store.stored_answer(&scope).await? {
        Some(stored) if stored.request_hash != body_hash => Err(idempotency_mismatch().into()),
        Some(stored) => Ok(Pre::Stored(replay_response(
            k,
            stored.status,
            &stored.sealed,
        )?)),
        None => Ok(Pre::New(scope)),
    }
}

pub(crate) fn replay_response(key: &str, status: u16, sealed: &str) -> ApiResult<Response> {
    let text = secret::unseal(key, sealed)
        .ok_or_else(|| ApiError::internal("stored answer does not open"))?;
    let value: Value = serde_json::from_str(&text).map_err(ApiError::internal)?;
    let status = StatusCode::from_u16(status).map_err(ApiError::internal)?;
    Ok((status, [("idempotent-replay", "true")], Json(value)).into_response())
}

/// Runs an idempotent operation: answers a seen key with its first answer,
/// or runs `$op` with `$idem` set to the sealing recipe and answers
/// [`Reply::Fresh`](crate::api::Reply) with `$render` of its outcome.
/// `$status` is the status of the handler's [`Reply`](crate::api::Reply),
/// stored with the sealed answer for replays.
macro_rules! idempotent {
    ($s:expr, $key:expr, $route:expr, $caller:expr, $hash:expr, $status:expr, $render:expr, |$idem:ident| $op:expr) => {{
        let render = $render;
        let $idem =
            match $crate::api::idempotency::pre_check(&$s, &$key, $route, $caller, $hash).await? {
                $crate::api::idempotency::Pre::Stored(response) => {
                    return Ok($crate::api::Reply::Replayed(response))
                }
                $crate::api::idempotency::Pre::NoKey => None,
                $crate::api::idempotency::Pre::New(scope) => {
                    let k = $key.0.clone().unwrap_or_default();
                    let r = render.clone();
                    Some($crate::store::Idem {
                        scope,
                        request_hash: $hash.to_owned(),
                        status: $status.as_u16(),
                        seal: Box::new(move |v: &_| {
                            let answer = serde_json::to_string(&r(v)).expect("answers serialize");
                            $crate::secret::seal(&k, &answer)
                        }),
                    })
                }
            };
        match $op {
            $crate::store::Outcome::Fresh(v) => Ok($crate::api::Reply::Fresh(render(&v))),
            $crate::store::Outcome::Replay { status, sealed } => {
                $crate::api::idempotency::replay_response(
                    $key.0.as_deref().unwrap_or_default(),
                    status,
                    &sealed,
                )
                .map($crate::api::Reply::Replayed)
            }
        }
    }};
}
// The areas' creates take keys the same way.
pub(crate) use idempotent;
