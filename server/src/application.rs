//! Builds the whole server from a `Config`: store, router, listener. Tests build it on port 0.
use crate::config::Config;
use crate::state::AppState;
use crate::{health, middleware, rest};
use anyhow::Context;
use app::auth::jwt::Keys;
use app::mail::Mailer;
use app::secret::ExposeSecret;
use app::store::Store;
use app::uploads::UploadDir;
use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::Router;
use leptos::prelude::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Connects and migrates the database, then binds the address (port 0 picks a free one).
    pub async fn build(mut config: Config) -> anyhow::Result<Self> {
        config.connections.max_connections = connection_capacity(config.connections.max_connections);
        let store = Store::connect(config.database_url.expose_secret()).await?;
        store.migrate().await?;
        let listener =
            TcpListener::bind(config.addr).await.with_context(|| format!("cannot listen on {}", config.addr))?;
        if config.addr.port() == 0 {
            // A public URL naming port 0 (the default on port 0) means the port this server got.
            let (asked, bound) = (config.addr.to_string(), listener.local_addr()?.to_string());
            for url in [&mut config.public_url, &mut config.ocpi.public_url] {
                *url = url.replace(&asked, &bound);
            }
        }
        let leptos_options = LeptosOptions::builder()
            .output_name("emsp")
            .site_root(config.site_root.to_string_lossy().as_ref())
            .site_pkg_dir("pkg")
            .site_addr(listener.local_addr()?)
            .build();
        let smtp_url = config.smtp_url.as_ref().map(ExposeSecret::expose_secret);
        let mailer = Mailer::new(smtp_url, &config.mail_from, config.data_dir.join("outbox"))?;
        app::auth::password::warm_up().await;
        let uploads = UploadDir::new(&config.data_dir);
        // What a crash left of uploads is repaired before the first request.
        crate::jobs::sweep_uploads_once(&store, &uploads, config.upload_grace).await;
        let node_id = config
            .ocpp
            .node_id
            .clone()
            .unwrap_or_else(|| crate::ocpp::default_node_id(listener.local_addr().unwrap_or(config.addr)));
        // Chargers this node held before it stopped are not connected any more.
        let released = store.release_server(&node_id, app::clock::now_ms()).await?;
        tracing::info!(node_id, released, "OCPP gateway ready");
        let ocpi = crate::ocpi::OcpiState::new(store.clone(), config.ocpi.clone(), &node_id);
        let ocpp =
            crate::ocpp::OcppState::new(store.clone(), config.database_url.clone(), config.ocpp.clone(), node_id)?;
        let control = Arc::new(crate::ocpp::GatewayControl::new(ocpp.registry.clone(), config.ocpp.call_timeout));
        let sockets = Arc::new(tokio::sync::Semaphore::new(config.connections.max_connections));
        let state = AppState {
            ocpp,
            ocpi,
            control,
            events: crate::events::EvseEvents::default(),
            sockets,
            store,
            keys: Keys::new(config.jwt_secret.expose_secret()),
            mailer: Arc::new(mailer),
            uploads,
            graphql: crate::graphql::schemas(),
            config: Arc::new(config),
            leptos_options,
        };
        Ok(Self { listener, router: router(state.clone()), state })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or(self.state.config.addr)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish and closes the pool.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (store, uploads) = (self.state.store.clone(), self.state.uploads.clone());
        let sweeper = tokio::spawn(crate::jobs::sweep_uploads(store.clone(), uploads, self.state.config.upload_grace));
        let follower = tokio::spawn(self.state.events.clone().follow(store.clone()));
        let dismissals = tokio::spawn(crate::ocpp::follow_dismissals(store, self.state.ocpp.registry.clone()));
        let pusher = tokio::spawn(crate::ocpi::push(self.state.ocpi.clone()));
        let limits = self.state.config.connections;
        let served = crate::serve::serve(self.listener, self.router, limits, shutdown).await;
        sweeper.abort();
        follower.abort();
        dismissals.abort();
        pusher.abort();
        release_chargers(&self.state).await;
        self.state.store.close().await;
        Ok(served?)
    }
}

