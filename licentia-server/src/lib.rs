//! The licentia back office as a library: what `licentia serve` runs.
//!
//! A thin HTTP server over a database (SQLite by default, PostgreSQL for any
//! number of instances): it stores, authorizes and schedules, and every
//! document it hands out is signed by the core's [`Issuer`](licentia::Issuer).
//! The binary only bootstraps: [`launch`] runs the server until a signal,
//! [`launch_with_listener`] runs it on a listener the caller bound (tests
//! use `127.0.0.1:0`).
//!
//! Routes are declared once ([`routes`]); the router and the OpenAPI
//! document (`/v1/openapi.json`) are both built from that table.

#![deny(unsafe_code)]
#![warn(missing_docs)]

mod api;
pub mod billing;
pub mod bulk;
pub mod config;
pub mod error;
mod extract;
pub mod history;
pub mod jobs;
pub mod keyring;
mod ratelimit;
pub mod secret;
pub mod sql;
pub mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put, MethodRouter};
use axum::Router;
use tokio::sync::{oneshot, RwLock};

pub use config::{Config, Overrides};
use error::{ApiError, ApiResult};
use keyring::Keyring;
use store::{Role, Store};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    store: Arc<dyn Store>,
    keys: Arc<RwLock<Arc<Keyring>>>,
    key_dir: PathBuf,
    /// Policies read so far (they never change once made).
    policies: Arc<std::sync::RwLock<std::collections::HashMap<String, store::Policy>>>,
    /// The configuration it started with (the jobs and notices read it).
    config: Arc<Config>,
}

impl AppState {
    /// Opens the store and loads (or makes) the signing keys: what the
    /// server runs on, and what `licentia jobs run` runs the jobs on.
    pub async fn open(config: &Config) -> Result<AppState, String> {
        let store = open_store(config).await?;
        let key_dir = config.key_dir();
        let keyring = Keyring::open(store.as_ref(), &key_dir).await?;
        Ok(AppState {
            store,
            keys: Arc::new(RwLock::new(Arc::new(keyring))),
            key_dir,
            policies: Arc::default(),
            config: Arc::new(config.clone()),
        })
    }

    /// Signs with the store's active key: `sign` runs on this instance's
    /// keyring, then the store's [`KeyStamp`](store::KeyStamp) is read; when
    /// another instance (or `licentia key rotate`/`retire`) changed the keys,
    /// the keyring is reloaded and `sign` runs again. So a rotation anywhere
    /// takes effect here at the next signature, and no document is handed
    /// out signed by a key that was retired when it was signed.
    async fn sign<T>(&self, sign: impl Fn(&Keyring) -> ApiResult<T>) -> ApiResult<T> {
        let mut keys = self.keys.read().await.clone();
        // Keys change by hand and rarely: a third change during one request
        // is answered with "try again" rather than a loop.
        for _ in 0..3 {
            let signed = sign(&keys)?;
            let stamp = self.store.key_stamp().await?;
            if keys.is_current(&stamp) {
                return Ok(signed);
            }
            keys = self.reload(&stamp).await?;
        }
        Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "keys_changing",
            "the signing keys changed during the request; try again",
        ))
    }

    /// The keyring as the store has it now (reloaded if it changed).
    async fn keyring(&self) -> ApiResult<Arc<Keyring>> {
        let stamp = self.store.key_stamp().await?;
        let keys = self.keys.read().await.clone();
        if keys.is_current(&stamp) {
            return Ok(keys);
        }
        self.reload(&stamp).await
    }

    /// Reloads the keyring unless another request already did (for `stamp`).
    async fn reload(&self, stamp: &store::KeyStamp) -> ApiResult<Arc<Keyring>> {
        let mut held = self.keys.write().await;
        if !held.is_current(stamp) {
            let fresh = Keyring::load(self.store.as_ref(), &self.key_dir).await?;
            tracing::info!(active = %fresh.issuer().public_key().key_id(), "signing keys reloaded");
            *held = Arc::new(fresh);
        }
        Ok(held.clone())
    }
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone.
    Public,
    /// An API token with one of the listed roles (checked in the handler).
    Token,
    /// A product, with its license key; rate limited.
    LicenseKey,
}

