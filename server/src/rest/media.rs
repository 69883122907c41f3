//! Multipart uploads: the CPO logo and location photos.
use super::envelope::{success, ApiError};
use crate::auth::AccessSession;
use crate::multipart::{read_logo, read_photos};
use crate::state::AppState;
use app::services::media;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::response::Response;

pub async fn upload_logo(
    State(state): State<AppState>,
    session: AccessSession,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let owner_id = session.cpo_owner_id()?;
    let logo = read_logo(multipart).await?;
    let url = media::replace_logo(&state.store, &state.uploads, owner_id, logo).await?;
    Ok(success(vec![url], "Success"))
}

pub async fn upload_location_photos(
    State(state): State<AppState>,
    session: AccessSession,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let owner_id = session.cpo_owner_id()?;
    let (photos, location_id) = read_photos(multipart).await?;
    let location_id: i64 = location_id
        .ok_or_else(|| ApiError::bad_request("location_id", "is required"))?
        .trim()
        .parse()
        .map_err(|_| ApiError::bad_request("location_id", "must be a location id (a number)"))?;
    let urls = media::add_location_photos(&state.store, &state.uploads, owner_id, location_id, photos).await?;
    Ok(success(urls, "Success"))
}
