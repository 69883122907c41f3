//! `GET /bench/locations?limit=&offset=`: the ceiling `make bench` measures the GraphQL
//! `locations` query against. Same authentication as the API, then one SQL statement whose JSON
//! text goes out untouched. Mounted only with `--bench-routes`.
use crate::auth::ApiClient;
use crate::rest::envelope::ApiError;
use crate::state::AppState;
use app::domain::validation::FieldError;
use app::error::ServiceError;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

#[derive(Deserialize)]
struct Page {
    limit: Option<i64>,
    offset: Option<i64>,
}

async fn locations_passthrough(
    State(state): State<AppState>,
    _client: ApiClient,
    Query(page): Query<Page>,
) -> Result<impl IntoResponse, ApiError> {
    let limit = page.limit.unwrap_or(10);
    let offset = page.offset.unwrap_or(0);
    let mut errors = Vec::new();
    if !(0..=100).contains(&limit) {
        errors.push(FieldError::new("limit", "must be between 0 and 100"));
    }
    if offset < 0 {
        errors.push(FieldError::new("offset", "must not be negative"));
    }
    if !errors.is_empty() {
        return Err(ApiError(ServiceError::Invalid(errors)));
    }
    let json = state.store.locations_page_json(limit, offset).await.map_err(ServiceError::from)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], json))
}

pub fn router(enabled: bool) -> Router<AppState> {
    if enabled {
        Router::new().route("/bench/locations", get(locations_passthrough))
    } else {
        Router::new()
    }
}
