//! Signing keys: the public keys and rollover statements products trust; rotation and retirement.

use axum::extract::{Path, State};
use schemars::JsonSchema;
use serde::Serialize;

use crate::api::{Created, Items, Reply};
use crate::error::ApiResult;
use crate::extract::Staff;
use crate::routes::{Access, Route};
use crate::service::keys;
use crate::store::KeyRecord;
use crate::AppState;

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::{Public, Token};
    vec![
        Route::get("/v1/keys", Public, "Signing public keys and rollover statements", list_keys),
        Route::post("/v1/keys/rotate", Token, "Make a new active signing key (admin)", rotate_key),
        Route::post("/v1/keys/{id}/retire", Token, "Retire a trusted signing key: no longer trusted, named in every revocation list (admin)", retire_key),
    ]
}

/// `GET /v1/keys`: public keys and rollover statements, for products.
/// Read from the store, so every instance answers alike; `retired` lists
/// the keys no longer trusted (also named in every revocation list).
pub(crate) async fn list_keys(State(s): State<AppState>) -> ApiResult<Reply<Keys>> {
    let items = s.store.signing_keys().await?;
    let retired = s.store.retired_keys().await?;
    Ok(Reply::Fresh(Keys { items, retired }))
}

/// The keys products may trust.
#[derive(Serialize, JsonSchema)]
pub(crate) struct Keys {
    /// The active key and the trusted ones, each with the rollover
    /// statement that endorses it.
    items: Vec<KeyRecord>,
    /// The ids of the retired keys, which no product should trust.
    retired: Vec<String>,
}

/// `POST /v1/keys/rotate` (admin): a new active key, endorsed by the old one.
pub(crate) async fn rotate_key(
    State(s): State<AppState>,
    staff: Staff,
) -> ApiResult<Created<Items<KeyRecord>>> {
    Ok(Created::Fresh(Items {
        items: keys::rotate(&s, &staff).await?,
    }))
}

/// `POST /v1/keys/{id}/retire` (admin): the key is no longer trusted and
/// every product's revocation list names it; the active key is refused (409).
pub(crate) async fn retire_key(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Reply<Retired>> {
    keys::retire(&s, &staff, &id).await?;
    Ok(Reply::Fresh(Retired {
        key_id: id,
        state: "retired",
    }))
}

/// A key just retired.
#[derive(Serialize, JsonSchema)]
pub(crate) struct Retired {
    /// Its id.
    key_id: String,
    /// `retired`.
    state: &'static str,
}
