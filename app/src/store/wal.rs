//! SQLite's write-ahead log, checkpointed beside the OCPP status writer (whose own commits do
//! not checkpoint: the checkpoint's fsync was its longest wait).
use super::{Backend, Store, StoreError};
use sqlx::Executor;

/// How far a WAL checkpoint goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checkpoint {
    /// Copies what it can without waiting for the writer or for readers.
    Passive,
    /// Copies everything, then waits until no reader uses the WAL, so the next commit writes
    /// it from its start again; writers wait meanwhile. Without it a WAL that is always being
    /// read and written never starts over and only grows.
    Restart,
}

impl Store {
    /// Copies what the WAL holds into the database file (nothing to do on PostgreSQL).
    pub async fn checkpoint_wal(&self, how: Checkpoint) -> Result<(), StoreError> {
        if self.backend == Backend::Sqlite {
            let pragma = match how {
                Checkpoint::Passive => "PRAGMA wal_checkpoint(PASSIVE)",
                Checkpoint::Restart => "PRAGMA wal_checkpoint(RESTART)",
            };
            self.pool.execute(pragma).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Connection;

    /// Frames in the WAL (what a passive checkpoint reports as the log's length).
    async fn wal_frames(store: &Store) -> i64 {
        let row = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(store.pool()).await.unwrap();
        sqlx::Row::try_get(&row, 1).unwrap()
    }

    async fn write_rows(store: &Store, rows: i64) {
        for n in 0..rows {
            sqlx::query("INSERT INTO t (v) VALUES ($1)")
                .bind(format!("{n:01000}"))
                .execute(store.pool())
                .await
                .unwrap();
        }
    }

    #[tokio::test]
    async fn a_reader_keeps_the_wal_growing_until_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/t.db?mode=rwc", dir.path().display());
        let writer = Store::connect_status_writer(&url).await.unwrap();
        let readers = Store::connect(&url).await.unwrap();
        let side = Store::connect_checkpointer(&url).await.unwrap();
        sqlx::query("CREATE TABLE t (v TEXT)").execute(writer.pool()).await.unwrap();
        write_rows(&writer, 200).await;
        // A reader's snapshot stops a passive checkpoint short of the WAL's end, so the next
        // commits append to it instead of starting it over.
        let mut reader = readers.pool().acquire().await.unwrap();
        let mut read = reader.begin().await.unwrap();
        sqlx::query("SELECT COUNT(*) FROM t").fetch_one(&mut *read).await.unwrap();
        write_rows(&writer, 200).await;
        side.checkpoint_wal(Checkpoint::Passive).await.unwrap();
        // A restart does not hold the writers for as long as a reader lasts.
        let waited = std::time::Instant::now();
        side.checkpoint_wal(Checkpoint::Restart).await.unwrap();
        assert!(waited.elapsed() < std::time::Duration::from_secs(2), "waited {:?}", waited.elapsed());
        read.commit().await.unwrap();
        drop(reader);
        write_rows(&writer, 1).await;
        let grown = wal_frames(&side).await;
        assert!(grown > 200, "the WAL went on growing: {grown} frames");
        side.checkpoint_wal(Checkpoint::Restart).await.unwrap();
        write_rows(&writer, 1).await;
        let restarted = wal_frames(&side).await;
        assert!(restarted < 10, "after a restart the WAL starts over: {restarted} frames");
    }
}
