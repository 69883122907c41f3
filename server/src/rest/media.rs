//! Multipart uploads: the CPO logo and location photos.
use super::envelope::{success, ApiError};
use super::extract::AccessSession;
use crate::state::AppState;
use app::error::ServiceError;
use app::services::media;
use app::uploads::MAX_FILE_BYTES;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{Multipart, State};
use axum::response::Response;

fn rejected(_: MultipartRejection) -> ApiError {
    ApiError(ServiceError::UnsupportedMedia("Content-Type must be multipart/form-data".into()))
}

fn broken(e: MultipartError) -> ApiError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError(ServiceError::TooLarge("the request exceeds 30 MiB".into()))
    } else {
        ApiError::bad_request("body", "is not a readable multipart/form-data body")
    }
}

/// Reads one file field, refusing it as soon as it passes the per-file limit.
async fn read_file(mut field: Field<'_>, name: &str) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(broken)? {
        if bytes.len() + chunk.len() > MAX_FILE_BYTES {
            return Err(ApiError(ServiceError::TooLarge(format!("{name}: each image may be at most 5 MiB"))));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

async fn read_text(field: Field<'_>, name: &str) -> Result<String, ApiError> {
    let text = field.text().await.map_err(broken)?;
    if text.len() > 64 {
        return Err(ApiError::bad_request(name, "is too long"));
    }
    Ok(text)
}

fn unexpected(name: Option<&str>) -> ApiError {
    ApiError::bad_request(name.unwrap_or("body"), "is not an expected field")
}

/// The `cpo_logo` file of a logo upload (REST and portal alike).
pub(crate) async fn read_logo(multipart: Result<Multipart, MultipartRejection>) -> Result<Vec<u8>, ApiError> {
    let mut multipart = multipart.map_err(rejected)?;
    let mut logo = None;
    while let Some(field) = multipart.next_field().await.map_err(broken)? {
        match field.name() {
            Some("cpo_logo") if logo.is_none() => logo = Some(read_file(field, "cpo_logo").await?),
            Some("cpo_logo") => return Err(ApiError::bad_request("cpo_logo", "only one logo may be sent")),
            other => return Err(unexpected(other)),
        }
    }
    logo.ok_or_else(|| ApiError::bad_request("cpo_logo", "is required"))
}

/// The `location_photos` files (at most 5) and the `location_id` text of a photo upload.
pub(crate) async fn read_photos(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(Vec<Vec<u8>>, Option<String>), ApiError> {
    let mut multipart = multipart.map_err(rejected)?;
    let (mut photos, mut location_id) = (Vec::new(), None);
    while let Some(field) = multipart.next_field().await.map_err(broken)? {
        match field.name() {
            Some("location_photos") => {
                if photos.len() as i64 >= media::MAX_PHOTOS_PER_LOCATION {
                    return Err(ApiError::bad_request("location_photos", "at most 5 photos per request"));
                }
                photos.push(read_file(field, "location_photos").await?);
            }
            Some("location_id") => location_id = Some(read_text(field, "location_id").await?),
            other => return Err(unexpected(other)),
        }
    }
    Ok((photos, location_id))
}

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
