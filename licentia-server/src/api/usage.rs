//! Usage metering: a product counts its consumption (license key), staff
//! bring a machine's offline report, and read what a licence consumed.

use axum::extract::{Path, State};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::api::{Reply, READERS};
use crate::error::ApiResult;
use crate::extract::{Body, Staff};
use crate::routes::{Access, Route};
use crate::service::usage::{self, Counted, LicenseUsage, UsageBatch};
use crate::AppState;

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::{LicenseKey, Token};
    vec![
        Route::post(
            "/v1/usage",
            LicenseKey,
            "Count a batch of consumption against the license's meters: all or nothing, within each quota (409 quota_exceeded); the same batch_id counts once",
            record,
        ),
        Route::post(
            "/v1/usage/reports",
            Token,
            "Count a machine's offline usage report, once per license, machine and counter (admin, issuer; 409 usage_report_replayed)",
            accept_report,
        ),
        Route::get(
            "/v1/licenses/{id}/usage",
            Token,
            "A license's meters: used and quota this period, and every period counted",
            license_usage,
        ),
    ]
}

/// `POST /v1/usage` (license key).
async fn record(State(s): State<AppState>, body: Body<UsageBatch>) -> ApiResult<Reply<Counted>> {
    usage::record(&s, &body.value, &body.hash).await
}

/// `POST /v1/usage/reports` body.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportUpload {
    /// The usage report the product wrote (armored or compact).
    report: String,
}

/// `POST /v1/usage/reports` (admin, issuer).
async fn accept_report(
    State(s): State<AppState>,
    staff: Staff,
    body: Body<ReportUpload>,
) -> ApiResult<Reply<Counted>> {
    let counted = usage::accept_report(&s, &staff, &body.value.report).await?;
    Ok(Reply::Fresh(counted))
}

/// `GET /v1/licenses/{id}/usage`.
async fn license_usage(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Reply<LicenseUsage>> {
    staff.allow(READERS)?;
    let license = s.store.license(&id).await?;
    Ok(Reply::Fresh(usage::license_usage(&s, &license).await?))
}
