//! Activation by telephone: each product's typed-answer secret (made when
//! first asked for, sealed at rest, shown to the vendor's admins only), and
//! the short answer staff read back for a licence's short request
//! (`licentia::short_code`). The API's handlers and the console's page both
//! call these; nothing here knows HTTP.

use licentia::short_code::{ShortRequest, TypedSecret};
use licentia::LicenseId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::api::{Created, WRITERS};
use crate::error::{ApiError, ApiResult};
use crate::extract::IdempotencyKey;
use crate::secret;
use crate::service::activations::{record_answered, Answered};
use crate::service::now;
use crate::service::products::{activated_per_machine, policy_of, refuse_unless_active};
use crate::staff::Staff;
use crate::store::*;
use crate::AppState;

/// Where a typed activation's machine is kept: the short request names a
/// machine only by a digest of its fingerprint, which no revocation list
/// can name (a typed activation has no file to refuse either): the
/// revocation list leaves these out (`sql/revocation.rs`).
const TYPED_MACHINE: &str = "typed:";

/// What a sealed secret is bound to: its product, so a sealed secret copied
/// onto another product's row does not open there.
fn context(product_id: &str) -> Vec<u8> {
    format!("licentia typed-answer secret v1\n{product_id}").into_bytes()
}

fn seal(s: &AppState, product_id: &str, secret: &TypedSecret) -> String {
    s.custody
        .kek()
        .keys()
        .seal(&context(product_id), secret.to_hex().as_bytes())
}

/// The typed-answer secret of product `product_id`, made now when it has
/// none (recorded as made by `actor`).
async fn secret_of(s: &AppState, product_id: &str, actor: &str) -> ApiResult<TypedSecret> {
    let fresh = seal(s, product_id, &TypedSecret::generate());
    let sealed = s.store.typed_secret(product_id, fresh, actor).await?;
    let hex = s
        .custody
        .kek()
        .keys()
        .open(&context(product_id), &sealed)
        .ok_or_else(|| {
            ApiError::internal(format!(
                "the key-encryption key does not open the typed-answer secret of {product_id}"
            ))
        })?;
    let text = std::str::from_utf8(&hex).map_err(ApiError::internal)?;
    TypedSecret::parse(text).map_err(ApiError::internal)
}

/// A product's typed-answer secret, as its vendor's admins see it.
#[derive(Serialize, Deserialize, JsonSchema)]
pub(crate) struct SecretShown {
    /// The product.
    pub(crate) product_id: String,
    /// 64 hex digits, to compile into the product (never logged).
    pub(crate) secret: String,
}

/// The typed-answer secret of product `id_or_code` (made now when it has
/// none), for the vendor's admins only; `rotate` replaces it first (answers
/// made under the old one no longer hold in builds with the new one).
pub(crate) async fn reveal(
    s: &AppState,
    staff: &Staff,
    id_or_code: &str,
    rotate: bool,
) -> ApiResult<SecretShown> {
    staff.allow(&[Role::Admin])?;
    let product = s.store.product(id_or_code).await?;
    if rotate {
        let sealed = seal(s, &product.id, &TypedSecret::generate());
        s.store
            .rotate_typed_secret(&product.id, sealed, &staff.actor())
            .await?;
    }
    let secret = secret_of(s, &product.id, &staff.actor()).await?;
    Ok(SecretShown {
        product_id: product.id,
        secret: secret.to_hex(),
    })
}

/// A telephone activation's answer.
#[derive(Serialize, Deserialize, JsonSchema)]
pub(crate) struct TypedAnswered {
    /// The activation (one seat).
    pub(crate) activation_id: String,
    /// The licence.
    pub(crate) license_id: String,
    /// The answer code to read back: six groups of five characters.
    pub(crate) answer: String,
    /// When the machine stops accepting it (Unix seconds, a day's start, UTC).
    pub(crate) not_after: i64,
}

/// Answers the short request `code` read over the telephone for licence
/// `license_id`, for `staff` (admin, issuer, where the licence sits): one
/// seat, as a file-based offline activation; the same machine again takes
/// no second seat. The answer holds `valid_days` (default 30) on the
/// machine. The shared path of the API and the console.
pub(crate) async fn answer(
    s: &AppState,
    staff: &Staff,
    key: &IdempotencyKey,
    body_hash: &str,
    license_id: &str,
    code: &str,
    valid_days: Option<u32>,
) -> ApiResult<Created<TypedAnswered>> {
    staff.scope(WRITERS)?;
    let license = s.store.license(license_id).await?;
    staff
        .allow_at(s, WRITERS, license.customer_id.as_deref())
        .await?;
    let request = ShortRequest::parse(code)?;
    let id = LicenseId::parse(&license.id).map_err(ApiError::internal)?;
    if !request.is_for(&id) {
        return Err(ApiError::invalid(
            "this telephone code is for another licence: check which licence the caller holds, \
             or have the code read again",
        ));
    }
    refuse_unless_active(&license)?;
    let policy = policy_of(s, &license.policy_id).await?;
    activated_per_machine(&policy)?;
    let days = valid_days.unwrap_or(30);
    if !(1..=3660).contains(&days) {
        return Err(ApiError::invalid("the answer's validity is 1 to 3660 days"));
    }
    let secret = secret_of(s, &license.product_id, &staff.actor()).await?;
    let at = now();
    let answer = request.answer(&secret, &id, at.add_days(i64::from(days)))?;
    let answered = Answered {
        scope: "activate-typed",
        fingerprint: format!("{TYPED_MACHINE}{}", secret::hex(&request.machine)),
        platform: "telephone".into(),
        file: answer.to_code(),
        at,
    };
    let not_after = answer.not_after().0;
    let render = move |a: &Activation| TypedAnswered {
        activation_id: a.id.clone(),
        license_id: a.license_id.clone(),
        answer: a.file.clone(),
        not_after,
    };
    record_answered(s, staff, key, body_hash, &license, answered, render).await
}
