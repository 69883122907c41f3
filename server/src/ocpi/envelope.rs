//! The OCPI envelope `{data, status_code, status_message, timestamp}` on every answer, errors
//! included, and the status codes this platform uses.
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

pub const SUCCESS: u16 = 1000;
pub const INVALID: u16 = 2001;
pub const UNKNOWN_LOCATION: u16 = 2003;
pub const SERVER_ERROR: u16 = 3000;
pub const CLIENT_API_UNUSABLE: u16 = 3001;
pub const UNSUPPORTED_VERSION: u16 = 3002;
pub const NO_MATCHING_ENDPOINTS: u16 = 3003;

fn body(data: Option<Value>, status_code: u16, message: Option<&str>) -> Value {
    let mut body = json!({ "status_code": status_code, "timestamp": app::clock::rfc3339(app::clock::now_ms()) });
    if let Some(data) = data {
        body["data"] = data;
    }
    if let Some(message) = message {
        body["status_message"] = json!(message);
    }
    body
}

/// HTTP 200 with `data` and status 1000.
pub fn ok(data: impl Serialize) -> Response {
    let data = serde_json::to_value(data).unwrap_or(Value::Null);
    (StatusCode::OK, Json(body(Some(data), SUCCESS, None))).into_response()
}

/// A refusal or failure: an HTTP status, an OCPI status code and a message for the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcpiError {
    pub http: StatusCode,
    pub code: u16,
    pub message: String,
}

impl OcpiError {
    pub fn new(http: StatusCode, code: u16, message: impl Into<String>) -> Self {
        Self { http, code, message: message.into() }
    }

    /// A missing or unknown token (also a TOKEN_A where it is not accepted).
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, 2000, "missing or unknown token")
    }

    /// Invalid or missing parameters (2001), naming what is wrong. The request reached an
    /// existing resource, so HTTP says 200 and the OCPI status says what is wrong.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::OK, INVALID, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, UNKNOWN_LOCATION, message)
    }

    /// A method the credentials endpoint refuses in the caller's state (already or not registered).
    pub fn method_not_allowed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, 2000, message)
    }

    pub fn server(message: impl Into<String>) -> Self {
        Self::new(StatusCode::OK, SERVER_ERROR, message)
    }
}

impl From<app::store::StoreError> for OcpiError {
    fn from(e: app::store::StoreError) -> Self {
        tracing::error!(cause = %app::error::chain(&e), "OCPI request failed in the store");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, SERVER_ERROR, "the platform could not complete the request")
    }
}

impl IntoResponse for OcpiError {
    fn into_response(self) -> Response {
        (self.http, Json(body(None, self.code, Some(&self.message)))).into_response()
    }
}
