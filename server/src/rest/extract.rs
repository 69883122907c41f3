//! The JSON body extractor that refuses bad input in the contract's envelope.
use super::envelope::ApiError;
use app::error::ServiceError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::Json;
use serde::de::DeserializeOwned;

/// A JSON body; wrong content type → 415, too large → 413, malformed or wrong shape → 400.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(ApiError(match rejection {
                JsonRejection::MissingJsonContentType(_) => {
                    ServiceError::UnsupportedMedia("Content-Type must be application/json".into())
                }
                JsonRejection::JsonSyntaxError(_) => ServiceError::invalid("body", "is not valid JSON"),
                JsonRejection::JsonDataError(e) => ServiceError::invalid("body", data_error(&e.body_text())),
                other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    ServiceError::TooLarge("the body exceeds 64 KiB".into())
                }
                _ => ServiceError::invalid("body", "cannot be read"),
            })),
        }
    }
}

/// serde's own words ("missing field `username`", "unknown field `role`"), without axum's prefix.
fn data_error(text: &str) -> String {
    text.rsplit_once("type: ").map_or(text, |(_, detail)| detail).to_owned()
}
