use thiserror::Error;

/// What the store can fail with. Database text stays in the log; callers map these to their
/// own envelopes without echoing internals to clients.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{0}")]
    Connect(String),
    #[error("migration failed: {0}")]
    Migrate(String),
    #[error("{0} already exists")]
    Conflict(String),
    #[error("{0} not found")]
    NotFound(String),
    /// The object exists but belongs to another CPO owner.
    #[error("{0} belongs to another CPO")]
    NotYours(String),
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("database error: {0}")]
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
}
