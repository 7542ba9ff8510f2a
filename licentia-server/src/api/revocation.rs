//! The signed revocation list of a product, public. Lists are signed once
//! per version and kept (see [`RevocationCache`]); clients poll cheaply
//! with `If-None-Match`.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::extract::Q;
use crate::openapi::Operation;
use crate::routes::{AnswerDoc, ArgDoc};
use crate::secret::sha256_hex;
use crate::AppState;
use licentia::{Fingerprint, KeyId, LicenseId, Release, ReleaseKind, RevocationBody, Timestamp};

use crate::routes::{Access, Route};

/// The routes of this part of the API.
pub(crate) fn routes() -> Vec<Route> {
    use Access::Public;
    vec![Route::get(
        "/v1/revocation-list",
        Public,
        "The signed revocation list of a product (?product=CODE; ETag, If-None-Match)",
        revocation_list,
    )]
}

/// `GET /v1/revocation-list?product=CODE`: the signed current list (public).
#[derive(Deserialize, JsonSchema)]
pub(crate) struct RevocationQuery {
    /// The product code.
    product: String,
}

/// The signed lists of this instance, by product id: each is good while
/// the product's list version (which every revocation and every retired
/// key bumps, in the database, so on any instance) and the active signing
/// key are the ones it was signed under.
#[derive(Default)]
pub(crate) struct RevocationCache(RwLock<HashMap<String, CachedList>>);

struct CachedList {
    sequence: i64,
    signer: String,
    etag: String,
    list: Arc<SignedRevocationList>,
}

impl RevocationCache {
    fn get(
        &self,
        product_id: &str,
        sequence: i64,
        signer: &str,
    ) -> Option<(String, Arc<SignedRevocationList>)> {
        let lists = self.0.read().unwrap_or_else(|p| p.into_inner());
        lists
            .get(product_id)
            .filter(|c| c.sequence == sequence && c.signer == signer)
            .map(|c| (c.etag.clone(), c.list.clone()))
    }

    fn put(
        &self,
        product_id: &str,
        signer: &str,
        list: SignedRevocationList,
    ) -> (String, Arc<SignedRevocationList>) {
        let etag = format!("\"{}\"", &sha256_hex(list.document.as_bytes())[..32]);
        let list = Arc::new(list);
        self.0.write().unwrap_or_else(|p| p.into_inner()).insert(
            product_id.to_owned(),
            CachedList {
                sequence: list.sequence,
                signer: signer.to_owned(),
                etag: etag.clone(),
                list: list.clone(),
            },
        );
        (etag, list)
    }
}

/// `GET /v1/revocation-list`.
pub(crate) async fn revocation_list(
    State(s): State<AppState>,
    known: IfNoneMatch,
    Q(q): Q<RevocationQuery>,
) -> ApiResult<Conditional<SignedRevocationList>> {
    let product = s.store.product(&q.product).await?;
    let sequence = s.store.revocation_sequence(&product.id).await?;
    let signer = s
        .keyring()
        .await?
        .issuer()
        .public_key()
        .key_id()
        .to_string();
    let (etag, list) = match s.revocation_lists.get(&product.id, sequence, &signer) {
        Some(hit) => hit,
        None => {
            let list = sign_list(&s, &product.id, product.code).await?;
            s.revocation_lists.put(&product.id, &signer, list)
        }
    };
    Ok(if known.matches(&etag) {
        Conditional::NotModified(etag)
    } else {
        Conditional::Fresh(etag, list)
    })
}

/// Reads the product's revocation state and signs its list.
async fn sign_list(
    s: &AppState,
    product_id: &str,
    code: String,
) -> ApiResult<SignedRevocationList> {
    let state = s
        .store
        .revocation_state(product_id, crate::service::now().0)
        .await?;
    let body = RevocationBody {
        product: code.clone(),
        sequence: u64::try_from(state.sequence).map_err(ApiError::internal)?,
        issued_at: Timestamp(state.updated_at),
        licenses: state
            .licenses
            .iter()
            .map(|id| LicenseId::parse(id))
            .collect::<licentia::Result<_>>()
            .map_err(ApiError::internal)?,
        machines: Vec::new(),
        released: state
            .released
            .iter()
            .map(|r| {
                Ok(Release {
                    license: LicenseId::parse(&r.license_id)?,
                    machine: Fingerprint::parse(&r.fingerprint)?,
                    kind: if r.lease {
                        ReleaseKind::LeaseReturned
                    } else {
                        ReleaseKind::Deactivated
                    },
                    at: Timestamp(r.at),
                })
            })
            .collect::<licentia::Result<_>>()
            .map_err(ApiError::internal)?,
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
        .sign(|k| {
            let mut body = body.clone();
            loop {
                match k.issuer().revocation_list(&body) {
                    Ok(list) => return Ok(list.to_armor()),
                    // Too many releases for one list: the oldest go first
                    // (their files are the likeliest to have ended).
                    Err(licentia::Error::TooLarge { .. }) if !body.released.is_empty() => {
                        body.released.sort_by_key(|r| std::cmp::Reverse(r.at));
                        let keep = body.released.len() * 3 / 4;
                        tracing::warn!(
                            dropped = body.released.len() - keep,
                            "revocation list over its size limit: the oldest releases left out"
                        );
                        body.released.truncate(keep);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        })
        .await?;
    Ok(SignedRevocationList {
        product: code,
        sequence: state.sequence,
        document,
    })
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

/// The `If-None-Match` header: the entity tags the caller already holds.
pub(crate) struct IfNoneMatch(Option<String>);

impl IfNoneMatch {
    /// Whether the caller holds `etag` (or asks with `*`).
    fn matches(&self, etag: &str) -> bool {
        self.0.as_deref().is_some_and(|held| {
            held.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == etag || t == "*")
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfNoneMatch {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(IfNoneMatch(
            parts
                .headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        ))
    }
}

impl ArgDoc for IfNoneMatch {
    fn document(op: &mut Operation) {
        op.header(
            "If-None-Match",
            "The ETag of the list the caller holds: 304 while it is current",
        );
    }
}

/// A JSON answer with its `ETag`, or 304 when the caller holds it already.
pub(crate) enum Conditional<R> {
    /// 200 with the value.
    Fresh(String, Arc<R>),
    /// 304, no body.
    NotModified(String),
}

impl<R: Serialize> IntoResponse for Conditional<R> {
    fn into_response(self) -> Response {
        match self {
            Conditional::Fresh(etag, value) => {
                ([(header::ETAG, etag)], Json(&*value)).into_response()
            }
            Conditional::NotModified(etag) => {
                (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response()
            }
        }
    }
}

impl<R: JsonSchema> AnswerDoc for Conditional<R> {
    fn document(op: &mut Operation) {
        op.answer::<R>(200, false);
        op.empty_answer(
            304,
            "Not modified: the caller's copy (If-None-Match) is current",
        );
    }
}
