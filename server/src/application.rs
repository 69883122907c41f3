//! Builds the whole server from a `Config`: store, router, listener. Tests build it on port 0.
use crate::config::Config;
use crate::state::AppState;
use crate::{health, middleware};
use anyhow::Context;
use app::store::Store;
use axum::Router;
use axum::routing::get;
use leptos::prelude::LeptosOptions;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Connects and migrates the database, then binds the address (port 0 picks a free one).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let store = Store::connect(&config.database_url).await?;
        store.migrate().await?;
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("cannot listen on {}", config.addr))?;
        let leptos_options = LeptosOptions::builder()
            .output_name("emsp")
            .site_root(config.site_root.to_string_lossy().as_ref())
            .site_pkg_dir("pkg")
            .site_addr(listener.local_addr()?)
            .build();
        app::auth::password::warm_up().await;
        let state = AppState { store, config: Arc::new(config), leptos_options };
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
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service).with_graceful_shutdown(shutdown).await?;
        self.state.store.close().await;
        Ok(())
    }
}

fn router(state: AppState) -> Router {
    let routes = generate_route_list(app::App);
    let portal = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .leptos_routes(&state, routes, {
            let options = state.leptos_options.clone();
            move || app::shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(app::shell))
        .with_state(state);
    middleware::apply(portal)
}
