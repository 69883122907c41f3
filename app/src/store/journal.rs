//! The journals (`evse_changes`, `location_changes`, `charger_dismissals`) are followed by id: live
//! updates, dismissed connections on every node and the OCPI push read what lies past the id they
//! saw last. On PostgreSQL an id is
//! drawn when its row is inserted and transactions commit in any order, so a reader could see id 8
//! before the transaction holding id 7 commits, move past 7 and never see it: a subscriber or a
//! roaming partner would miss that change. A transaction that appends therefore holds one lock
//! from its first append until it ends, and ids become visible in order. (SQLite has one writer
//! at a time: its ids are in commit order already.)
use super::{Store, StoreError};
use sqlx::AnyConnection;
use std::sync::LazyLock;

/// How long journal rows are kept (for nodes that were briefly behind), ms.
const KEEP_MS: i64 = 3_600_000;

/// The journals nodes follow by id and purge by age (`at`, ms).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Journal {
    EvseChanges,
    ChargerDismissals,
}

impl Journal {
    fn table(self) -> &'static str {
        match self {
            Journal::EvseChanges => "evse_changes",
            Journal::ChargerDismissals => "charger_dismissals",
        }
    }
}

impl Store {
    /// The newest id of `journal` (where a node starts following).
    pub(crate) async fn journal_last_id(&self, journal: Journal) -> Result<i64, StoreError> {
        let sql = format!("SELECT MAX(id) FROM {}", journal.table());
        let id: Option<i64> = sqlx::query_scalar(&sql).fetch_one(self.pool()).await?;
        Ok(id.unwrap_or(0))
    }

    /// Removes the entries of `journal` older than the retention at `now` (ms); returns how many.
    pub(crate) async fn journal_purge(&self, journal: Journal, now: i64) -> Result<u64, StoreError> {
        let sql = format!("DELETE FROM {} WHERE at < $1", journal.table());
        Ok(sqlx::query(&sql).bind(now.saturating_sub(KEEP_MS)).execute(self.pool()).await?.rows_affected())
    }
}

/// The advisory lock's key (any constant the application uses for nothing else).
pub(crate) const JOURNAL_LOCK: i64 = 0x0065_6d73_706a_6e6c;

/// The lock as a one-row FROM item (PostgreSQL): an `INSERT … SELECT … FROM` it and the rows takes
/// the lock before it draws the first id, in the same round trip. `$1` is `JOURNAL_LOCK`.
pub(crate) const LOCKED_FIRST: &str = "(SELECT pg_advisory_xact_lock($1)) AS journal_lock";

/// Call in the caller's transaction before each append to a journal.
pub(crate) async fn before_append(conn: &mut AnyConnection) -> Result<(), StoreError> {
    // The function returns void, which the Any driver cannot decode: count its one row.
    static LOCK: LazyLock<String> = LazyLock::new(|| format!("SELECT COUNT(*) FROM {LOCKED_FIRST}"));
    if is_postgres(conn) {
        sqlx::query(LOCK.as_str()).bind(JOURNAL_LOCK).execute(&mut *conn).await?;
    }
    Ok(())
}

/// The connection is to PostgreSQL (a bare connection has no `Store::backend` to ask).
pub(crate) fn is_postgres(conn: &AnyConnection) -> bool {
    conn.backend_name() == "PostgreSQL"
}

#[cfg(test)]
mod tests {
    use super::super::Store;
    use sqlx::{Connection, Row};
    use std::time::Duration;

    /// A database of its own on the test PostgreSQL (`EMSP_TEST_POSTGRES_URL`), or `None`.
    async fn postgres() -> Option<(Store, sqlx::AnyConnection, String)> {
        let admin_url = std::env::var("EMSP_TEST_POSTGRES_URL").ok()?;
        sqlx::any::install_default_drivers();
        let mut admin = sqlx::AnyConnection::connect(&admin_url).await.unwrap();
        let name = format!("emsp_journal_{}", std::process::id());
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name}")).execute(&mut admin).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
        let (base, _) = admin_url.rsplit_once('/').unwrap();
        let store = Store::connect(&format!("{base}/{name}")).await.unwrap();
        store.migrate().await.unwrap();
        Some((store, admin, name))
    }

    #[tokio::test]
    async fn journal_ids_become_visible_in_order_on_postgres() {
        let Some((store, mut admin, name)) = postgres().await else {
            return eprintln!("EMSP_TEST_POSTGRES_URL unset: skipped");
        };
        let mut first = store.pool().begin().await.unwrap();
        super::super::locations::journal(&mut first, 1, 0).await.unwrap();
        let second = {
            let store = store.clone();
            tokio::spawn(async move {
                let mut second = store.pool().begin().await.unwrap();
                super::super::locations::journal(&mut second, 2, 0).await.unwrap();
                second.commit().await.unwrap();
            })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        // Had the second append committed now, a reader would be past the first one's id.
        let visible: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM location_changes").fetch_one(store.pool()).await.unwrap();
        assert_eq!(visible, 0, "a later append became visible before an earlier one");
        first.commit().await.unwrap();
        second.await.unwrap();
        let rows = sqlx::query("SELECT location_id FROM location_changes ORDER BY id").fetch_all(store.pool()).await;
        let order: Vec<i64> = rows.unwrap().iter().map(|r| r.try_get("location_id").unwrap()).collect();
        assert_eq!(order, vec![1, 2]);
        store.close().await;
        // A closed pool's sessions can still be ending on the server: without FORCE the drop
        // raced them now and then ("being accessed by other users").
        sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut admin).await.unwrap();
    }
}
