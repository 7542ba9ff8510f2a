//! Serving: the router built from the route table, the accept loop with its
//! timeouts and graceful stop, and `licentia serve` itself.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::Router;
use tokio::sync::oneshot;

use crate::client_addr::{ClientAddr, TrustedProxies};
use crate::config::Config;
use crate::error::ApiError;
use crate::routes::{routes, Access};
use crate::service::tokens::mint_token;
use crate::store::{Role, Store};
use crate::{extract, jobs, observe, ratelimit, sql, tls, AppState};

/// The application: every route, the body limit, rate limiting per client
/// address on the routes callable without a staff token, the cap on
/// requests in flight, problem documents for unknown routes, request ids,
/// the access log and the metrics.
fn app(state: AppState, config: &Config) -> Router {
    let mut staff = Router::new();
    let mut open = Router::new();
    for r in routes() {
        if r.access == Access::Token {
            staff = staff.route(r.path, r.handler);
        } else {
            open = open.route(r.path, r.handler);
        }
    }
    let open = open.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        ratelimit::limit_by_address,
    ));
    let router = staff
        .merge(open)
        .merge(crate::console::router(&state))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no_route", "no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not take that method",
            )
        })
        // Inside `run_to_completion`: a request whose client hung up still
        // holds its place until its handler ends.
        .layer(
            tower::ServiceBuilder::new()
                .layer(axum::error_handling::HandleErrorLayer::new(overloaded))
                .layer(tower::load_shed::LoadShedLayer::new())
                .layer(tower::limit::GlobalConcurrencyLimitLayer::new(
                    config.max_in_flight,
                )),
        )
        .layer(axum::middleware::from_fn(run_to_completion))
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(axum::Extension(extract::MaxBody(config.max_body_bytes)))
        .layer(axum::Extension(extract::BodyDeadline(Duration::from_secs(
            config.body_timeout_secs,
        ))));
    observe::instrument(router, &state).with_state(state)
}

/// 503 `overloaded`: `max_in_flight` requests are being handled.
async fn overloaded(_: tower::BoxError) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "overloaded",
        "the server is handling as many requests as it may; retry shortly",
    )
    .retry_after(1)
}

/// Runs each request in a task of its own, so a client that hangs up
/// cannot cancel a handler halfway through a database transaction (which
/// would leave the transaction, and on SQLite the write lock, open on a
/// pooled connection); the work finishes, commits or rolls back.
async fn run_to_completion(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    // In the request's span, so the handler's log lines carry its id.
    match tokio::spawn(tracing::Instrument::in_current_span(next.run(req))).await {
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
    make_data_dir(&config.data_dir)?;
    Ok(Arc::new(sql::SqlStore::connect(config).await?))
}

/// Makes the data directory if it is missing. A new one holds customer
/// data and keys: owner-only. An existing one keeps the permissions its
/// operator gave it.
pub(crate) fn make_data_dir(path: &std::path::Path) -> Result<(), String> {
    let mut dir = std::fs::DirBuilder::new();
    dir.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut dir, 0o700);
    dir.create(path)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Starts the server on `listener`: opens the database, loads (or makes)
/// the signing key, makes the bootstrap admin token on an empty database.
pub async fn launch_with_listener(
    config: Config,
    listener: tokio::net::TcpListener,
) -> Result<Running, String> {
    let state = AppState::open(&config).await?;
    let (record, token) = mint_token("bootstrap admin", Role::Admin, "system", None);
    let bootstrap_token = state
        .store
        .bootstrap_admin(record, token.hash())
        .await
        .map_err(|e| e.to_string())?
        .then(|| token.reveal().to_owned());
    let tls = tls::acceptor(&config)?;
    let jobs = jobs::spawn_periodic(state.clone());
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (tx, rx) = oneshot::channel::<()>();
    let edge = Edge {
        tls,
        proxies: TrustedProxies::new(config.trusted_proxies.clone()),
    };
    let task = tokio::spawn(serve(listener, app(state, &config), edge, rx));
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

/// What happens to a connection before HTTP: TLS, if configured, and
/// finding the client's address.
struct Edge {
    tls: Option<tokio_rustls::TlsAcceptor>,
    proxies: TrustedProxies,
}

/// Accepts connections until `stop` fires, then lets the requests in flight
/// finish (for at most [`SHUTDOWN_GRACE`]).
///
/// Not `axum::serve`: it gives no way to set hyper's header-read timeout.
async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    edge: Edge,
    mut stop: oneshot::Receiver<()>,
) -> std::io::Result<()> {
    use hyper_util::rt::TokioTimer;
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
        let proxies = edge.proxies.clone();
        let service = router.clone().map_request(
            move |mut request: axum::extract::Request<hyper::body::Incoming>| {
                let client = ClientAddr(proxies.client(peer.ip(), request.headers()));
                let extensions = request.extensions_mut();
                extensions.insert(axum::extract::ConnectInfo(peer));
                extensions.insert(client);
                request
            },
        );
        let (builder, watcher, tls) = (builder.clone(), graceful.watcher(), edge.tls.clone());
        tokio::spawn(async move {
            match tls {
                None => serve_connection(&builder, watcher, stream, service).await,
                // The handshake has the same deadline as the headers: a
                // silent client cannot hold the connection open.
                Some(tls) => match tokio::time::timeout(HEADER_READ_TIMEOUT, tls.accept(stream))
                    .await
                {
                    Ok(Ok(stream)) => serve_connection(&builder, watcher, stream, service).await,
                    Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                    Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                },
            }
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

/// Serves HTTP/1.1 on one connection (plain or TLS) until it closes, or
/// until a graceful stop lets its request in flight finish.
async fn serve_connection<I, S>(
    builder: &hyper::server::conn::http1::Builder,
    watcher: hyper_util::server::graceful::Watcher,
    io: I,
    service: S,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    S: tower::Service<
            axum::extract::Request<hyper::body::Incoming>,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    use hyper_util::rt::TokioIo;
    use hyper_util::service::TowerToHyperService;
    let connection = builder.serve_connection(TokioIo::new(io), TowerToHyperService::new(service));
    // A client that hangs up or times out is not the server's error.
    let _ = watcher.watch(connection).await;
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
    let https = config.tls_cert.is_some();
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
    let scheme = if https { "https" } else { "http" };
    println!("licentia listening on {scheme}://{}", running.addr);
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
