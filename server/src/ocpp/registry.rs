//! The chargers connected to this node: charge point id → its connection. A second connection
//! with the same id replaces the first (the old socket is told to close), and a connection whose
//! charger was removed is dismissed (see `ocpp::dismissals`). The entry removes itself when its
//! connection ends, whatever ended it, and the charger's row is cleared then.
use super::calls::{Queued, QUEUE_LIMIT};
use app::clock::now_ms;
use app::store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch, Semaphore};

struct Entry {
    connection_id: String,
    dismiss: oneshot::Sender<Dismissed>,
    commands: mpsc::Sender<Queued>,
}

/// Why a connection is told to close while its charger still talks to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dismissed {
    /// A newer connection with the same charge point id took its place.
    Replaced,
    /// The charger is gone from the platform (the reason says how).
    Removed(String),
}

impl Dismissed {
    /// For the close frame and the log.
    pub fn reason(&self) -> &str {
        match self {
            Dismissed::Replaced => "replaced by a newer connection",
            Dismissed::Removed(reason) => reason,
        }
    }
}

/// What a registered connection receives: a signal when it is dismissed, one when the node shuts
/// down, and the commands to send to its charger.
pub struct Inbox {
    pub dismissed: oneshot::Receiver<Dismissed>,
    pub closing: watch::Receiver<bool>,
    pub commands: mpsc::Receiver<Queued>,
}

#[derive(Clone)]
pub struct Registry {
    entries: Arc<Mutex<HashMap<String, Entry>>>,
    /// True once the node shuts down: every connection closes (1001, going away) so its charger
    /// reconnects, to another node behind the load balancer, at once.
    closing: Arc<watch::Sender<bool>>,
    /// Disconnections being written at once. When a whole fleet drops together (a network cut,
    /// ten thousand sockets), each write waits here, in order and without a deadline, instead
    /// of in the pool, whose acquire timeout failed thousands of them on SQLite and left those
    /// chargers shown connected.
    recording: Arc<Semaphore>,
}

/// Disconnection writes in flight (a fraction of the pool, so requests still get connections).
const RECORDING_AT_ONCE: usize = 2;
/// Further attempts after a failed disconnection write, a second apart.
const RECORD_RETRIES: u32 = 5;

impl Default for Registry {
    fn default() -> Self {
        Self {
            entries: Arc::default(),
            closing: Arc::new(watch::channel(false).0),
            recording: Arc::new(Semaphore::new(RECORDING_AT_ONCE)),
        }
    }
}

impl Registry {
    /// Records a new connection; the one it replaces (if any) is told to close.
    pub fn register(
        &self,
        store: &Store,
        charger_id: i64,
        charge_point_id: &str,
        connection_id: &str,
    ) -> (Registration, Inbox) {
        let (dismiss, dismissed) = oneshot::channel();
        let (queue, commands) = mpsc::channel(QUEUE_LIMIT);
        let entry = Entry { connection_id: connection_id.to_owned(), dismiss, commands: queue };
        let previous = self.lock().insert(charge_point_id.to_owned(), entry);
        if let Some(previous) = previous {
            let _ = previous.dismiss.send(Dismissed::Replaced);
        }
        let registration = Registration {
            registry: self.clone(),
            store: store.clone(),
            charger_id,
            charge_point_id: charge_point_id.to_owned(),
            connection_id: connection_id.to_owned(),
        };
        (registration, Inbox { dismissed, closing: self.closing.subscribe(), commands })
    }

    /// Tells the connection `connection_id` to close, if this node holds it; returns whether it did.
    pub fn dismiss(&self, connection_id: &str, reason: &str) -> bool {
        let mut map = self.lock();
        let Some(charge_point_id) =
            map.iter().find(|(_, entry)| entry.connection_id == connection_id).map(|(id, _)| id.clone())
        else {
            return false;
        };
        // Out of the map at once: commands no longer queue for a charger that is gone.
        let Some(entry) = map.remove(&charge_point_id) else { return false };
        drop(map);
        tracing::info!(charger = %charge_point_id, connection = %connection_id, reason, "charger connection dismissed");
        entry.dismiss.send(Dismissed::Removed(reason.to_owned())).is_ok()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Tells every connection to close and waits, at most `within`, until all have ended;
    /// returns how many are still open.
    pub async fn close_all(&self, within: Duration) -> usize {
        self.closing.send_replace(true);
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let open = self.lock().len();
            if open == 0 || tokio::time::Instant::now() >= deadline {
                return open;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Where commands for a charger connected to this node go.
    pub fn commands(&self, charge_point_id: &str) -> Option<mpsc::Sender<Queued>> {
        self.lock().get(charge_point_id).map(|e| e.commands.clone())
    }
}

/// Held by a connection's task; dropping it (on any exit) unregisters the connection.
pub struct Registration {
    registry: Registry,
    store: Store,
    charger_id: i64,
    charge_point_id: String,
    connection_id: String,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut map = self.registry.lock();
        if map.get(&self.charge_point_id).is_some_and(|e| e.connection_id == self.connection_id) {
            map.remove(&self.charge_point_id);
        }
        drop(map);
        // The row names this connection only until a newer one replaced it (see the store).
        let (store, charger_id, connection_id) = (self.store.clone(), self.charger_id, self.connection_id.clone());
        let charge_point_id = self.charge_point_id.clone();
        let recording = self.registry.recording.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let Ok(_turn) = recording.acquire_owned().await else { return };
                let mut attempt = 0;
                loop {
                    match store.charger_disconnected(charger_id, &connection_id, now_ms()).await {
                        Ok(()) => return,
                        // At shutdown the pool may close first; the shutdown's release (or the
                        // next start's) records this charger's disconnection instead.
                        Err(e) if store.is_closed() => {
                            return tracing::debug!(charger = %charge_point_id, cause = %app::error::chain(&e), "disconnection left to the shutdown release");
                        }
                        Err(e) if attempt == RECORD_RETRIES => {
                            return tracing::error!(charger = %charge_point_id, cause = %app::error::chain(&e), "could not record the disconnection; the next start of this node will");
                        }
                        Err(e) => {
                            attempt += 1;
                            tracing::warn!(charger = %charge_point_id, attempt, cause = %app::error::chain(&e), "disconnection not recorded yet; retrying");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                    }
                }
            });
        }
    }
}
