//! Liveness and readiness probes.
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

/// The process is alive and serving HTTP.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The database answers; 503 otherwise so a load balancer stops sending traffic here.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if state.store.is_ready().await {
        (StatusCode::OK, Json(json!({ "status": "ready" })))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "database unavailable" })))
    }
}
