//! Reading the multipart bodies of uploads (the CPO logo and location photos), shared by the REST
//! endpoints and the portal's plain form posts. Each file is refused as soon as it passes its
//! limit, so a large upload is never held whole before it is refused.
use app::error::ServiceError;
use app::services::media::MAX_PHOTOS_PER_LOCATION;
use app::uploads::MAX_FILE_BYTES;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::Multipart;

/// The whole request: at most five photos of at most 5 MiB each, plus form overhead.
pub const BODY_LIMIT: usize = 30 * 1024 * 1024;

fn rejected(_: MultipartRejection) -> ServiceError {
    ServiceError::UnsupportedMedia("Content-Type must be multipart/form-data".into())
}

fn broken(e: MultipartError) -> ServiceError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ServiceError::TooLarge("the request exceeds 30 MiB".into())
    } else {
        ServiceError::invalid("body", "is not a readable multipart/form-data body")
    }
}

/// Reads one file field, refusing it as soon as it passes the per-file limit.
async fn read_file(mut field: Field<'_>, name: &str) -> Result<Vec<u8>, ServiceError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(broken)? {
        if bytes.len() + chunk.len() > MAX_FILE_BYTES {
            return Err(ServiceError::TooLarge(format!("{name}: each image may be at most 5 MiB")));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

async fn read_text(field: Field<'_>, name: &str) -> Result<String, ServiceError> {
    let text = field.text().await.map_err(broken)?;
    if text.len() > 64 {
        return Err(ServiceError::invalid(name, "is too long"));
    }
    Ok(text)
}

fn unexpected(name: Option<&str>) -> ServiceError {
    ServiceError::invalid(name.unwrap_or("body"), "is not an expected field")
}

/// The `cpo_logo` file of a logo upload.
pub async fn read_logo(multipart: Result<Multipart, MultipartRejection>) -> Result<Vec<u8>, ServiceError> {
    let mut multipart = multipart.map_err(rejected)?;
    let mut logo = None;
    while let Some(field) = multipart.next_field().await.map_err(broken)? {
        match field.name() {
            Some("cpo_logo") if logo.is_none() => logo = Some(read_file(field, "cpo_logo").await?),
            Some("cpo_logo") => return Err(ServiceError::invalid("cpo_logo", "only one logo may be sent")),
            other => return Err(unexpected(other)),
        }
    }
    logo.ok_or_else(|| ServiceError::invalid("cpo_logo", "is required"))
}

/// The `location_photos` files (at most 5) and the `location_id` text of a photo upload.
pub async fn read_photos(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(Vec<Vec<u8>>, Option<String>), ServiceError> {
    let mut multipart = multipart.map_err(rejected)?;
    let (mut photos, mut location_id) = (Vec::new(), None);
    while let Some(field) = multipart.next_field().await.map_err(broken)? {
        match field.name() {
            Some("location_photos") => {
                if photos.len() as i64 >= MAX_PHOTOS_PER_LOCATION {
                    return Err(ServiceError::invalid("location_photos", "at most 5 photos per request"));
                }
                photos.push(read_file(field, "location_photos").await?);
            }
            Some("location_id") => location_id = Some(read_text(field, "location_id").await?),
            other => return Err(unexpected(other)),
        }
    }
    Ok((photos, location_id))
}
