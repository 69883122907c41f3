//! API client tokens: the contract's `TOKEN`, shown once at creation and stored as a digest.
use super::{Store, StoreError};
use crate::clock::now_ms;
use crate::secret::{self, ExposeSecret, SecretString};
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct ApiTokenInfo {
    pub name: String,
    pub date_created: i64,
    pub revoked: bool,
}

impl Store {
    /// Creates a token called `name` and returns its secret (the only time it is visible).
    pub async fn create_api_token(&self, name: &str) -> Result<SecretString, StoreError> {
        let token = secret::generate("emsp_");
        sqlx::query("INSERT INTO api_tokens (name, token_hash, date_created) VALUES ($1, $2, $3)")
            .bind(name)
            .bind(secret::digest(token.expose_secret()))
            .bind(now_ms())
            .execute(self.pool())
            .await
            .map_err(|e| StoreError::unique_as(e, &format!("a token named {name:?}")))?;
        Ok(token)
    }

    pub async fn list_api_tokens(&self) -> Result<Vec<ApiTokenInfo>, StoreError> {
        let rows = sqlx::query("SELECT name, date_created, revoked_at FROM api_tokens ORDER BY name")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok(ApiTokenInfo {
                    name: row.try_get("name")?,
                    date_created: row.try_get("date_created")?,
                    revoked: row.try_get::<Option<i64>, _>("revoked_at")?.is_some(),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Revokes the token called `name`; `NotFound` when there is no live token of that name.
    pub async fn revoke_api_token(&self, name: &str) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL")
            .bind(now_ms())
            .bind(name)
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("live token {name:?}")));
        }
        Ok(())
    }

    /// The id of the live token whose secret is `token`, if any.
    pub async fn verify_api_token(&self, token: &str) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
            .bind(secret::digest(token))
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }
}
