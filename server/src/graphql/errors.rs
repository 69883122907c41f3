//! GraphQL errors: the services' errors with a machine-readable `code` (and the offending fields
//! for validation), never database text.
use app::error::{ChargerFailure, ServiceError};
use async_graphql::{Error, ErrorExtensions};

/// An opaque error whose cause chain goes to the log only.
pub fn internal(cause: &(dyn std::error::Error + 'static)) -> Error {
    tracing::error!(cause = %app::error::chain(cause), "graphql request failed");
    Error::new("internal error").extend_with(|_, e| e.set("code", "INTERNAL"))
}

/// A dependency (the database) could not answer: the client may repeat the request as it is.
fn unavailable(cause: &(dyn std::error::Error + 'static)) -> Error {
    tracing::error!(cause = %app::error::chain(cause), "graphql request failed");
    Error::new("the service is unavailable; try again later").extend_with(|_, e| e.set("code", "UNAVAILABLE"))
}

pub fn bad_input(field: &str, message: impl Into<String>) -> Error {
    service(ServiceError::invalid(field, message))
}

pub fn service(error: ServiceError) -> Error {
    let code = match &error {
        ServiceError::Invalid(_) => "BAD_USER_INPUT",
        ServiceError::Conflict(_) => "CONFLICT",
        ServiceError::Unauthorized => "UNAUTHENTICATED",
        ServiceError::Forbidden(_) => "FORBIDDEN",
        ServiceError::NotFound(_) => "NOT_FOUND",
        ServiceError::TooLarge(_) | ServiceError::UnsupportedMedia(_) => "BAD_USER_INPUT",
        ServiceError::Throttled(_) => "THROTTLED",
        ServiceError::Charger(ChargerFailure::NotConnected(_)) => "CHARGER_OFFLINE",
        ServiceError::Charger(ChargerFailure::Timeout { .. }) => "CHARGER_TIMEOUT",
        ServiceError::Charger(ChargerFailure::Refused { .. }) => "CHARGER_ERROR",
        ServiceError::Unavailable(_) => return unavailable(&error),
        ServiceError::Internal(_) => return internal(&error),
    };
    let fields: Vec<String> = match &error {
        ServiceError::Invalid(fields) => fields.iter().map(|f| f.field.clone()).collect(),
        ServiceError::Conflict(field) => vec![field.clone()],
        _ => Vec::new(),
    };
    Error::new(error.to_string()).extend_with(|_, e| {
        e.set("code", code);
        if !fields.is_empty() {
            e.set("fields", fields.clone());
        }
    })
}

impl From<ServiceErrorWrapper> for Error {
    fn from(e: ServiceErrorWrapper) -> Self {
        service(e.0)
    }
}

/// Lets `?` turn store and service errors into GraphQL errors.
pub struct ServiceErrorWrapper(pub ServiceError);

impl From<app::store::StoreError> for ServiceErrorWrapper {
    fn from(e: app::store::StoreError) -> Self {
        ServiceErrorWrapper(e.into())
    }
}
