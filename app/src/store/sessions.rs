//! Server-side state of access and refresh tokens (families, rotation, revocation) and failed
//! sign-ins. It lives in the database so that every server process honours it.
use super::{Store, StoreError};
use crate::clock::now_ms;
use crate::domain::role::Role;
use sqlx::Row;

/// A user as needed to sign in and to authorise requests.
#[derive(Debug, Clone)]
pub struct UserAccount {
    pub id: i64,
    pub username: String,
    pub password_hash: Option<String>,
    pub role: Role,
    pub cpo_owner_id: Option<i64>,
}

/// What presenting a refresh token did.
#[derive(Debug, PartialEq, Eq)]
pub enum Rotation {
    /// The token was live: it is retired and its successor stored.
    Rotated,
    /// The token had already been used: the family is now revoked.
    Reused,
    /// Unknown token or revoked family.
    Invalid,
}

const USER_COLUMNS: &str = "id, username, password_hash, role, cpo_owner_id";

fn role(row: &sqlx::any::AnyRow) -> Result<Role, sqlx::Error> {
    let text: String = row.try_get("role")?;
    Role::parse(&text).ok_or_else(|| sqlx::Error::Decode(format!("unknown role {text:?}").into()))
}

fn account(row: &sqlx::any::AnyRow) -> Result<UserAccount, sqlx::Error> {
    Ok(UserAccount {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        password_hash: row.try_get("password_hash")?,
        role: role(row)?,
        cpo_owner_id: row.try_get("cpo_owner_id")?,
    })
}

impl Store {
    pub async fn user_by_username(&self, username: &str) -> Result<Option<UserAccount>, StoreError> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1"))
            .bind(username)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(account).transpose()?)
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<UserAccount>, StoreError> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(account).transpose()?)
    }

    /// Starts a token family at sign-in with its first refresh token.
    pub async fn start_token_family(
        &self,
        user_id: i64,
        family: &str,
        refresh_jti: &str,
        refresh_expires_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("INSERT INTO token_families (id, user_id, date_created) VALUES ($1, $2, $3)")
            .bind(family)
            .bind(user_id)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO refresh_tokens (jti, family_id, expires_at) VALUES ($1, $2, $3)")
            .bind(refresh_jti)
            .bind(family)
            .bind(refresh_expires_ms)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Retires refresh token `old_jti` of `family` and stores `new_jti` in its place, atomically:
    /// of two concurrent calls with the same token exactly one rotates.
    pub async fn rotate_refresh_token(
        &self,
        family: &str,
        old_jti: &str,
        new_jti: &str,
        new_expires_ms: i64,
    ) -> Result<Rotation, StoreError> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        // Writing first takes the write lock at once (SQLite) / the row lock (PostgreSQL), so a
        // concurrent twin waits here and then finds the token already used.
        let retired = sqlx::query(
            "UPDATE refresh_tokens SET used_at = $1 WHERE jti = $2 AND family_id = $3 AND used_at IS NULL AND expires_at > $1 \
             AND NOT EXISTS (SELECT 1 FROM token_families WHERE id = $3 AND revoked_at IS NOT NULL)",
        )
        .bind(now)
        .bind(old_jti)
        .bind(family)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if retired == 1 {
            sqlx::query("INSERT INTO refresh_tokens (jti, family_id, expires_at) VALUES ($1, $2, $3)")
                .bind(new_jti)
                .bind(family)
                .bind(new_expires_ms)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(Rotation::Rotated);
        }
        let used: Option<Option<i64>> =
            sqlx::query_scalar("SELECT used_at FROM refresh_tokens WHERE jti = $1 AND family_id = $2")
                .bind(old_jti)
                .bind(family)
                .fetch_optional(&mut *tx)
                .await?;
        let family_live: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM token_families WHERE id = $1 AND revoked_at IS NULL")
                .bind(family)
                .fetch_optional(&mut *tx)
                .await?;
        let outcome = match (used, family_live) {
            (Some(Some(_)), Some(_)) => {
                revoke_family(&mut tx, family, now).await?;
                Rotation::Reused
            }
            _ => Rotation::Invalid,
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Logout: the access token `jti` (valid until `expires_ms`) and its whole family stop working.
    pub async fn revoke_session(&self, family: &str, access_jti: &str, expires_ms: i64) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("INSERT INTO revoked_access_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING")
            .bind(access_jti)
            .bind(expires_ms)
            .execute(&mut *tx)
            .await?;
        revoke_family(&mut tx, family, now_ms()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// True when the access token `jti` was revoked or its family was.
    pub async fn access_revoked(&self, family: &str, jti: &str) -> Result<bool, StoreError> {
        let revoked: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM revoked_access_tokens WHERE jti = $1) \
                  + (SELECT COUNT(*) FROM token_families WHERE id = $2 AND revoked_at IS NOT NULL) \
                  + (1 - (SELECT COUNT(*) FROM token_families WHERE id = $2))",
        )
        .bind(jti)
        .bind(family)
        .fetch_one(self.pool())
        .await?;
        Ok(revoked > 0)
    }

    pub async fn record_login_failure(&self, subjects: &[&str]) -> Result<(), StoreError> {
        let now = now_ms();
        for subject in subjects {
            sqlx::query("INSERT INTO login_failures (subject, at) VALUES ($1, $2)")
                .bind(*subject)
                .bind(now)
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }

    /// Failures of `subject` since `since_ms`, and the time of the oldest of them.
    pub async fn login_failures_since(&self, subject: &str, since_ms: i64) -> Result<(i64, Option<i64>), StoreError> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n, MIN(at) AS oldest FROM login_failures WHERE subject = $1 AND at > $2")
                .bind(subject)
                .bind(since_ms)
                .fetch_one(self.pool())
                .await?;
        Ok((row.try_get("n")?, row.try_get("oldest")?))
    }

    pub async fn clear_login_failures(&self, subject: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE subject = $1").bind(subject).execute(self.pool()).await?;
        Ok(())
    }
}

async fn revoke_family(conn: &mut sqlx::AnyConnection, family: &str, now: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE token_families SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(family)
        .execute(conn)
        .await?;
    Ok(())
}
