//! The error of the services shared by REST, GraphQL and the portal. Each entry point maps it once
//! to its own shape (the contract's envelope, a GraphQL error, a message next to a field).
use crate::auth::service::AuthError;
use crate::domain::validation::FieldError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{}", describe_fields(.0))]
    Invalid(Vec<FieldError>),
    #[error("{0} is already taken")]
    Conflict(String),
    #[error("missing or invalid credentials")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    UnsupportedMedia(String),
    #[error("too many failed sign-ins; try again in {0} s")]
    Throttled(u64),
    /// The cause is for the log only; clients get an opaque message.
    #[error("internal error")]
    Internal(String),
}

fn describe_fields(errors: &[FieldError]) -> String {
    errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
}

impl ServiceError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ServiceError::Invalid(vec![FieldError::new(field, message)])
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(what) => ServiceError::Conflict(what),
            StoreError::NotFound(what) => ServiceError::NotFound(format!("{what} not found")),
            StoreError::NotYours(what) => ServiceError::Forbidden(format!("{what} belongs to another CPO")),
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

impl From<AuthError> for ServiceError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Unauthorized => ServiceError::Unauthorized,
            AuthError::RefreshReused => ServiceError::Forbidden(e.to_string()),
            AuthError::Throttled { retry_after_secs } => ServiceError::Throttled(retry_after_secs),
            AuthError::Internal(cause) => ServiceError::Internal(cause),
        }
    }
}
