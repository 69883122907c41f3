//! The journal of EVSE changes that live updates follow (see migration 0007). Writers append in
//! their own transaction; each node reads what is new since the id it saw last.
use super::journal::Journal;
use super::{Store, StoreError};
use sqlx::{AnyConnection, Row};

/// One journal entry: an EVSE whose status, connection or readings changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvseChange {
    pub id: i64,
    pub evse_uid: String,
    pub location_id: i64,
}

/// Appends a change of `evse_uid` (inside the caller's transaction).
pub(crate) async fn record(conn: &mut AnyConnection, evse_uid: &str, now: i64) -> Result<(), StoreError> {
    super::journal::before_append(conn).await?;
    sqlx::query(
        "INSERT INTO evse_changes (evse_uid, location_id, at) SELECT uid, cpo_location_id, $2 FROM evses WHERE uid = $1",
    )
    .bind(evse_uid)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// The newest journal id (where a node starts following).
    pub async fn last_evse_change(&self) -> Result<i64, StoreError> {
        self.journal_last_id(Journal::EvseChanges).await
    }

    /// Up to `limit` entries after `after`, oldest first.
    pub async fn evse_changes_after(&self, after: i64, limit: i64) -> Result<Vec<EvseChange>, StoreError> {
        let rows = sqlx::query("SELECT id, evse_uid, location_id FROM evse_changes WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok(EvseChange {
                    id: row.try_get("id")?,
                    evse_uid: row.try_get("evse_uid")?,
                    location_id: row.try_get("location_id")?,
                })
            })
            .collect()
    }

    /// Removes entries older than the journals' retention at `now` (ms); returns how many.
    pub async fn purge_evse_changes(&self, now: i64) -> Result<u64, StoreError> {
        self.journal_purge(Journal::EvseChanges, now).await
    }
}