/// One route: method, path, who may call it, what it does, and its handler.
pub struct Route {
    /// HTTP method.
    pub method: &'static str,
    /// Path, with `{id}` parameters.
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
    /// One line for the OpenAPI document.
    pub summary: &'static str,
    /// Takes `limit` and `offset` (a list).
    pub paged: bool,
    handler: MethodRouter<AppState>,
}

fn route(
    method: &'static str,
    path: &'static str,
    access: Access,
    summary: &'static str,
    handler: MethodRouter<AppState>,
) -> Route {
    Route {
        method,
        path,
        access,
        summary,
        paged: false,
        handler,
    }
}

impl Route {
    /// A list: the document offers `limit` and `offset` (see
    /// [`extract::PageQuery`]); a route that says so must take them.
    fn paged(mut self) -> Route {
        self.paged = true;
        self
    }
}

/// Every route of the server.
pub fn routes() -> Vec<Route> {
    let mut all = core_routes();
    all.extend(api::purchases::routes());
    all.extend(api::members::routes());
    all.extend(api::subscriptions::routes());
    all.extend(api::notices::routes());
    all.extend(api::reports::routes());
    all.extend(api::bulk::routes());
    all
}

/// Tokens, keys, catalogue, customers, licenses, activations, history.
fn core_routes() -> Vec<Route> {
    use Access::{LicenseKey, Public, Token};
    vec![
        route(
            "get",
            "/healthz",
            Public,
            "The process is up",
            get(api::healthz),
        ),
        route(
            "get",
            "/readyz",
            Public,
            "The database answers",
            get(api::readyz),
        ),
        route(
            "get",
            "/v1/openapi.json",
            Public,
            "This document",
            get(openapi_json),
        ),
        route(
            "post",
            "/v1/tokens",
            Token,
            "Create an API token (admin; shown once)",
            post(api::create_token),
        ),
        route(
            "get",
            "/v1/tokens",
            Token,
            "List API tokens (admin)",
            get(api::list_tokens),
        )
        .paged(),
        route(
            "delete",
            "/v1/tokens/{id}",
            Token,
            "Revoke an API token (admin)",
            delete(api::revoke_token),
        ),
        route(
            "get",
            "/v1/keys",
            Public,
            "Signing public keys and rollover statements",
            get(api::list_keys),
        ),
        route(
            "post",
            "/v1/keys/rotate",
            Token,
            "Make a new active signing key (admin)",
            post(api::rotate_key),
        ),
        route(
            "post",
            "/v1/keys/{id}/retire",
            Token,
            "Retire a trusted signing key: no longer trusted, named in every revocation list (admin)",
            post(api::retire_key),
        ),
        route(
            "post",
            "/v1/products",
            Token,
            "Create a product (admin, issuer)",
            post(api::create_product),
        ),
        route(
            "get",
            "/v1/products",
            Token,
            "List products",
            get(api::list_products),
        )
        .paged(),
        route(
            "get",
            "/v1/products/{id}",
            Token,
            "Show a product (id or code)",
            get(api::show_product),
        ),
        route(
            "post",
            "/v1/policies",
            Token,
            "Create a policy (admin, issuer)",
            post(api::create_policy),
        ),
        route(
            "get",
            "/v1/policies",
            Token,
            "List policies (filter: product_id)",
            get(api::list_policies),
        )
        .paged(),
        route(
            "get",
            "/v1/policies/{id}",
            Token,
            "Show a policy",
            get(api::show_policy),
        ),
        route(
            "post",
            "/v1/customers",
            Token,
            "Create a partner, customer or site (admin, issuer)",
            post(api::create_customer),
        ),
        route(
            "get",
            "/v1/customers",
            Token,
            "List customers (filters: parent_id, kind)",
            get(api::list_customers),
        )
        .paged(),
        route(
            "get",
            "/v1/customers/{id}",
            Token,
            "Show a customer",
            get(api::show_customer),
        ),
        route(
            "put",
            "/v1/customers/{id}/allocation",
            Token,
            "Set the seats of a product the node holds, taken from its parent (raise: finance; lower: admin, issuer, finance)",
            put(api::set_allocation),
        ),
        route(
            "get",
            "/v1/customers/{id}/seats",
            Token,
            "Seats allocated, given on and used, for the node and its subtree",
            get(api::customer_seats),
        ),
        route(
            "get",
            "/v1/customers/{id}/history",
            Token,
            "A customer's history",
            get(api::customer_history),
        )
        .paged(),
        route(
            "post",
            "/v1/plans",
            Token,
            "Create a plan: a policy and add-on options (admin, issuer)",
            post(api::create_plan),
        ),
        route(
            "get",
            "/v1/plans",
            Token,
            "List plans (filter: product_id)",
            get(api::list_plans),
        )
        .paged(),
        route("get", "/v1/plans/{id}", Token, "Show a plan", get(api::show_plan)),
        route(
            "post",
            "/v1/plans/{id}/licenses",
            Token,
            "Issue a license from a plan with chosen options (admin, issuer; Idempotency-Key; key shown once)",
            post(api::issue_from_plan),
        ),
        route(
            "post",
            "/v1/licenses",
            Token,
            "Issue a license from a policy (admin, issuer; Idempotency-Key; key shown once)",
            post(api::issue_license),
        ),
        route(
            "get",
            "/v1/licenses",
            Token,
            "List licenses (filters: product_id, customer_id, status, expires_before)",
            get(api::list_licenses),
        )
        .paged(),
        route(
            "get",
            "/v1/licenses/{id}",
            Token,
            "Show a license",
            get(api::show_license),
        ),
        route(
            "post",
            "/v1/licenses/{id}/suspend",
            Token,
            "Suspend (admin, issuer)",
            post(api::suspend),
        ),
        route(
            "post",
            "/v1/licenses/{id}/reinstate",
            Token,
            "Reinstate a suspended license (admin, issuer)",
            post(api::reinstate),
        ),
        route(
            "post",
            "/v1/licenses/{id}/revoke",
            Token,
            "Revoke for good (admin, issuer)",
            post(api::revoke),
        ),
        route(
            "post",
            "/v1/licenses/{id}/renew",
            Token,
            "Extend: new file or renewal token (admin, issuer, finance; Idempotency-Key)",
            post(api::renew),
        ),
        route(
            "put",
            "/v1/licenses/{id}/entitlements",
            Token,
            "Replace the features (admin, issuer)",
            put(api::set_entitlements),
        ),
        route(
            "put",
            "/v1/licenses/{id}/seats",
            Token,
            "Change seats: only finance raises",
            put(api::set_seats),
        ),
        route(
            "get",
            "/v1/licenses/{id}/activations",
            Token,
            "A license's activations",
            get(api::license_activations),
        )
        .paged(),
        route(
            "get",
            "/v1/licenses/{id}/history",
            Token,
            "A license's history",
            get(api::license_history),
        )
        .paged(),
        route(
            "post",
            "/v1/activations",
            LicenseKey,
            "Activate a machine: machine-locked file, one seat (Idempotency-Key)",
            post(api::activate),
        ),
        route(
            "delete",
            "/v1/activations/{id}",
            LicenseKey,
            "Deactivate, freeing the seat (X-License-Key, or a token)",
            delete(api::deactivate),
        ),
        route(
            "post",
            "/v1/activations/offline",
            Token,
            "Answer an offline activation request (admin, issuer; Idempotency-Key)",
            post(api::activate_offline),
        ),
        route(
            "post",
            "/v1/check-ins",
            LicenseKey,
            "Refresh an activated machine's file",
            post(api::check_in),
        ),
        route(
            "post",
            "/v1/temporary-licenses",
            LicenseKey,
            "Temporary license for a replacement machine (no seat; quota)",
            post(api::temporary),
        ),
        route(
            "post",
            "/v1/leases",
            LicenseKey,
            "Check a floating seat out",
            post(api::checkout),
        ),
        route(
            "post",
            "/v1/leases/{id}/heartbeat",
            LicenseKey,
            "Extend a live lease",
            post(api::heartbeat),
        ),
        route(
            "delete",
            "/v1/leases/{id}",
            LicenseKey,
            "Return a lease early (X-License-Key)",
            delete(api::return_lease),
        ),
        route(
            "get",
            "/v1/revocation-list",
            Public,
            "The signed revocation list of a product (?product=CODE)",
            get(api::revocation_list),
        ),
        route(
            "get",
            "/v1/history",
            Token,
            "The history (filters: license_id, customer_id, operation, after_seq)",
            get(api::history),
        )
        .paged(),
    ]
}

