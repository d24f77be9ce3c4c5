//! The HTTP side of the server: the WebSocket endpoint, static files,
//! `/healthz` and `/metrics`, and the graceful shutdown.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::Context;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::services::ServeDir;

use crate::config::ServeConfig;
use crate::document::Registry;
use crate::metrics::Metrics;
use crate::session::serve_connection;
use crate::store::{FileStore, RedisStore, Store};

/// The path of the WebSocket endpoint.
pub const WEBSOCKET_PATH: &str = "/ws";

/// The read buffer of each WebSocket. Small, because most connections are
/// idle most of the time; a message larger than it is read in several
/// steps.
const READ_BUFFER: usize = 4 * 1024;

/// The bytes a WebSocket buffers before writing to the socket; a flush
/// writes sooner. Messages queued together then go out in one write.
const WRITE_BUFFER: usize = 8 * 1024;

#[derive(Clone)]
struct AppState {
    registry: Arc<Registry>,
    connections: Arc<AtomicU64>,
}

/// The runtime of the document tasks, shut down without blocking when
/// dropped, because the server is dropped inside another runtime.
struct DocumentRuntime(Option<tokio::runtime::Runtime>);

impl DocumentRuntime {
    /// Starts one worker thread that runs all document tasks. On their own
    /// thread, document tasks do not wait in the run queue behind the
    /// connection tasks that one broadcast wakes, which are many per
    /// operation on a busy document.
    fn start() -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("echostream-documents")
            .enable_all()
            .build()?;
        Ok(DocumentRuntime(Some(runtime)))
    }

    fn handle(&self) -> tokio::runtime::Handle {
        self.0
            .as_ref()
            .expect("the runtime runs until dropped")
            .handle()
            .clone()
    }
}

impl Drop for DocumentRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// A running server.
pub struct Server {
    addr: SocketAddr,
    _documents: DocumentRuntime,
    registry: Arc<Registry>,
    shutdown: CancellationToken,
    tracker: TaskTracker,
    http: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Opens the store, binds `config.addr` and starts serving.
    pub async fn start(config: ServeConfig) -> anyhow::Result<Server> {
        let store = open_store(&config).await?;
        let store_name = match &store {
            Store::File(_) => format!("files in {}", config.data_dir.display()),
            Store::Redis(redis) => format!("redis at {}", redis.address()),
        };
        let shutdown = CancellationToken::new();
        let tracker = TaskTracker::new();
        let documents = DocumentRuntime::start().context("starting the document runtime")?;
        let registry = Registry::new(
            store,
            config.limits.clone(),
            Metrics::new(),
            shutdown.clone(),
            tracker.clone(),
            documents.handle(),
        );
        let state = AppState {
            registry: Arc::clone(&registry),
            connections: Arc::new(AtomicU64::new(0)),
        };

        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("binding {}", config.addr))?;
        let addr = listener.local_addr()?;
        // Operations, acknowledgements and presence are small messages
        // that must leave at once. With Nagle's algorithm a message
        // written while the previous one is unacknowledged waits for that
        // acknowledgement, which the peer may delay.
        let listener = listener.tap_io(|stream| {
            if let Err(error) = stream.set_nodelay(true) {
                tracing::warn!(%error, "failed to set TCP_NODELAY on a connection");
            }
        });
        let app = router(state, &config.static_dir);
        let stop = shutdown.clone();
        let http = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await
        });
        tracing::info!(
            %addr,
            store = %store_name,
            websocket = WEBSOCKET_PATH,
            "server started"
        );
        Ok(Server {
            addr,
            _documents: documents,
            registry,
            shutdown,
            tracker,
            http,
        })
    }

    /// Returns the address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Returns the server's metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.registry.metrics
    }

    /// Returns the number of documents loaded in memory.
    pub fn open_documents(&self) -> usize {
        self.registry.open_documents()
    }

    /// Stops accepting connections, lets every document store what it has
    /// committed, then closes every socket with code 1001. Gives up after
    /// the shutdown timeout.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        tracing::info!(addr = %self.addr, "server stopping");
        self.shutdown.cancel();
        self.tracker.close();
        let timeout = self.registry.limits.shutdown_timeout();
        let drained = tokio::time::timeout(timeout, self.tracker.wait()).await;
        if drained.is_err() {
            tracing::warn!(
                timeout_secs = timeout.as_secs(),
                tasks = self.tracker.len(),
                "shutdown timed out with tasks still running"
            );
        }
        match tokio::time::timeout(timeout, self.http).await {
            Ok(joined) => joined?.context("serving HTTP")?,
            Err(_) => tracing::warn!("the HTTP server did not stop in time"),
        }
        tracing::info!(addr = %self.addr, "server stopped");
        Ok(())
    }
}

/// Opens the file store in the data folder, or connects to Redis when a
/// Redis URL is set.
async fn open_store(config: &ServeConfig) -> anyhow::Result<Store> {
    if let Some(url) = config.redis_url.clone() {
        let redis = tokio::task::spawn_blocking(move || RedisStore::connect(&url)).await??;
        return Ok(Store::Redis(redis));
    }
    let data_dir = config.data_dir.clone();
    let store = tokio::task::spawn_blocking(move || FileStore::new(data_dir, true))
        .await?
        .with_context(|| format!("opening the data folder {}", config.data_dir.display()))?;
    Ok(Store::File(store))
}

/// Runs a server until SIGTERM or Ctrl-C, then shuts it down.
pub async fn run_until_signal(config: ServeConfig) -> anyhow::Result<()> {
    let server = Server::start(config).await?;
    let signal = wait_for_signal().await?;
    tracing::info!(signal, "received a stop signal");
    server.shutdown().await
}

async fn wait_for_signal() -> anyhow::Result<&'static str> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => {
            result.context("listening for Ctrl-C")?;
            Ok("SIGINT")
        }
        _ = terminate.recv() => Ok("SIGTERM"),
    }
}

fn router(state: AppState, static_dir: &Path) -> Router {
    let router = Router::new()
        .route(WEBSOCKET_PATH, get(upgrade))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics));
    let router = if static_dir.is_dir() {
        tracing::info!(dir = %static_dir.display(), "serving static files");
        router.fallback_service(ServeDir::new(static_dir))
    } else {
        tracing::info!(dir = %static_dir.display(), "static folder missing; serving a placeholder page");
        router.route("/", get(placeholder))
    };
    router.with_state(state)
}

async fn upgrade(State(state): State<AppState>, ws: WebSocketUpgrade) -> Response {
    let limits = &state.registry.limits;
    let hard = limits.hard_message_bytes();
    let conn = state.connections.fetch_add(1, Ordering::Relaxed) + 1;
    let registry = Arc::clone(&state.registry);
    let tracker = registry.tracker.clone();
    ws.read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_message_size(hard)
        .max_frame_size(hard)
        .on_upgrade(move |socket| tracker.track_future(serve_connection(socket, registry, conn)))
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let body = state.registry.metrics.render();
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
}

async fn placeholder() -> Html<&'static str> {
    Html(concat!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>EchoStream</title></head>\n",
        "<body><h1>EchoStream server</h1>\n",
        "<p>The web demo is not built. Build it into <code>web-demo/dist</code>, ",
        "or pass <code>--static-dir</code>. WebSocket clients connect to <code>/ws</code>.</p>\n",
        "</body></html>\n"
    ))
}
