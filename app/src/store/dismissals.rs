//! Charger connections to close wherever they are held (see migration 0013): removing a charger
//! or its location, or replacing a charger's key, appends the connection it had, in the same
//! transaction, and every node follows the journal and closes that connection if it holds it.
//! The change may come from any node or from the CLI, which holds no sockets at all.
use super::journal::Journal;
use super::{Store, StoreError};
use sqlx::{AnyConnection, Row};

/// Why chargers' connections end, and whose.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Dismissed {
    ChargerRemoved(i64),
    LocationRemoved(i64),
    /// A connection opened with the old key must not outlive it.
    KeyReplaced(i64),
}

/// One journal entry: close the connection `connection_id` (if this node holds it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dismissal {
    pub id: i64,
    pub connection_id: String,
    pub reason: String,
}

/// Appends the open connections of what is `dismissed` (inside the caller's transaction, before
/// the rows go or change).
pub(crate) async fn record(conn: &mut AnyConnection, dismissed: Dismissed, now: i64) -> Result<(), StoreError> {
    let (column, id, reason) = match dismissed {
        Dismissed::ChargerRemoved(id) => ("id", id, "charger removed from the platform"),
        Dismissed::LocationRemoved(id) => ("location_id", id, "location removed from the platform"),
        Dismissed::KeyReplaced(id) => ("id", id, "charger key replaced"),
    };
    super::journal::before_append(conn).await?;
    let sql = format!(
        "INSERT INTO charger_dismissals (connection_id, reason, at) SELECT connection_id, $1, $2 FROM chargers \
         WHERE {column} = $3 AND connection_id IS NOT NULL"
    );
    sqlx::query(&sql).bind(reason).bind(now).bind(id).execute(&mut *conn).await?;
    Ok(())
}

impl Store {
    /// The newest dismissal id (where a node starts following).
    pub async fn last_dismissal(&self) -> Result<i64, StoreError> {
        self.journal_last_id(Journal::ChargerDismissals).await
    }

    /// Up to `limit` dismissals after `after`, oldest first.
    pub async fn dismissals_after(&self, after: i64, limit: i64) -> Result<Vec<Dismissal>, StoreError> {
        let rows =
            sqlx::query("SELECT id, connection_id, reason FROM charger_dismissals WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after)
                .bind(limit)
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|row| {
                Ok(Dismissal {
                    id: row.try_get("id")?,
                    connection_id: row.try_get("connection_id")?,
                    reason: row.try_get("reason")?,
                })
            })
            .collect()
    }

    /// Removes dismissals older than the journals' retention at `now` (ms); returns how many.
    pub async fn purge_dismissals(&self, now: i64) -> Result<u64, StoreError> {
        self.journal_purge(Journal::ChargerDismissals, now).await
    }
}