/// The OpenAPI 3.1 document, built from [`routes`].
pub fn openapi() -> serde_json::Value {
    let mut paths = serde_json::Map::new();
    for r in routes() {
        let entry = paths
            .entry(r.path.to_owned())
            .or_insert_with(|| serde_json::json!({}));
        let mut params = Vec::new();
        for name in r.path.split('{').skip(1).filter_map(|p| p.split_once('}')) {
            params.push(serde_json::json!({"name": name.0, "in": "path", "required": true, "schema": {"type": "string"}}));
        }
        let csv = api::reports::answers_csv(r.path);
        if r.paged {
            params.push(serde_json::json!({"name": "limit", "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": extract::MAX_LIMIT}}));
            params.push(serde_json::json!({"name": "offset", "in": "query",
                "schema": {"type": "integer", "minimum": 0}}));
        }
        if r.path == "/v1/revocation-list" {
            params.push(
                serde_json::json!({"name": "product", "in": "query", "required": true,
                "schema": {"type": "string"}}),
            );
        }
        let security = match r.access {
            Access::Public => serde_json::json!([]),
            Access::Token => serde_json::json!([{"token": []}]),
            Access::LicenseKey => serde_json::json!([{"licenseKey": []}, {"token": []}]),
        };
        let mut op = serde_json::json!({
            "summary": r.summary,
            "operationId": format!("{}{}", r.method, r.path.replace(['/', '{', '}', '.', '-'], "_")),
            "parameters": params,
            "security": security,
            "responses": {
                "2XX": {"description": "Success", "content": {"application/json": {}}},
                "default": {"description": "A problem", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            }
        });
        if csv {
            op["responses"]["2XX"]["content"]["text/csv"] = serde_json::json!({});
        }
        if api::bulk::takes_csv(r.method, r.path) {
            op["requestBody"] = serde_json::json!({
                "required": true,
                "content": {"text/csv": {"schema": {"type": "string"}}}
            });
        }
        if let Some(schema) = request_schema(r.method, r.path) {
            // A body whose fields are all optional may be left out.
            let required = schema["required"].as_array().is_some_and(|r| !r.is_empty());
            op["requestBody"] = serde_json::json!({
                "required": required,
                "content": {"application/json": {"schema": schema}}
            });
        }
        entry[r.method] = op;
    }
    serde_json::json!({
        "openapi": "3.1.0",
        "info": {"title": "licentia back office", "version": env!("CARGO_PKG_VERSION")},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer"},
                "licenseKey": {"type": "apiKey", "in": "header", "name": "X-License-Key"}
            },
            "schemas": {
                "Problem": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string"}, "title": {"type": "string"},
                        "status": {"type": "integer"}, "detail": {"type": "string"}
                    }
                }
            }
        }
    })
}

