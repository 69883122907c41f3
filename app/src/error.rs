//! The error of the services shared by REST, GraphQL and the portal. Each entry point maps it once
//! to its own shape (the contract's envelope, a GraphQL error, a message next to a field) and logs
//! the cause chain of `Internal` and `Unavailable` there, once.
//!
//! This layer sits just above `domain`: the layers above convert their own errors into it
//! (`impl From<StoreError> for ServiceError` lives in `store`, and so on), never the other way.
use crate::domain::validation::FieldError;
use std::error::Error;

/// The cause of an internal failure, kept whole so the log shows every link of the chain.
pub type Cause = Box<dyn Error + Send + Sync + 'static>;

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
    /// A command could not reach a charger or the charger refused it.
    #[error("{0}")]
    Charger(ChargerFailure),
    /// A dependency (the database) cannot answer now; the request may be repeated as it is.
    /// Never reported as "unauthorized": a client must not throw away a good token for it.
    #[error("the service is unavailable; try again later")]
    Unavailable(#[source] Cause),
    /// The cause is for the log only; clients get an opaque message.
    #[error("internal error")]
    Internal(#[source] Cause),
}

/// Why a command to a charger has no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChargerFailure {
    #[error("charger {0} is not connected")]
    NotConnected(String),
    #[error("charger {charge_point_id} did not answer within {seconds} s")]
    Timeout { charge_point_id: String, seconds: u64 },
    /// The charger answered with a CALLERROR.
    #[error("the charger answered {code}: {description}")]
    Refused { code: String, description: String },
}

fn describe_fields(errors: &[FieldError]) -> String {
    errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
}

impl ServiceError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ServiceError::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn internal(cause: impl Into<Cause>) -> Self {
        ServiceError::Internal(cause.into())
    }

    /// The cause chain of a failure on our side, for the one log line at the edge; `None` for
    /// refusals of the request itself, which are the client's to fix and need no log.
    pub fn failure_chain(&self) -> Option<String> {
        matches!(self, ServiceError::Internal(_) | ServiceError::Unavailable(_)).then(|| chain(self))
    }
}

/// An error with all its sources, `outer: inner: innermost`.
pub fn chain(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_names_every_cause() {
        let io = std::io::Error::other("disk full");
        let error = ServiceError::internal(io);
        assert_eq!(error.to_string(), "internal error");
        assert_eq!(error.failure_chain().as_deref(), Some("internal error: disk full"));
        assert_eq!(ServiceError::invalid("name", "is required").failure_chain(), None);
    }
}
