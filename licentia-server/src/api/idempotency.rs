//! `Idempotency-Key` on requests that create: a retry with the same key and
//! body gets the first answer; another body under the same key is refused.
//! The stored answer (which may hold a license key shown once) is sealed
//! under a key derived from the key-encryption key, bound to its scope: a
//! database dump does not open it, whatever Idempotency-Key one guesses.

use std::future::Future;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::api::Reply;
use crate::error::{ApiError, ApiResult};
use crate::extract::IdempotencyKey;
use crate::secret;
use crate::sql::idempotency_mismatch;
use crate::store::{Idem, Outcome, StoreResult};
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
            s,
            &scope,
            stored.status,
            &stored.sealed,
        )?)),
        None => Ok(Pre::New(scope)),
    }
}

/// The stored answer of `scope`, opened, as it was first sent.
fn replay_response(s: &AppState, scope: &str, status: u16, sealed: &str) -> ApiResult<Response> {
    let text = s
        .custody
        .kek()
        .idempotency()
        .open(scope.as_bytes(), sealed)
        .ok_or_else(|| ApiError::internal("stored answer does not open"))?;
    let value: Value = serde_json::from_slice(&text).map_err(ApiError::internal)?;
    let status = StatusCode::from_u16(status).map_err(ApiError::internal)?;
    Ok((status, [("idempotent-replay", "true")], Json(value)).into_response())
}

/// The first answer of a replayed request, read back as `T` (for callers
/// that show it rather than send it: the console).
pub(crate) async fn replayed<T: DeserializeOwned>(response: Response) -> ApiResult<T> {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .map_err(ApiError::internal)?;
    serde_json::from_slice(&bytes).map_err(ApiError::internal)
}

/// Runs an idempotent operation: a key seen before answers its first
/// answer; otherwise `op` runs with the sealing recipe (`None` without a
/// key), and the answer is `render` of its outcome. The status of the
/// handler's [`Reply`] is stored with the sealed answer for replays.
pub(crate) async fn idempotent<V, A, Fut, const STATUS: u16>(
    s: &AppState,
    key: &IdempotencyKey,
    route: &str,
    caller: &str,
    body_hash: &str,
    render: impl Fn(&V) -> A + Clone + Send + Sync + 'static,
    op: impl FnOnce(Option<Idem<V>>) -> Fut,
) -> ApiResult<Reply<A, STATUS>>
where
    V: 'static,
    A: Serialize,
    Fut: Future<Output = StoreResult<Outcome<V>>>,
{
    let (idem, scope) = match pre_check(s, key, route, caller, body_hash).await? {
        Pre::Stored(response) => return Ok(Reply::Replayed(response)),
        Pre::NoKey => (None, String::new()),
        Pre::New(scope) => {
            let sealer = s.custody.kek().idempotency().clone();
            let seal_render = render.clone();
            let context = scope.clone();
            let idem = Idem {
                scope: scope.clone(),
                request_hash: body_hash.to_owned(),
                status: STATUS,
                seal: Box::new(move |v: &V| {
                    let answer = serde_json::to_vec(&seal_render(v)).expect("answers serialize");
                    sealer.seal(context.as_bytes(), &answer)
                }),
            };
            (Some(idem), scope)
        }
    };
    match op(idem).await? {
        Outcome::Fresh(v) => Ok(Reply::Fresh(render(&v))),
        Outcome::Replay { status, sealed } => {
            replay_response(s, &scope, status, &sealed).map(Reply::Replayed)
        }
    }
}