/// A field of a JSON request body: `(name, JSON type, required)`.
pub(crate) type Field = (&'static str, &'static str, bool);

/// The JSON body a route takes; unknown fields are refused.
fn request_schema(method: &str, path: &str) -> Option<serde_json::Value> {
    let fields = core_request_fields(method, path)
        .or_else(|| api::purchases::request_fields(method, path))
        .or_else(|| api::members::request_fields(method, path))
        .or_else(|| api::subscriptions::request_fields(method, path))
        .or_else(|| api::notices::request_fields(method, path))
        .or_else(|| api::reports::request_fields(method, path))
        .or_else(|| api::bulk::request_fields(method, path))?;
    let properties: serde_json::Map<String, serde_json::Value> = fields
        .iter()
        .map(|(name, kind, required)| {
            // An optional field is an `Option`: null is the same as absent.
            let kind = if *required {
                serde_json::json!(kind)
            } else {
                serde_json::json!([kind, "null"])
            };
            ((*name).to_owned(), serde_json::json!({ "type": kind }))
        })
        .collect();
    let required: Vec<&str> = fields.iter().filter(|f| f.2).map(|f| f.0).collect();
    Some(serde_json::json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false
    }))
}

/// The bodies of [`core_routes`].
fn core_request_fields(method: &str, path: &str) -> Option<&'static [Field]> {
    const S: &str = "string";
    const I: &str = "integer";
    const A: &str = "array";
    const O: &str = "object";
    Some(match (method, path) {
        ("post", "/v1/tokens") => &[("name", S, true), ("role", S, true)],
        ("post", "/v1/products") => &[("code", S, true), ("name", S, true)],
        ("post", "/v1/policies") => &[
            ("product_id", S, true),
            ("name", S, true),
            ("kind", S, false),
            ("binding", S, false),
            ("match_rule", S, false),
            ("duration_days", I, false),
            ("seats", I, false),
            ("grace_days", I, false),
            ("check_in_days", I, false),
            ("max_offline_days", I, false),
            ("entitlements", A, false),
            ("temp_quota", I, false),
            ("temp_period_days", I, false),
            ("temp_duration_days", I, false),
            ("lease_ttl_secs", I, false),
        ],
        ("post", "/v1/customers") => &[
            ("kind", S, true),
            ("name", S, true),
            ("parent_id", S, false),
            ("email", S, false),
            ("external_ref", S, false),
        ],
        ("post", "/v1/licenses") => &[
            ("policy_id", S, true),
            ("licensee", S, true),
            ("email", S, false),
            ("customer_id", S, false),
            ("seats", I, false),
            ("machines", A, false),
            ("user", S, false),
            ("metadata", O, false),
            ("expires", S, false),
            ("features", A, false),
        ],
        (
            "post",
            "/v1/licenses/{id}/suspend"
            | "/v1/licenses/{id}/reinstate"
            | "/v1/licenses/{id}/revoke",
        ) => &[("reason", S, false)],
        ("post", "/v1/licenses/{id}/renew") => &[
            ("expires", S, true),
            ("soft_expiry", S, false),
            ("mode", S, false),
            ("activation_id", S, false),
        ],
        ("put", "/v1/licenses/{id}/entitlements") => &[("features", A, true)],
        ("put", "/v1/licenses/{id}/seats") => &[("seats", I, true)],
        ("post", "/v1/plans") => &[
            ("name", S, true),
            ("policy_id", S, true),
            ("options", A, false),
        ],
        ("post", "/v1/plans/{id}/licenses") => &[
            ("licensee", S, true),
            ("email", S, false),
            ("customer_id", S, false),
            ("seats", I, false),
            ("machines", A, false),
            ("user", S, false),
            ("metadata", O, false),
            ("expires", S, false),
            ("options", A, false),
        ],
        ("put", "/v1/customers/{id}/allocation") => &[("product_id", S, true), ("seats", I, true)],
        ("post", "/v1/activations") => &[
            ("license_key", S, true),
            ("fingerprint", S, true),
            ("platform", S, false),
        ],
        ("post", "/v1/activations/offline") => &[("request", S, true), ("valid_days", I, false)],
        ("post", "/v1/check-ins" | "/v1/temporary-licenses" | "/v1/leases") => {
            &[("license_key", S, true), ("fingerprint", S, true)]
        }
        ("post", "/v1/leases/{id}/heartbeat") => &[("license_key", S, true)],
        _ => return None,
    })
}

