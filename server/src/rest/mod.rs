//! The REST endpoints of the contract (`../shared/spec/emsp-api-v2.md`), paths exactly as written.
mod auth;
pub mod envelope;
mod extract;
mod media;

use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;

pub const JSON_BODY_LIMIT: usize = 64 * 1024;

/// The OpenAPI 3.1 description of these endpoints (a test checks it against the router).
pub const OPENAPI: &str = include_str!("../../openapi.json");

pub fn router() -> Router<AppState> {
    let json = Router::new()
        .route("/ocpi/cpo/2.2/register", post(auth::register))
        .route("/ocpi/cpo/api/auth/v1/login", post(auth::login))
        .route("/ocpi/cpo/api/auth/v1/refresh", post(auth::refresh))
        .route("/ocpi/cpo/api/auth/v1/logout", post(auth::logout))
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT));
    let uploads = Router::new()
        .route("/ocpi/cpo/2.2/cpo/upload", post(media::upload_logo))
        .route("/2.2/locations/photos/uploads", post(media::upload_location_photos))
        .layer(DefaultBodyLimit::max(crate::multipart::BODY_LIMIT));
    Router::new().merge(json).merge(uploads).route(
        "/api/openapi.json",
        get(|| async { ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response() }),
    )
}
