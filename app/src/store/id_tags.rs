//! The RFID tags (OCPP idTags) an owner accepts at its chargers. Tags compare case-insensitively,
//! so the key is the lower-cased tag; the tag as entered is kept for display.
use super::{Store, StoreError};
use crate::clock::now_ms;

fn key(id_tag: &str) -> String {
    id_tag.to_lowercase()
}

impl Store {
    pub async fn add_id_tag(&self, owner_id: i64, id_tag: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO id_tags (cpo_owner_id, id_tag_key, id_tag, date_created) VALUES ($1, $2, $3, $4)")
            .bind(owner_id)
            .bind(key(id_tag))
            .bind(id_tag)
            .bind(now_ms())
            .execute(self.pool())
            .await
            .map_err(|e| StoreError::unique_as(e, "id_tag"))?;
        Ok(())
    }

    pub async fn remove_id_tag(&self, owner_id: i64, id_tag: &str) -> Result<(), StoreError> {
        let removed = sqlx::query("DELETE FROM id_tags WHERE cpo_owner_id = $1 AND id_tag_key = $2")
            .bind(owner_id)
            .bind(key(id_tag))
            .execute(self.pool())
            .await?
            .rows_affected();
        if removed == 0 {
            return Err(StoreError::NotFound("id tag".into()));
        }
        Ok(())
    }

    /// The owner's tags in the order they were added.
    pub async fn id_tags(&self, owner_id: i64) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT id_tag FROM id_tags WHERE cpo_owner_id = $1 ORDER BY date_created, id_tag_key")
            .bind(owner_id)
            .fetch_all(self.pool())
            .await?)
    }

    pub async fn id_tag_accepted(&self, owner_id: i64, id_tag: &str) -> Result<bool, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM id_tags WHERE cpo_owner_id = $1 AND id_tag_key = $2")
                .bind(owner_id)
                .bind(key(id_tag))
                .fetch_optional(self.pool())
                .await?;
        Ok(found.is_some())
    }
}
