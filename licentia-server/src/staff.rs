//! The caller of a staff route, and the one place where tenancy is
//! checked: the [`Staff`] extractor authenticates the request (an API
//! token, or a session cookie with its CSRF header), loads the caller's
//! grants, and finds where the record the route's `{id}` names sits in the
//! customer tree. A record outside every grant answers 404, as if it did
//! not exist; a record within reach but without the role asked answers 403.
//! Lists, reports, exports and the history are given the caller's
//! [`Scope`] and keep only what lies within it.

use axum::extract::{FromRequestParts, MatchedPath, RawPathParams};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, StatusCode};

use crate::error::{ApiError, ApiResult};
use crate::secret::{hashes_equal, sha256_hex};
use crate::service::now;
use crate::store::{Account, Grant, Holder, Placement, RecordKind, Role, Scope, TokenRecord};
use crate::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "licentia_session";
/// The header a cookie-authenticated request that changes anything must
/// carry: the session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A machine, with an API token.
    Token(TokenRecord),
    /// A person, with a session.
    Account(Account),
}

/// A member of staff: authenticated by an API token
/// (`Authorization: Bearer ...`) or a session cookie, with the grants it
/// holds and where the record its route names sits.
#[derive(Debug, Clone)]
pub struct Staff {
    /// Who.
    pub caller: Caller,
    /// The roles it holds, each at a node.
    pub grants: Vec<Grant>,
    /// Where the record the route's `{id}` names sits (none: the route
    /// names no record).
    pub target: Option<Placement>,
}

/// What kind of record a route's `{id}` names: the path segment before it.
/// `None` for a segment no record kind is known for (a route so made is
/// refused until it is given one, and the access-matrix test fails).
pub fn record_kind(route: &str) -> Option<RecordKind> {
    let before = route.split("/{id}").next()?;
    let segment = before.rsplit('/').next()?;
    use RecordKind::*;
    Some(match segment {
        "customers" => Customer,
        "licenses" => License,
        "activations" => Activation,
        "leases" => Lease,
        "members" => Member,
        "subscriptions" => Subscription,
        "purchases" => Purchase,
        "contracts" => Contract,
        "follow-ups" => FollowUp,
        "invoices" => Invoice,
        "notifications" => Notification,
        "notice-subscriptions" => NoticeSubscription,
        "tokens" => Token,
        "accounts" => Account,
        "grants" => Grant,
        "products" | "policies" | "plans" | "keys" | "suppliers" | "contract-types" => Catalogue,
        _ => return None,
    })
}

/// What a missing record of `kind` is called in a 404.
fn noun(kind: RecordKind) -> &'static str {
    use RecordKind::*;
    match kind {
        Customer => "customer",
        License => "license",
        Activation => "activation",
        Lease => "lease",
        Member => "member",
        Subscription => "subscription",
        Purchase => "purchase",
        Contract => "contract",
        FollowUp => "follow-up item",
        Invoice => "invoice",
        Notification => "notification",
        NoticeSubscription => "notice subscription",
        Token => "token",
        Account => "account",
        Grant => "grant",
        Catalogue => "record",
    }
}

/// Whether `grant` reaches a record at `placement`.
fn reaches(grant: &Grant, placement: &Placement) -> bool {
    match (&grant.customer_id, placement) {
        (None, _) | (_, Placement::Catalogue) => true,
        (Some(_), Placement::Vendor) => false,
        (Some(node), Placement::Node(path)) => path.iter().any(|n| n == node),
    }
}

impl Staff {
    /// Refuses (403) unless the caller holds one of `roles` where the
    /// route's record sits, at its node or above. A route that names no
    /// record, or a catalogue record, asks for the role at the vendor root:
    /// routes that act at a node named otherwise use [`Staff::allow_at`],
    /// lists [`Staff::scope`].
    pub fn allow(&self, roles: &[Role]) -> ApiResult<()> {
        let at = match &self.target {
            Some(Placement::Node(path)) => Placement::Node(path.clone()),
            _ => Placement::Vendor,
        };
        self.allow_placed(roles, &at)
    }

