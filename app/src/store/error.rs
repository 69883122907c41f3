use crate::error::ServiceError;
use thiserror::Error;

/// What the store can fail with. Database text stays in the log (as the source of the error);
/// callers map these to their own envelopes without echoing internals to clients.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database cannot be opened; the text names the problem without the URL (it may carry
    /// a password).
    #[error("{what}")]
    Connect {
        what: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("DATABASE_URL must start with sqlite:, postgres:// or postgresql://")]
    UnknownScheme,
    #[error("migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0} already exists")]
    Conflict(String),
    #[error("{0} not found")]
    NotFound(String),
    /// The object exists but belongs to another CPO owner.
    #[error("{0} belongs to another CPO")]
    NotYours(String),
    #[error("database error")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// Maps a unique-constraint violation to `Conflict(what)`, anything else to `Database`.
    pub fn unique_as(error: sqlx::Error, what: &str) -> Self {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what.to_owned()),
            _ => StoreError::Database(error),
        }
    }

    /// True when the database could not be reached at all (as opposed to refusing a statement):
    /// the same request may succeed later, so callers answer "unavailable", not "failed".
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::Connect { .. }
                | StoreError::Database(
                    sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Tls(_)
                )
        )
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(what) => ServiceError::Conflict(what),
            StoreError::NotFound(what) => ServiceError::NotFound(format!("{what} not found")),
            StoreError::NotYours(what) => ServiceError::Forbidden(format!("{what} belongs to another CPO")),
            other if other.is_unavailable() => ServiceError::Unavailable(Box::new(other)),
            other => ServiceError::Internal(Box::new(other)),
        }
    }
}
