//! Liveness and readiness probes, and what follows when the database is gone: writes refused.
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// The process is alive and serving HTTP.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The database answers a real read (and the SQLite file is still the one opened); 503 otherwise
/// so a load balancer stops sending traffic here.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if state.store.is_ready().await {
        (StatusCode::OK, Json(json!({ "status": "ready" })))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "database unavailable" })))
    }
}

/// Refuses every request that may write (anything but GET, HEAD and OPTIONS) with 503 once the
/// SQLite file the server opened was deleted or replaced: what it wrote now would be acknowledged
/// into a file that is gone, and lost at the next start.
pub async fn writes_need_the_database(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let reads_only = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if reads_only || !state.store.database_file_lost() {
        return next.run(request).await;
    }
    tracing::error!("the database file was deleted or replaced under the running server; refusing writes");
    let message = "the database is unavailable; try again later";
    let body = if request.uri().path().starts_with("/graphql") {
        json!({ "errors": [{ "message": message, "extensions": { "code": "UNAVAILABLE" } }] })
    } else {
        json!({ "status": 503, "data": [], "message": format!("Service Unavailable: {message}") })
    };
    (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
}
