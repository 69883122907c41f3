//! The one store API over SQLite and PostgreSQL (sqlx `Any` driver, portable SQL with `$n`
//! placeholders). Every other layer — portal, REST, GraphQL, CLI — goes through these functions.

mod backfills;
mod charge_sessions;
mod charger_state;
mod charger_statuses;
mod chargers;
mod details;
mod dismissals;
mod error;
mod evse_changes;
mod files;
mod id_tags;
mod journal;
mod locations;
mod name_index;
mod ocpi_locations;
mod ocpi_outbox;
mod ocpi_peers;
mod owners;
mod parties;
mod partner_locations;
#[cfg(feature = "bench")]
mod passthrough;
mod photos;
mod read;
mod reference;
mod sessions;
mod sql;
mod tokens;
mod users;
mod wal;
mod web_sessions;

pub use charge_sessions::{SessionStart, SessionStop};
pub use charger_state::{BootInfo, MeterReading, StatusOutcome, StatusReport, StatusWrite};
pub use chargers::ChargerLogin;
pub use dismissals::Dismissal;
pub use error::StoreError;
pub use evse_changes::EvseChange;
pub use name_index::bigrams;
pub use ocpi_locations::{OcpiFilter, PageStart};
pub use ocpi_outbox::Pending;
pub use ocpi_peers::{OcpiCaller, Peer, PeerRole, PeerState, Registration};
pub use parties::HostedParty;
pub use partner_locations::{PartnerEvse, PartnerOwner, PartnerSave, PartnerWrite, PartyHolder};
pub use photos::PhotoRefusal;
pub use read::{Link, LocationFilter, LocationSort, Viewer, EVSE_ORDERS};
pub use sessions::{Rotation, UserAccount};
pub use tokens::ApiTokenInfo;
pub use wal::Checkpoint;

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The SQLite file the pool opened, by path and identity: deleting or replacing it under a
/// running server must not go unnoticed (writes would go to an unlinked file, or a new one).
#[derive(Debug, Clone, PartialEq, Eq)]
struct SqliteFile {
    path: PathBuf,
    identity: Option<(u64, u64)>,
}

impl SqliteFile {
    fn identity_of(path: &Path) -> Option<(u64, u64)> {
        let metadata = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some((metadata.dev(), metadata.ino()))
        }
        #[cfg(not(unix))]
        {
            metadata.is_file().then_some((0, 0))
        }
    }

    /// True unless the file at the path is still the one that was opened.
    fn lost(&self) -> bool {
        Self::identity_of(&self.path) != self.identity || self.identity.is_none()
    }
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    sqlite_file: Option<SqliteFile>,
    /// Statements run by the read queries: lets tests prove nested data is loaded in batches.
    statements: Arc<AtomicU64>,
}

/// The URL of the embedded database inside a data directory.
pub fn sqlite_url_for(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("emsp.db").display())
}

