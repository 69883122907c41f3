//! The OCPP 1.6J gateway: chargers connect to `GET /ocpp/{charge_point_id}` over WebSocket
//! (security profiles 1 and 2: HTTP Basic, TLS at the proxy) and report boot data and statuses,
//! which become the EVSE fields every API and page shows.
mod calls;
mod connection;
mod dismissals;
mod dispatch;
mod frame;
mod handlers;
mod messages;
mod meter;
mod registry;
mod runtime;
mod schema;
mod session;
mod transactions;
mod upgrade;
mod writer;

use crate::config::OcppSettings;
use app::secret::SecretString;
use app::store::Store;
use axum::extract::FromRef;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;
use tokio::sync::Semaphore;

pub use calls::GatewayControl;
pub use dismissals::follow as follow_dismissals;
pub use registry::Registry;

/// What the gateway needs of the application's state.
#[derive(Clone)]
pub struct OcppState {
    pub store: Store,
    pub settings: Arc<OcppSettings>,
    /// This node's name in the EVSEs' `server_id`.
    pub node_id: Arc<str>,
    pub registry: Registry,
    /// Upgraded sockets leave the accept loop's connection count; this bounds them instead.
    pub permits: Arc<Semaphore>,
    /// Stores status reports in batches.
    pub writer: writer::StatusWriter,
    /// Where the connections run.
    pub connections: runtime::ConnectionRuntime,
}

impl OcppState {
    /// `database_url` is for the status writer's own connections.
    pub fn new(
        store: Store,
        database_url: SecretString,
        settings: OcppSettings,
        node_id: String,
    ) -> std::io::Result<Self> {
        let permits = Arc::new(Semaphore::new(settings.max_connections.max(1)));
        let writer = writer::StatusWriter::start(database_url);
        Ok(Self {
            store,
            settings: Arc::new(settings),
            node_id: node_id.into(),
            registry: Registry::default(),
            permits,
            writer,
            connections: runtime::ConnectionRuntime::start()?,
        })
    }
}

pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    OcppState: FromRef<S>,
{
    Router::new().route("/ocpp/{charge_point_id}", get(upgrade::upgrade))
}

/// A node id that stays the same across restarts of the same host and address.
pub fn default_node_id(addr: std::net::SocketAddr) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{host}/{addr}")
}
