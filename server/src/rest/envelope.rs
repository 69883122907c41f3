//! The contract's envelope `{"status": <HTTP status>, "data": …, "message": "…"}` for every REST
//! response, success or error, and the one mapping from service errors to it.
use crate::auth::AuthRejection;
use app::error::ServiceError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

/// A successful reply: HTTP 200 with `data` and `message`.
pub fn success(data: impl Serialize, message: &str) -> Response {
    let data = serde_json::to_value(data).unwrap_or(Value::Null);
    (StatusCode::OK, Json(json!({ "status": 200, "data": data, "message": message }))).into_response()
}

/// A REST error: converts from the services' error and renders the envelope.
#[derive(Debug)]
pub struct ApiError(pub ServiceError);

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        ApiError(e)
    }
}

impl From<app::store::StoreError> for ApiError {
    fn from(e: app::store::StoreError) -> Self {
        ApiError(e.into())
    }
}

impl From<app::auth::service::AuthError> for ApiError {
    fn from(e: app::auth::service::AuthError) -> Self {
        ApiError(e.into())
    }
}

impl From<AuthRejection> for ApiError {
    fn from(e: AuthRejection) -> Self {
        ApiError(e.0)
    }
}

/// An authentication refusal on its own (an extractor's rejection) is answered in the
/// contract's envelope: REST is the edge whose handlers use the extractors directly.
impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        ApiError(self.0).into_response()
    }
}

impl ApiError {
    pub fn bad_request(field: &str, message: impl Into<String>) -> Self {
        ApiError(ServiceError::invalid(field, message))
    }

    fn status(&self) -> StatusCode {
        match &self.0 {
            ServiceError::Invalid(_) => StatusCode::BAD_REQUEST,
            ServiceError::Conflict(_) => StatusCode::CONFLICT,
            ServiceError::Unauthorized => StatusCode::UNAUTHORIZED,
            ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
            ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
            ServiceError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ServiceError::UnsupportedMedia(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ServiceError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            ServiceError::Charger(_) => StatusCode::BAD_GATEWAY,
            ServiceError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let reason = status.canonical_reason().unwrap_or("Error");
        let (message, data) = match (&self.0, self.0.failure_chain()) {
            (_, Some(cause)) => {
                // The cause stays in the log; the client learns nothing about internals.
                tracing::error!(%cause, "request failed");
                (reason.to_owned(), json!([]))
            }
            (ServiceError::Invalid(fields), None) => (format!("{reason}: {}", self.0), json!(fields)),
            (other, None) => (format!("{reason}: {other}"), json!([])),
        };
        let body = json!({ "status": status.as_u16(), "data": data, "message": message });
        let mut response = (status, Json(body)).into_response();
        match &self.0 {
            ServiceError::Throttled(seconds) => {
                if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
            }
            ServiceError::Unauthorized => {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
        response
    }
}