    /// Lets any granted caller read the route's record: the extractor has
    /// already answered 404 for one outside every grant, and every role reads.
    pub fn read(&self) -> ApiResult<()> {
        Ok(())
    }

    /// Where the route's record sits (the vendor root when it names none).
    pub fn placement(&self) -> Placement {
        self.target.clone().unwrap_or(Placement::Vendor)
    }

    /// As [`Staff::allow`], for a record at `placement`.
    pub fn allow_placed(&self, roles: &[Role], placement: &Placement) -> ApiResult<()> {
        if self.holding(roles, placement).next().is_some() {
            return Ok(());
        }
        let held: Vec<&str> = self.grants.iter().map(|g| g.role.as_str()).collect();
        Err(ApiError::forbidden(format!(
            "the {} role may not do this here",
            held.join(", ")
        )))
    }

    /// The grants with one of `roles` that reach `placement`.
    pub fn holding<'a>(
        &'a self,
        roles: &'a [Role],
        placement: &'a Placement,
    ) -> impl Iterator<Item = &'a Grant> + 'a {
        self.grants
            .iter()
            .filter(move |g| roles.contains(&g.role) && reaches(g, placement))
    }

    /// Refuses unless the caller holds one of `roles` at the customer node
    /// `node` or above (none: at the vendor root). A node outside every
    /// grant answers 404, as one that does not exist.
    pub async fn allow_at(
        &self,
        s: &AppState,
        roles: &[Role],
        node: Option<&str>,
    ) -> ApiResult<Placement> {
        let placement = self.place(s, node).await?;
        self.allow_placed(roles, &placement)?;
        Ok(placement)
    }

    /// Where the customer node `node` sits (none: the vendor root, which
    /// every caller knows of); 404 when there is no such node or it is
    /// outside every grant.
    pub async fn place(&self, s: &AppState, node: Option<&str>) -> ApiResult<Placement> {
        let Some(id) = node else {
            return Ok(Placement::Vendor);
        };
        let placement = Placement::Node(
            s.store
                .node_path(id)
                .await?
                .ok_or_else(|| ApiError::not_found("customer"))?,
        );
        if self.grants.iter().any(|g| reaches(g, &placement)) {
            Ok(placement)
        } else {
            Err(ApiError::not_found("customer"))
        }
    }

    /// The part of the tree the caller reaches with one of `roles`; 403
    /// when it holds none of them anywhere.
    pub fn scope(&self, roles: &[Role]) -> ApiResult<Scope> {
        let held: Vec<&Grant> = self
            .grants
            .iter()
            .filter(|g| roles.contains(&g.role))
            .collect();
        if held.is_empty() {
            let asked: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            return Err(ApiError::forbidden(format!(
                "this needs the {} role, granted nowhere to this caller",
                asked.join(" or ")
            )));
        }
        if held.iter().any(|g| g.customer_id.is_none()) {
            return Ok(Scope::All);
        }
        Ok(Scope::Under(
            held.iter().filter_map(|g| g.customer_id.clone()).collect(),
        ))
    }

    /// Who, for the history: `account:ID` or `token:ID`.
    pub fn actor(&self) -> String {
        match &self.caller {
            Caller::Token(t) => format!("token:{}", t.id),
            Caller::Account(a) => format!("account:{}", a.id),
        }
    }

    /// The token calling, if a token is.
    pub fn token(&self) -> Option<&TokenRecord> {
        match &self.caller {
            Caller::Token(t) => Some(t),
            Caller::Account(_) => None,
        }
    }
}

