//! Releases of a product: recorded by vendor staff, signed into the
//! product's release catalogue, and matched against a licence's
//! maintenance (updates-until) online as the core does it offline.

use licentia::{CatalogueBody, ProductRelease, Terms, Timestamp};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::api::WRITERS;
use crate::error::ApiResult;
use crate::secret;
use crate::service::now;
use crate::staff::Staff;
use crate::store::{LicenseRecord, Product, ReleaseRecord};
use crate::AppState;

/// A new release.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRelease {
    /// The version: numbers separated by dots, optionally `-` and a tag
    /// (`3.1`, `4.0-beta.1`).
    pub version: String,
    /// When it was released (YYYY-MM-DD or RFC 3339).
    pub date: String,
    /// Its channel (default `stable`), such as `beta`.
    #[serde(default)]
    pub channel: Option<String>,
    /// Short release notes.
    #[serde(default)]
    pub notes: Option<String>,
    /// Where to download it.
    #[serde(default)]
    pub download_url: Option<String>,
}

/// Records a release of `product` (admin, issuer at the vendor root);
/// the core's rules of a release apply (422 naming the one broken).
pub(crate) async fn add_release(
    s: &AppState,
    staff: &Staff,
    product: &Product,
    new: &NewRelease,
) -> ApiResult<ReleaseRecord> {
    staff.allow(WRITERS)?;
    let mut release = ProductRelease::new(new.version.trim(), Timestamp::parse(&new.date)?);
    if let Some(channel) = &new.channel {
        release.channel = channel.trim().to_owned();
    }
    release.notes = new.notes.as_deref().unwrap_or_default().trim().to_owned();
    release.download_url = new
        .download_url
        .as_deref()
        .unwrap_or_default()
        .trim()
        .to_owned();
    release.validate()?;
    let record = ReleaseRecord {
        id: secret::new_id("rel"),
        product_id: product.id.clone(),
        version_key: release.canonical_version()?,
        version: release.version,
        released_at: release.date.0,
        channel: release.channel,
        notes: release.notes,
        download_url: release.download_url,
        created_at: now().0,
    };
    Ok(s.store.create_release(record, &staff.actor()).await?)
}

/// The core's view of a recorded release.
fn product_release(record: &ReleaseRecord) -> ProductRelease {
    ProductRelease {
        version: record.version.clone(),
        date: Timestamp(record.released_at),
        channel: record.channel.clone(),
        notes: record.notes.clone(),
        download_url: record.download_url.clone(),
    }
}

/// The product's release catalogue, signed now with the active key: its
/// newest releases that one catalogue carries
/// ([`CatalogueBody::newest`]).
pub(crate) async fn signed_catalogue(s: &AppState, product: &Product) -> ApiResult<String> {
    let releases = s.store.releases(&product.id).await?;
    let body = CatalogueBody::newest(
        &product.code,
        now(),
        releases.iter().map(product_release).collect(),
    )?;
    let keyring = s.keyring().await?;
    Ok(keyring.issuer().release_catalogue(&body)?.to_armor())
}

/// The releases of its product that `license` may run, newest first: those
/// its maintenance covers (all, for a licence without updates-until).
pub(crate) async fn runnable(
    s: &AppState,
    license: &LicenseRecord,
) -> ApiResult<Vec<ReleaseRecord>> {
    let terms = Terms {
        updates_until: license
            .spec
            .updates_until
            .as_deref()
            .map(Timestamp::parse)
            .transpose()?,
        ..Terms::default()
    };
    let mut releases = s.store.releases(&license.product_id).await?;
    releases.retain(|r| terms.covers_release_date(Timestamp(r.released_at)));
    Ok(releases)
}
