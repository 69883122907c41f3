//! Location photos.
use super::{Store, StoreError};
use crate::clock::now_ms;
use crate::uploads::StoredImage;

/// Why photos could not be added.
#[derive(Debug)]
pub enum PhotoRefusal {
    UnknownLocation,
    NotOwner,
    Full { existing: i64, max: i64 },
    Store(StoreError),
}

impl From<sqlx::Error> for PhotoRefusal {
    fn from(e: sqlx::Error) -> Self {
        PhotoRefusal::Store(StoreError::Database(e))
    }
}

impl Store {
    /// The CPO owner of a location, if it exists.
    pub async fn location_owner(&self, location_id: i64) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar("SELECT cpo_owner_id FROM locations WHERE id = $1")
            .bind(location_id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Adds `photos` to a location of `owner_id`, keeping at most `max`, all or none.
    pub async fn add_location_photos(
        &self,
        owner_id: i64,
        location_id: i64,
        photos: &[StoredImage],
        max: i64,
    ) -> Result<(), PhotoRefusal> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        // Touching the location first locks it, so two concurrent uploads cannot both pass the limit.
        let owner: Option<i64> =
            sqlx::query_scalar("UPDATE locations SET date_modified = $1 WHERE id = $2 RETURNING cpo_owner_id")
                .bind(now)
                .bind(location_id)
                .fetch_optional(&mut *tx)
                .await?;
        match owner {
            None => return Err(PhotoRefusal::UnknownLocation),
            Some(owner) if owner != owner_id => return Err(PhotoRefusal::NotOwner),
            Some(_) => {}
        }
        super::locations::journal(&mut tx, location_id, now).await.map_err(PhotoRefusal::Store)?;
        let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM location_photos WHERE location_id = $1")
            .bind(location_id)
            .fetch_one(&mut *tx)
            .await?;
        if existing + photos.len() as i64 > max {
            return Err(PhotoRefusal::Full { existing, max });
        }
        for photo in photos {
            let (width, height) = photo.size_columns();
            sqlx::query(
                "INSERT INTO location_photos (location_id, file_name, thumb_name, date_created, width, height) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(location_id)
            .bind(&photo.file)
            .bind(&photo.thumbnail)
            .bind(now)
            .bind(width)
            .bind(height)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn photo_count(&self, location_id: i64) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM location_photos WHERE location_id = $1")
            .bind(location_id)
            .fetch_one(self.pool())
            .await?)
    }
}