async fn openapi_json() -> axum::Json<serde_json::Value> {
    axum::Json(openapi())
}

/// The application: every route, the body limit, rate limiting on
/// product-facing routes, problem documents for unknown routes.
fn app(state: AppState, config: &Config) -> Router {
    let limiter = Arc::new(ratelimit::RateLimiter::new(config.rate_limit_per_minute));
    let mut public = Router::new();
    let mut products = Router::new();
    for r in routes() {
        if r.access == Access::LicenseKey {
            products = products.route(r.path, r.handler);
        } else {
            public = public.route(r.path, r.handler);
        }
    }
    let products = products.layer(axum::middleware::from_fn_with_state(
        limiter,
        ratelimit::limit,
    ));
    public
        .merge(products)
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no_route", "no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not take that method",
            )
        })
        .layer(axum::middleware::from_fn(run_to_completion))
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(axum::Extension(extract::MaxBody(config.max_body_bytes)))
        .layer(axum::Extension(extract::BodyDeadline(Duration::from_secs(
            config.body_timeout_secs,
        ))))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Runs each request in a task of its own, so a client that hangs up
/// cannot cancel a handler halfway through a database transaction (which
/// would leave the transaction, and on SQLite the write lock, open on a
/// pooled connection); the work finishes, commits or rolls back.
async fn run_to_completion(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match tokio::spawn(next.run(req)).await {
        Ok(response) => response,
        Err(e) => axum::response::IntoResponse::into_response(ApiError::internal(e)),
    }
}

