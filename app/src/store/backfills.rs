//! Data the SQL migrations cannot compute, filled right after them. Each step touches only the
//! rows still missing the value, so it resumes after a crash and nodes starting together agree.
use super::{Store, StoreError};
use crate::domain::time_zones;
use sqlx::Row;

/// Rows per transaction: a crash loses at most one batch of work, never a half-written batch.
const BATCH: i64 = 1000;

impl Store {
    pub(super) async fn backfill(&self) -> Result<(), StoreError> {
        self.fill_time_zones().await
    }

    /// Locations from before time zones (migration 0008) get the zone at their coordinates, as a
    /// new location without a chosen zone does.
    async fn fill_time_zones(&self) -> Result<(), StoreError> {
        loop {
            let rows = sqlx::query(
                "SELECT id, address_lat, address_lng FROM locations WHERE time_zone IS NULL ORDER BY id LIMIT $1",
            )
            .bind(BATCH)
            .fetch_all(self.pool())
            .await?;
            if rows.is_empty() {
                return Ok(());
            }
            let mut tx = self.pool().begin().await?;
            for row in &rows {
                let zone = time_zones::at(row.try_get("address_lat")?, row.try_get("address_lng")?);
                sqlx::query("UPDATE locations SET time_zone = $1 WHERE id = $2 AND time_zone IS NULL")
                    .bind(zone)
                    .bind(row.try_get::<i64, _>("id")?)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::store::Store;

    #[tokio::test]
    async fn locations_without_a_zone_get_the_zone_at_their_coordinates() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&format!("sqlite://{}/t.db?mode=rwc", dir.path().display())).await.unwrap();
        store.migrate().await.unwrap();
        sqlx::query(
            "INSERT INTO cpo_owners (cpo_owner_name, contact_name, contact_number, contact_email, ocpp_ready, date_created, date_modified) \
             VALUES ('Old', 'A', '+31 20 555 0100', 'a@example.com', 0, 0, 0)",
        )
        .execute(store.pool())
        .await
        .unwrap();
        for (name, lat, lng, zone) in
            [("Utrecht", 52.0907, 5.1214, None), ("Athens", 37.9838, 23.7275, None), ("Kept", 52.0, 5.0, Some("UTC"))]
        {
            sqlx::query(
                "INSERT INTO locations (name, address, address_lat, address_lng, city, country_code, publish, time_zone, \
                 cpo_owner_id, date_created, date_modified) VALUES ($1, 'A 1', $2, $3, 'C', 'NL', 1, $4, 1, 0, 0)",
            )
            .bind(name)
            .bind(lat)
            .bind(lng)
            .bind(zone)
            .execute(store.pool())
            .await
            .unwrap();
        }
        store.migrate().await.unwrap();
        let zones: Vec<(String, String)> =
            sqlx::query_as("SELECT name, time_zone FROM locations ORDER BY id").fetch_all(store.pool()).await.unwrap();
        let expected = [("Utrecht", "Europe/Amsterdam"), ("Athens", "Europe/Athens"), ("Kept", "UTC")];
        assert_eq!(zones, expected.map(|(n, z)| (n.to_owned(), z.to_owned())));
    }
}
