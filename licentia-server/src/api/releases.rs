//! Releases: a product's list (vendor staff add them), its signed release
//! catalogue (public, as the revocation list: the product in the field
//! downloads it with no account), and the releases a licence may run.

use axum::extract::{Path, State};
use schemars::JsonSchema;
use serde::Serialize;
use tracing::instrument;

use crate::api::{Created, Reply, READERS};
use crate::error::ApiResult;
use crate::extract::{Body, Staff};
use crate::routes::{Access, Route};
use crate::service::releases::{self, NewRelease};
use crate::store::ReleaseRecord;
use crate::AppState;

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::{Public, Token};
    vec![
        Route::post(
            "/v1/products/{id}/releases",
            Token,
            "Record a release of a product: version, date, channel, notes, download address (admin, issuer)",
            create_release,
        ),
        Route::get(
            "/v1/products/{id}/releases",
            Token,
            "A product's releases, newest first",
            product_releases,
        ),
        Route::get(
            "/v1/products/{id}/release-catalogue",
            Public,
            "The product's signed release catalogue (id or code; public, as the revocation list)",
            release_catalogue,
        ),
        Route::get(
            "/v1/licenses/{id}/releases",
            Token,
            "The releases of its product a license may run (its maintenance covers them), newest first",
            license_releases,
        ),
    ]
}

/// Releases, newest first.
#[derive(Serialize, JsonSchema)]
pub(crate) struct Releases {
    /// The releases.
    items: Vec<ReleaseRecord>,
}

/// A product's signed release catalogue.
#[derive(Serialize, JsonSchema)]
pub(crate) struct SignedCatalogue {
    /// The product code.
    product: String,
    /// The signed catalogue (armored), which products verify offline
    /// with the keys they embed.
    document: String,
}

/// `POST /v1/products/{id}/releases` (admin, issuer).
#[instrument(skip_all, fields(product = %id))]
pub(crate) async fn create_release(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Body<NewRelease>,
) -> ApiResult<Created<ReleaseRecord>> {
    let product = s.store.product(&id).await?;
    Ok(Created::Fresh(
        releases::add_release(&s, &staff, &product, &body.value).await?,
    ))
}

/// `GET /v1/products/{id}/releases`.
#[instrument(skip_all, fields(product = %id))]
pub(crate) async fn product_releases(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Reply<Releases>> {
    staff.read()?;
    let product = s.store.product(&id).await?;
    let items = s.store.releases(&product.id).await?;
    Ok(Reply::Fresh(Releases { items }))
}

/// `GET /v1/products/{id}/release-catalogue` (public).
#[instrument(skip_all, fields(product = %id))]
pub(crate) async fn release_catalogue(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Reply<SignedCatalogue>> {
    let product = s.store.product(&id).await?;
    let document = releases::signed_catalogue(&s, &product).await?;
    Ok(Reply::Fresh(SignedCatalogue {
        product: product.code,
        document,
    }))
}

/// `GET /v1/licenses/{id}/releases`.
#[instrument(skip_all, fields(license = %id))]
pub(crate) async fn license_releases(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Reply<Releases>> {
    staff.allow(READERS)?;
    let license = s.store.license(&id).await?;
    let items = releases::runnable(&s, &license).await?;
    Ok(Reply::Fresh(Releases { items }))
}
