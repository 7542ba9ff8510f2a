//! Health: whether the process is up and the database answers (for load balancers and orchestrators).

use axum::extract::State;
use serde_json::json;

use crate::AppState;

use crate::api::{ok, Answer};
use crate::routes::{Access, Route};

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Public;
    vec![
        Route::get("/healthz", Public, "The process is up", healthz),
        Route::get("/readyz", Public, "The database answers", readyz),
    ]
}

/// `GET /healthz`: the process is up.
pub(crate) async fn healthz() -> Answer {
    ok(json!({ "status": "ok" }))
}

/// `GET /readyz`: the database answers.
pub(crate) async fn readyz(State(state): State<AppState>) -> Answer {
    state.store.ping().await?;
    ok(json!({ "status": "ready" }))
}
