//! The signed revocation list of a product, public.

use crate::api::Reply;
use axum::extract::State;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::extract::Q;
use crate::AppState;
use licentia::{KeyId, LicenseId, RevocationBody, Timestamp};

use crate::routes::{Access, Route};

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Public;
    vec![Route::get(
        "/v1/revocation-list",
        Public,
        "The signed revocation list of a product (?product=CODE)",
        revocation_list,
    )]
}

/// `GET /v1/revocation-list?product=CODE`: the signed current list (public).
#[derive(Deserialize, JsonSchema)]
pub(crate) struct RevocationQuery {
    /// The product code.
    product: String,
}

/// `GET /v1/revocation-list`.
pub(crate) async fn revocation_list(
    State(s): State<AppState>,
    Q(q): Q<RevocationQuery>,
) -> ApiResult<Reply<SignedRevocationList>> {
    let product = s.store.product(&q.product).await?;
    let state = s.store.revocation_state(&product.id).await?;
    let body = RevocationBody {
        product: product.code.clone(),
        sequence: u64::try_from(state.sequence).map_err(ApiError::internal)?,
        issued_at: Timestamp(state.updated_at),
        licenses: state
            .licenses
            .iter()
            .map(|id| LicenseId::parse(id))
            .collect::<licentia::Result<_>>()
            .map_err(ApiError::internal)?,
        machines: Vec::new(),
        keys: s
            .store
            .retired_keys()
            .await?
            .iter()
            .map(|id| KeyId::from_hex(id))
            .collect::<licentia::Result<_>>()
            .map_err(ApiError::internal)?,
    };
    let document = s
        .sign(|k| Ok(k.issuer().revocation_list(&body)?.to_armor()))
        .await?;
    Ok(Reply::Fresh(SignedRevocationList {
        product: product.code,
        sequence: state.sequence,
        document,
    }))
}

/// A product's signed revocation list.
#[derive(Serialize, JsonSchema)]
pub(crate) struct SignedRevocationList {
    /// The product code.
    product: String,
    /// Its version: a product replaces its list only with a higher one.
    sequence: i64,
    /// The signed list (armored), which products verify offline.
    document: String,
}