/// Closes the charger connections (upgraded sockets outlive the HTTP server) and records that
/// they are gone before the pool closes, rather than at this node's next start, which may never
/// come for a retired node. Bounded, so a stuck database cannot hold the exit.
async fn release_chargers(state: &AppState) {
    let open = state.ocpp.registry.close_all(std::time::Duration::from_secs(5)).await;
    if open > 0 {
        tracing::warn!(open, "charger connections still open 5 s after being told to close");
    }
    let node_id = &state.ocpp.node_id;
    let release = state.store.release_server(node_id, app::clock::now_ms());
    match tokio::time::timeout(std::time::Duration::from_secs(10), release).await {
        Ok(Ok(released)) => tracing::info!(released, "chargers released at shutdown"),
        Ok(Err(e)) => {
            tracing::warn!(cause = %app::error::chain(&e), "chargers not released at shutdown; the next start releases them");
        }
        Err(_) => tracing::warn!("releasing chargers took over 10 s; the next start releases the rest"),
    }
}

/// Raises the open-files limit as far as allowed and keeps `wanted` connections within it, with
/// room for the database pool, uploads and logs.
fn connection_capacity(wanted: usize) -> usize {
    const RESERVED_FILES: u64 = 256;
    match crate::serve::raise_open_files_limit() {
        Ok(open_files) => {
            let room = usize::try_from(open_files.saturating_sub(RESERVED_FILES)).unwrap_or(usize::MAX);
            let max_connections = wanted.min(room).max(1);
            tracing::info!(open_files, max_connections, "connection capacity");
            max_connections
        }
        Err(e) => {
            tracing::warn!(error = %e, max_connections = wanted, "cannot read or raise the open-files limit");
            wanted
        }
    }
}

/// Stored images: random names never change, so they may be cached for a year.
fn uploaded_files(state: &AppState) -> axum::routing::MethodRouter {
    let files = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ))
        .service(ServeDir::new(state.uploads.root()));
    axum::routing::get_service(files)
}

/// What server functions and pages can `use_context` for.
fn portal_context(state: &AppState) -> impl Fn() + Clone + Send + 'static {
    let (store, uploads, control) = (state.store.clone(), state.uploads.clone(), state.control.clone());
    let public = &state.config.public_url;
    let ws = public.replacen("https://", "wss://", 1).replacen("http://", "ws://", 1);
    let endpoint = app::ui::chargers::OcppEndpoint(format!("{}/ocpp", ws.trim_end_matches('/')));
    move || {
        leptos::prelude::provide_context(store.clone());
        leptos::prelude::provide_context(uploads.clone());
        leptos::prelude::provide_context(control.clone());
        leptos::prelude::provide_context(endpoint.clone());
    }
}

/// The benchmark's passthrough route, in builds with the `bench` feature when asked for.
fn bench_routes(state: &AppState) -> Router<AppState> {
    #[cfg(feature = "bench")]
    return crate::bench_routes::router(state.config.bench_routes);
    #[cfg(not(feature = "bench"))]
    {
        let _ = state;
        Router::new()
    }
}

fn router(state: AppState) -> Router {
    let routes = generate_route_list(app::App);
    let body_read_timeout = state.config.body_read_timeout;
    let portal = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .merge(rest::router())
        .merge(crate::graphql::router())
        .merge(crate::ocpp::router())
        .merge(crate::ocpi::router())
        .merge(crate::portal::router())
        .merge(bench_routes(&state))
        .nest_service("/uploads", uploaded_files(&state))
        .leptos_routes_with_context(&state, routes, portal_context(&state), {
            let options = state.leptos_options.clone();
            move || app::shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(portal_context(&state), app::shell))
        .layer(axum::middleware::from_fn(crate::portal::same_origin_only))
        .layer(axum::middleware::from_fn_with_state(state.clone(), health::writes_need_the_database))
        .layer(crate::portal::session_layer(state.store.clone(), &state.config.public_url))
        .with_state(state);
    middleware::apply(portal, body_read_timeout)
}
