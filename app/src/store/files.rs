//! Which stored files the rows name: what the storage sweep and `emsp storage check` compare the
//! files on disk against.
use super::{Store, StoreError};
use crate::uploads::thumbnail_name;
use std::collections::BTreeSet;

impl Store {
    /// Every file a committed row names: location photos with their thumbnails, and logos with
    /// theirs.
    pub async fn referenced_files(&self) -> Result<BTreeSet<String>, StoreError> {
        let photos: Vec<(String, String)> =
            sqlx::query_as("SELECT file_name, thumb_name FROM location_photos").fetch_all(self.pool()).await?;
        let logos: Vec<String> =
            sqlx::query_scalar("SELECT logo FROM cpo_owners WHERE logo IS NOT NULL").fetch_all(self.pool()).await?;
        let mut files = BTreeSet::new();
        for (file, thumbnail) in photos {
            files.insert(file);
            files.insert(thumbnail);
        }
        for logo in logos {
            files.insert(thumbnail_name(&logo));
            files.insert(logo);
        }
        Ok(files)
    }
}
