//! Signing keys: the public keys and rollover statements products trust; rotation and retirement.

use axum::extract::{Path, State};
use serde_json::json;

use crate::extract::Staff;
use crate::keyring::Keyring;
use crate::store::*;
use crate::AppState;

use crate::api::{created, ok, Answer};
use crate::routes::{Access, Route};
use Role::Admin;

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
pub(crate) async fn list_keys(State(s): State<AppState>) -> Answer {
    let keys = s.store.signing_keys().await?;
    let retired = s.store.retired_keys().await?;
    ok(json!({ "items": keys, "retired": retired }))
}

/// `POST /v1/keys/rotate` (admin): a new active key, endorsed by the old one.
pub(crate) async fn rotate_key(State(s): State<AppState>, staff: Staff) -> Answer {
    staff.allow(&[Admin])?;
    let mut keys = s.keys.write().await;
    // The rollover statement is signed by the store's active key, not by
    // this instance's copy, which another instance may have rotated.
    let current = Keyring::load(s.store.as_ref(), &s.key_dir).await?;
    let rotated = current
        .rotate(s.store.as_ref(), &s.key_dir, &staff.actor())
        .await?;
    *keys = std::sync::Arc::new(rotated);
    created(json!({ "items": keys.records() }))
}

/// `POST /v1/keys/{id}/retire` (admin): the key is no longer trusted and
/// every product's revocation list names it; the active key is refused (409).
pub(crate) async fn retire_key(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Answer {
    staff.allow(&[Admin])?;
    s.store.retire_key(&id, &staff.actor()).await?;
    s.keyring().await?;
    ok(json!({ "key_id": id, "state": "retired" }))
}