impl Store {
    /// Opens a pool for `url` (`sqlite://…` or `postgres://…`); does not migrate.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::open(url, None, "synchronous = FULL").await
    }

    /// One connection for the gateway's status writer. On SQLite its commits are durable
    /// against a crash of the process (kill -9: the WAL is in the operating system's hands
    /// before the commit returns) but not against a power cut (`synchronous = NORMAL`, no fsync
    /// per commit): a thousand chargers each reporting every second spent most of the writer's
    /// time in fsync (storm p99 434 → 121 ms at 100 000 locations). A status is the one
    /// write a charger repeats on its own: at every reconnection the gateway asks for them all
    /// (`TriggerMessage`). Every other write keeps `synchronous = FULL`.
    pub async fn connect_status_writer(url: &str) -> Result<Self, StoreError> {
        // Its commits do not checkpoint the WAL either (the checkpoint's fsync was the writer's
        // longest wait): `checkpoint_wal` does, beside it.
        Self::open(url, Some(1), "synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0").await
    }

    /// One connection for the checkpoints beside the status writer (`checkpoint_wal`). It waits
    /// at most 100 ms for readers: a restarting checkpoint holds every writer while it waits,
    /// and a long read must not stall them for the usual five seconds (it is retried later).
    pub async fn connect_checkpointer(url: &str) -> Result<Self, StoreError> {
        Self::open(url, Some(1), "synchronous = FULL; PRAGMA busy_timeout = 100").await
    }

    /// `sqlite_settings` come last, so they may override the defaults.
    async fn open(url: &str, connections: Option<u32>, sqlite_settings: &'static str) -> Result<Self, StoreError> {
        install_default_drivers();
        let backend = backend_of(url)?;
        let sqlite = backend == Backend::Sqlite;
        let pool = AnyPoolOptions::new()
            .max_connections(connections.unwrap_or(if sqlite { 8 } else { 16 }))
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if sqlite {
                        // Per-connection settings: enforced foreign keys, waiting (not failing)
                        // while another connection writes, durability on commit.
                        let pragmas =
                            format!("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA {sqlite_settings};");
                        conn.execute(pragmas.as_str()).await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(|source| StoreError::Connect { what: describe_connect_error(&source), source })?;
        if sqlite {
            // WAL is a property of the file: set once, readers no longer block the writer.
            pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        let sqlite_file = sqlite_file(url).map(|path| SqliteFile { identity: SqliteFile::identity_of(&path), path });
        Ok(Self { pool, backend, sqlite_file, statements: Arc::default() })
    }

    /// Applies the migrations of this backend that are not applied yet, then fills what they
    /// cannot compute (`backfills`).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        self.backfill().await
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    fn count_statement(&self) {
        self.statements.fetch_add(1, Ordering::Relaxed);
    }

    /// How many read statements this store (and its clones) has run.
    pub fn statements_run(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// True when the SQLite file the pool opened was deleted or replaced: what is written now
    /// would be lost. Always false on PostgreSQL. Cheap (one `stat`): checked before writes.
    pub fn database_file_lost(&self) -> bool {
        self.sqlite_file.as_ref().is_some_and(SqliteFile::lost)
    }

    /// True when the database answers a real read of a table within 2 s (and, for SQLite, its
    /// file is still the one opened). The file is never opened here: closing any descriptor of
    /// a SQLite file drops the process's POSIX locks on it, and another process could then
    /// checkpoint and delete the WAL our connections still write to. Whether it can be read is
    /// what the query through SQLite's own descriptors finds out.
    pub async fn is_ready(&self) -> bool {
        if self.database_file_lost() {
            return false;
        }
        let read = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM capabilities").fetch_one(&self.pool);
        matches!(tokio::time::timeout(Duration::from_secs(2), read).await, Ok(Ok(count)) if count > 0)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Whether `close` has begun (writes after it fail, as expected at shutdown).
    pub fn is_closed(&self) -> bool {
        self.pool.is_closed()
    }
}

fn backend_of(url: &str) -> Result<Backend, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(StoreError::UnknownScheme)
    }
}

/// The file of a `sqlite:` URL; `None` for other databases and in-memory SQLite.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// What went wrong, without the URL itself (it may carry a password); the cause follows it.
fn describe_connect_error(error: &sqlx::Error) -> &'static str {
    match error {
        sqlx::Error::Configuration(_) => "malformed DATABASE_URL",
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut => "database unreachable",
        _ => "cannot open database",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_file_is_found_in_urls() {
        assert_eq!(sqlite_file("sqlite:///tmp/x/emsp.db?mode=rwc"), Some(PathBuf::from("/tmp/x/emsp.db")));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://localhost/db"), None);
    }

    #[test]
    fn unknown_schemes_are_refused() {
        assert!(backend_of("mysql://localhost/db").is_err());
        assert_eq!(backend_of("postgresql://x/y").ok(), Some(Backend::Postgres));
    }
}
