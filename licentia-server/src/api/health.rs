//! Health: whether the process is up and the database answers (for load balancers and orchestrators).

use axum::extract::State;
use schemars::JsonSchema;
use serde::Serialize;

use crate::api::Reply;
use crate::error::ApiResult;
use crate::routes::{Access, Route};
use crate::AppState;

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Public;
    vec![
        Route::get("/healthz", Public, "The process is up", healthz),
        Route::get("/readyz", Public, "The database answers", readyz),
    ]
}

/// How the process stands.
#[derive(Serialize, JsonSchema)]
pub(crate) struct Health {
    /// `ok` (the process is up) or `ready` (and the database answers).
    status: &'static str,
}

/// `GET /healthz`: the process is up.
pub(crate) async fn healthz() -> ApiResult<Reply<Health>> {
    Ok(Reply::Fresh(Health { status: "ok" }))
}

/// `GET /readyz`: the database answers.
pub(crate) async fn readyz(State(state): State<AppState>) -> ApiResult<Reply<Health>> {
    state.store.ping().await?;
    Ok(Reply::Fresh(Health { status: "ready" }))
}
