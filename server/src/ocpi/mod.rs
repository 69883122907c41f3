//! OCPI 2.2.1 under `/ocpi`: versions, credentials (both handshake directions) and Locations as
//! Sender for every hosted CPO party. Answers use the OCPI envelope and OCPI tokens only: API
//! tokens do not work here, OCPI tokens work nowhere else.
mod auth;
mod client;
mod credentials;
mod envelope;
mod locations;
mod outbox;
mod types;
mod versions;

use crate::config::OcpiSettings;
use app::store::Store;
use axum::extract::FromRef;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use std::sync::Arc;

pub use client::PeerClient;
pub use credentials::{new_token, register, remove};
pub use envelope::OcpiError;
pub use locations::wire::location_problems;
pub use outbox::run as push;
pub use types::Endpoint;

#[derive(Clone)]
pub struct OcpiState {
    pub store: Store,
    pub settings: Arc<OcpiSettings>,
    pub client: PeerClient,
    /// This node's id: the holder of the push leases it takes.
    pub node_id: Arc<str>,
}

impl OcpiState {
    pub fn new(store: Store, settings: OcpiSettings, node_id: &str) -> Self {
        Self { store, settings: Arc::new(settings), client: PeerClient::default(), node_id: node_id.into() }
    }

    /// An absolute URL of ours.
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.settings.public_url.trim_end_matches('/'))
    }
}

pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    OcpiState: FromRef<S>,
{
    Router::new()
        .route("/ocpi/versions", get(versions::versions))
        .route("/ocpi/2.2.1", get(versions::details))
        .route(
            "/ocpi/2.2.1/credentials",
            get(credentials::get).post(credentials::post).put(credentials::put).delete(credentials::delete),
        )
        .merge(locations::routes())
        .route(
            "/ocpi/2.2.1/{*rest}",
            any(|| async { OcpiError::new(StatusCode::NOT_FOUND, 2000, "no such OCPI endpoint") }),
        )
        .layer(axum::middleware::from_fn(request_ids))
}

/// `X-Request-ID` and `X-Correlation-ID` are echoed (generated when the caller sent none).
async fn request_ids(request: Request, next: Next) -> Response {
    let (request_id, correlation_id) = (echo(&request, "x-request-id"), echo(&request, "x-correlation-id"));
    let mut response = next.run(request).await.into_response();
    response.headers_mut().insert("x-request-id", request_id);
    response.headers_mut().insert("x-correlation-id", correlation_id);
    response
}

/// The request's header `name` (at most 255 bytes), else a new UUID.
fn echo(request: &Request, name: &str) -> HeaderValue {
    request.headers().get(name).filter(|v| v.len() <= 255).cloned().unwrap_or_else(|| {
        HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()).unwrap_or(HeaderValue::from_static("-"))
    })
}