/// A server running in this process.
#[derive(Debug)]
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The admin token made at the first start of an empty database (shown once).
    pub bootstrap_token: Option<String>,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    /// The periodic jobs, when `jobs_interval_secs` is set.
    jobs: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stops accepting, finishes the requests in flight, and returns.
    pub async fn stop(mut self) -> Result<(), String> {
        if let Some(jobs) = self.jobs.take() {
            // A run cut short rolls its transaction back; the next run
            // (or instance) redoes it, once.
            jobs.abort();
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.task
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())
    }
}

/// Opens the store: the database (created and migrated as needed) and the data directory.
pub async fn open_store(config: &Config) -> Result<Arc<dyn Store>, String> {
    // A new data directory holds customer data and keys: owner-only. An
    // existing one keeps the permissions its operator gave it.
    let mut dir = std::fs::DirBuilder::new();
    dir.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut dir, 0o700);
    dir.create(&config.data_dir)
        .map_err(|e| format!("{}: {e}", config.data_dir.display()))?;
    Ok(Arc::new(sql::SqlStore::connect(config).await?))
}

/// Starts the server on `listener`: opens the database, loads (or makes)
/// the signing key, makes the bootstrap admin token on an empty database.
pub async fn launch_with_listener(
    config: Config,
    listener: tokio::net::TcpListener,
) -> Result<Running, String> {
    let state = AppState::open(&config).await?;
    let (record, token) = api::mint_token("bootstrap admin", Role::Admin, "system");
    let bootstrap_token = state
        .store
        .bootstrap_admin(record, token.hash())
        .await
        .map_err(|e| e.detail)?
        .then(|| token.reveal().to_owned());
    let jobs = jobs::spawn_periodic(state.clone());
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, app(state, &config), rx));
    tracing::info!(%addr, "licentia back office listening");
    Ok(Running {
        addr,
        bootstrap_token,
        shutdown: Some(tx),
        task,
        jobs,
    })
}

/// How long a client may take to send a request's headers: past it the
/// connection is closed, so stalled clients cannot hold connections open.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a graceful stop waits for requests in flight.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Accepts connections until `stop` fires, then lets the requests in flight
/// finish (for at most [`SHUTDOWN_GRACE`]).
///
/// Not `axum::serve`: it gives no way to set hyper's header-read timeout.
async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    mut stop: oneshot::Receiver<()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    use tower::ServiceExt;

    // HTTP/1.1 only: the automatic HTTP/2 detection reads the first bytes
    // before any timeout applies, so a silent client would hold its
    // connection forever.
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors and the like: keep serving the others.
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let service = router.clone().map_request(
            move |mut request: axum::extract::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                request
            },
        );
        let connection = graceful.watch(
            builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)),
        );
        tokio::spawn(async move {
            // A client that hangs up or times out is not the server's error.
            let _ = connection.await;
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after the shutdown grace; stopping anyway");
    }
    Ok(())
}

