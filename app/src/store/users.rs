//! Users and their passwords.
use super::{Store, StoreError};
use crate::clock::now_ms;
use crate::domain::role::Role;

impl Store {
    /// Creates a platform administrator without a password (set it with `set_password`).
    pub async fn create_admin(&self, username: &str) -> Result<i64, StoreError> {
        let now = now_ms();
        let id = sqlx::query_scalar(
            "INSERT INTO users (username, role, date_created, date_modified) VALUES ($1, $2, $3, $3) RETURNING id",
        )
        .bind(username)
        .bind(Role::Admin.as_str())
        .bind(now)
        .fetch_one(self.pool())
        .await
        .map_err(|e| StoreError::unique_as(e, &format!("user {username:?}")))?;
        Ok(id)
    }

    /// Stores a new password hash for `username`.
    pub async fn set_password_hash(&self, username: &str, password_hash: &str) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE users SET password_hash = $1, date_modified = $2 WHERE username = $3")
            .bind(password_hash)
            .bind(now_ms())
            .bind(username)
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("user {username:?}")));
        }
        Ok(())
    }
}
