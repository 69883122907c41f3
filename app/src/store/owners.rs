//! CPO owners: invitations, logos, deletion.
use super::{Store, StoreError};
use crate::clock::now_ms;
use crate::domain::views::OwnerProfile;
use crate::uploads::StoredImage;
use sqlx::Row;

impl Store {
    /// Uses the invitation whose secret digests to `token_hash` to set the password, once and
    /// before it expires; returns the username.
    pub async fn accept_invitation(&self, token_hash: &str, password_hash: &str) -> Result<String, StoreError> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        let user_id: Option<i64> = sqlx::query_scalar(
            "UPDATE invitations SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
        )
        .bind(now)
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let user_id = user_id.ok_or_else(|| StoreError::NotFound("a valid invitation".into()))?;
        let username: String = sqlx::query_scalar(
            "UPDATE users SET password_hash = $1, date_modified = $2 WHERE id = $3 RETURNING username",
        )
        .bind(password_hash)
        .bind(now)
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(username)
    }

    /// Removes a CPO owner with everything it owns (used to undo a registration whose mail failed).
    pub async fn delete_cpo_owner(&self, owner_id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM cpo_owners WHERE id = $1").bind(owner_id).execute(self.pool()).await?;
        Ok(())
    }

    /// Points the owner's logo at `logo`; returns the file it replaced.
    pub async fn set_logo(&self, owner_id: i64, logo: &StoredImage) -> Result<Option<String>, StoreError> {
        let mut tx = self.pool().begin().await?;
        // The write comes first so concurrent replacements serialise on the row.
        let previous: Option<Option<String>> =
            sqlx::query_scalar("UPDATE cpo_owners SET date_modified = $1 WHERE id = $2 RETURNING logo")
                .bind(now_ms())
                .bind(owner_id)
                .fetch_optional(&mut *tx)
                .await?;
        let previous = previous.ok_or_else(|| StoreError::NotFound("CPO owner".into()))?;
        let (width, height) = logo.size_columns();
        sqlx::query("UPDATE cpo_owners SET logo = $1, logo_width = $2, logo_height = $3 WHERE id = $4")
            .bind(&logo.file)
            .bind(width)
            .bind(height)
            .bind(owner_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(previous)
    }

    pub async fn logo_of(&self, owner_id: i64) -> Result<Option<String>, StoreError> {
        let logo: Option<Option<String>> = sqlx::query_scalar("SELECT logo FROM cpo_owners WHERE id = $1")
            .bind(owner_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(logo.flatten())
    }

    pub async fn owner_profile(&self, owner_id: i64) -> Result<Option<OwnerProfile>, StoreError> {
        let row = sqlx::query(
            "SELECT id, cpo_owner_name, contact_name, contact_number, contact_email, ocpp_ready, logo, party_country_code, \
             party_id FROM cpo_owners WHERE id = $1",
        )
        .bind(owner_id)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let logo: Option<String> = row.try_get("logo")?;
        Ok(Some(OwnerProfile {
            id: row.try_get("id")?,
            cpo_owner_name: row.try_get("cpo_owner_name")?,
            contact_name: row.try_get("contact_name")?,
            contact_number: row.try_get("contact_number")?,
            contact_email: row.try_get("contact_email")?,
            ocpp_ready: row.try_get::<i64, _>("ocpp_ready")? != 0,
            logo_url: logo.as_deref().map(crate::uploads::public_url),
            logo_thumbnail_url: logo.as_deref().map(|f| crate::uploads::public_url(&crate::uploads::thumbnail_name(f))),
            party_country_code: row.try_get("party_country_code")?,
            party_id: row.try_get("party_id")?,
        }))
    }

    /// Changes the contact details; the email is also the user's sign-in email, kept unique.
    pub async fn update_contact(&self, owner_id: i64, name: &str, number: &str, email: &str) -> Result<(), StoreError> {
        let now = now_ms();
        let email = email.to_lowercase();
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE cpo_owners SET contact_name = $1, contact_number = $2, contact_email = $3, date_modified = $4 WHERE id = $5")
            .bind(name)
            .bind(number)
            .bind(&email)
            .bind(now)
            .bind(owner_id)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::unique_as(e, "contact_email"))?;
        sqlx::query("UPDATE users SET email = $1, date_modified = $2 WHERE cpo_owner_id = $3")
            .bind(&email)
            .bind(now)
            .bind(owner_id)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::unique_as(e, "contact_email"))?;
        tx.commit().await?;
        Ok(())
    }
}