/// Sets up `tracing` logs (text, or JSON lines); `RUST_LOG` filters.
pub fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Runs `licentia serve`: binds `config.listen`, prints the address (and a
/// bootstrap admin token on first start) to standard output, serves until
/// SIGTERM or SIGINT, then shuts down gracefully.
pub async fn launch(config: Config) -> Result<(), String> {
    init_logging(config.log_json);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let running = launch_with_listener(config, listener).await?;
    // Handlers are in place before the address is printed: a supervisor
    // that signals as soon as it reads the address gets a graceful stop.
    let stop = shutdown_signal()?;
    if let Some(token) = &running.bootstrap_token {
        println!("bootstrap admin token (shown once, keep it safe): {token}");
    }
    println!("licentia listening on http://{}", running.addr);
    stop.await;
    tracing::info!("shutting down");
    running.stop().await
}

/// Registers SIGTERM and SIGINT now; the future ends at the first of them.
#[cfg(unix)]
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, String> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
    let mut int = signal(SignalKind::interrupt()).map_err(|e| e.to_string())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {},
            _ = int.recv() => {},
        }
    })
}

/// Ctrl-C ends the server.
#[cfg(not(unix))]
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, String> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// `licentia token create`: a new API token, made directly in the database.
pub async fn create_token(config: &Config, role: &str, name: &str) -> Result<String, String> {
    let role = Role::parse(role).ok_or("the role is admin, issuer, finance or auditor")?;
    let store = open_store(config).await?;
    let (record, token) = api::mint_token(name, role, "cli");
    store
        .create_token(record, token.hash())
        .await
        .map_err(|e| e.detail)?;
    Ok(token.reveal().to_owned())
}

/// `licentia audit verify`: checks the whole history chain; the number of
/// entries when whole, else which entry is broken.
pub async fn verify_history(config: &Config) -> Result<i64, String> {
    let store = open_store(config).await?;
    let mut check = history::ChainCheck::new();
    loop {
        let page = store
            .history(
                &store::HistoryFilter {
                    after_seq: Some(check.count()),
                    ..Default::default()
                },
                store::Page {
                    limit: extract::MAX_LIMIT,
                    offset: 0,
                },
            )
            .await
            .map_err(|e| e.detail)?;
        if page.is_empty() {
            break;
        }
        for entry in &page {
            check.next(entry)?;
        }
    }
    let (seq, hash) = store.history_tip().await.map_err(|e| e.detail)?;
    if seq != check.count() || hash != check.tip() {
        return Err(format!(
            "the chain ends at entry {} but its head says {seq}: entries were removed from the end",
            check.count()
        ));
    }
    Ok(check.count())
}

/// `licentia key rotate`: a new active signing key; returns its id. Running
/// servers sign with it from their next signature on (they check the
/// store's keys after each one).
pub async fn rotate_key(config: &Config) -> Result<String, String> {
    let store = open_store(config).await?;
    let keyring = Keyring::open(store.as_ref(), &config.key_dir()).await?;
    let rotated = keyring
        .rotate(store.as_ref(), &config.key_dir(), "cli")
        .await
        .map_err(|e| e.detail)?;
    Ok(rotated.issuer().public_key().key_id().to_string())
}

/// `licentia key retire KEYID`: retires a trusted (not the active) key;
/// running servers stop trusting it at their next signature, and every
/// product's revocation list names it.
pub async fn retire_key(config: &Config, key_id: &str) -> Result<(), String> {
    let store = open_store(config).await?;
    store.retire_key(key_id, "cli").await.map_err(|e| e.detail)
}