/// The bearer token of a request, if any.
pub fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// The value of the cookie `name`, if the request carries it.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// The `Set-Cookie` value of the cookie `name` holding `value` for
/// `max_age` seconds (0: ended): HttpOnly, SameSite=Strict, and `Secure`
/// when the server serves HTTPS itself, or people reach it by an
/// `https://` `public_url` (behind a proxy that ends TLS).
pub fn set_cookie(s: &AppState, name: &str, value: &str, max_age: i64) -> ApiResult<HeaderValue> {
    let https = s.config.tls_cert.is_some() || s.config.public_url.starts_with("https://");
    let secure = if https { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .map_err(ApiError::internal)
}

/// The caller of a token.
async fn token_caller(state: &AppState, token: &str) -> ApiResult<(Caller, Vec<Grant>)> {
    let record = state
        .store
        .token_by_hash(&sha256_hex(token.as_bytes()))
        .await?
        .ok_or_else(|| ApiError::unauthorized("unknown or revoked API token"))?;
    if record.expired_at(now().0) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "token_expired",
            "this API token has expired: ask an admin for a new one",
        ));
    }
    let grants = state.store.grants(Holder::Token(&record.id)).await?;
    Ok((Caller::Token(record), grants))
}

/// The caller of a session cookie; a request that may change anything
/// must carry the session's CSRF token in `X-CSRF-Token`.
async fn session_caller(
    state: &AppState,
    parts: &Parts,
    session: &str,
) -> ApiResult<(Caller, Vec<Grant>)> {
    let idle = i64::try_from(state.config.session_idle_secs).unwrap_or(i64::MAX);
    let live = state
        .store
        .touch_session(&sha256_hex(session.as_bytes()), now().0, idle)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "session_ended",
                "the session has ended: log in again",
            )
        })?;
    let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        let sent = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(|v| sha256_hex(v.as_bytes()));
        if !sent.is_some_and(|h| hashes_equal(&h, &live.csrf_hash)) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf_token_missing",
                "a request made with the session cookie must carry the session's X-CSRF-Token header",
            ));
        }
    }
    let account = state.store.account(&live.account_id).await?;
    if account.disabled_at.is_some() {
        return Err(ApiError::unauthorized("this account is disabled"));
    }
    let grants = state.store.grants(Holder::Account(&account.id)).await?;
    Ok((Caller::Account(account), grants))
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (caller, grants) = if let Some(token) = bearer(parts) {
            token_caller(state, token).await?
        } else if let Some(session) = cookie(parts, SESSION_COOKIE) {
            session_caller(state, parts, session).await?
        } else {
            return Err(ApiError::unauthorized(
                "send an API token (Authorization: Bearer lic_...) or log in",
            ));
        };
        if grants.is_empty() {
            return Err(ApiError::forbidden("no role is granted to this caller"));
        }
        let target = match target(parts, state).await? {
            // Outside every grant: the same answer as for no such record.
            Some((kind, placement)) if !grants.iter().any(|g| reaches(g, &placement)) => {
                return Err(ApiError::not_found(noun(kind)));
            }
            found => found.map(|(_, placement)| placement),
        };
        Ok(Staff {
            caller,
            grants,
            target,
        })
    }
}

/// Staff on routes that products may call too: a request with neither an
/// `Authorization` header nor a session cookie is `None`; a token or a
/// session that is sent must be a live one (401 otherwise).
impl axum::extract::OptionalFromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, ApiError> {
        if parts.headers.get(header::AUTHORIZATION).is_none()
            && cookie(parts, SESSION_COOKIE).is_none()
        {
            return Ok(None);
        }
        <Staff as FromRequestParts<AppState>>::from_request_parts(parts, state)
            .await
            .map(Some)
    }
}

/// Where the record the route's `{id}` names sits; 404 when there is none.
async fn target(parts: &mut Parts, state: &AppState) -> ApiResult<Option<(RecordKind, Placement)>> {
    let Some(route) = parts
        .extensions
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
    else {
        return Ok(None);
    };
    if !route.contains("{id}") {
        return Ok(None);
    }
    let kind = record_kind(&route).ok_or_else(|| {
        ApiError::internal(format!("{route}: no record kind is known for this route"))
    })?;
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| ApiError::bad_request("bad path"))?;
    let id = params
        .iter()
        .find(|(name, _)| *name == "id")
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default();
    match state.store.placement(kind, &id).await? {
        Some(placement) => Ok(Some((kind, placement))),
        None => Err(ApiError::not_found(noun(kind))),
    }
}
