//! Signing keys: rotation and retirement (admin). The JSON API and the
//! console both call these.

use crate::error::ApiResult;
use crate::keyring::Keyring;
use crate::staff::Staff;
use crate::store::{KeyRecord, Role};
use crate::AppState;

/// Makes a new active key, endorsed by the old one (which stays trusted):
/// the keys after the rotation.
pub(crate) async fn rotate(s: &AppState, staff: &Staff) -> ApiResult<Vec<KeyRecord>> {
    staff.allow(&[Role::Admin])?;
    let mut keys = s.keys.write().await;
    // The rollover statement is signed by the store's active key, not by
    // this instance's copy, which another instance may have rotated.
    let current = Keyring::load(s.store.as_ref(), &s.custody).await?;
    let rotated = current
        .rotate(s.store.as_ref(), &s.custody, &staff.actor())
        .await?;
    *keys = std::sync::Arc::new(rotated);
    Ok(keys.records().to_vec())
}

/// Retires trusted key `id`: no longer trusted, named in every revocation
/// list; the active key is refused (409).
pub(crate) async fn retire(s: &AppState, staff: &Staff, id: &str) -> ApiResult<()> {
    staff.allow(&[Role::Admin])?;
    s.store.retire_key(id, &staff.actor()).await?;
    s.keyring().await?;
    Ok(())
}
