//! Serving: the router built from the route table, the accept loop with its
//! timeouts and graceful stop, and `licentia serve` itself.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::Router;
use tokio::sync::oneshot;

use crate::config::Config;
use crate::error::ApiError;
use crate::routes::{routes, Access};
use crate::service::tokens::mint_token;
use crate::store::{Role, Store};
use crate::{extract, jobs, ratelimit, sql, AppState};

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
    let (record, token) = mint_token("bootstrap admin", Role::Admin, "system");
    let bootstrap_token = state
        .store
        .bootstrap_admin(record, token.hash())
        .await
        .map_err(|e| e.to_string())?
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

/// Where the first start writes the bootstrap admin token, in the data directory.
pub const BOOTSTRAP_TOKEN_FILE: &str = "bootstrap-admin-token";

/// Runs `licentia serve`: binds `config.listen`, prints the address to
/// standard output (and, at the first start, the path of the 0600 file
/// holding the bootstrap admin token: the token itself never goes to a
/// terminal or a log), serves until SIGTERM or SIGINT, then shuts down
/// gracefully.
pub async fn launch(config: Config) -> Result<(), String> {
    init_logging(config.log_json);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let token_file = config.data_dir.join(BOOTSTRAP_TOKEN_FILE);
    let running = launch_with_listener(config, listener).await?;
    // Handlers are in place before the address is printed: a supervisor
    // that signals as soon as it reads the address gets a graceful stop.
    let stop = shutdown_signal()?;
    if let Some(token) = &running.bootstrap_token {
        write_private(&token_file, token)?;
        println!(
            "bootstrap admin token written to {} (read it, keep it safe, delete the file)",
            token_file.display()
        );
    }
    println!("licentia listening on http://{}", running.addr);
    stop.await;
    tracing::info!("shutting down");
    running.stop().await
}

/// Writes the bootstrap token to `path` (0600), replacing any file there
/// (the token of an earlier, deleted database).
fn write_private(path: &std::path::Path, text: &str) -> Result<(), String> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(format!("{}: {e}", path.display()))
        }
        _ => crate::custody::write_private_file(path, text),
    }
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
