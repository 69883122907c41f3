//! The chargers connected to this node: charge point id → its connection. A second connection
//! with the same id replaces the first (the old socket is told to close). The entry removes
//! itself when its connection ends, whatever ended it, and the charger's row is cleared then.
use super::calls::{Queued, QUEUE_LIMIT};
use app::clock::now_ms;
use app::store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{mpsc, oneshot};

struct Entry {
    connection_id: String,
    replace: oneshot::Sender<()>,
    commands: mpsc::Sender<Queued>,
}

/// What a registered connection receives: a signal when a newer connection replaces it, and the
/// commands to send to its charger.
pub struct Inbox {
    pub replaced: oneshot::Receiver<()>,
    pub commands: mpsc::Receiver<Queued>,
}

#[derive(Clone, Default)]
pub struct Registry(Arc<Mutex<HashMap<String, Entry>>>);

impl Registry {
    /// Records a new connection; the one it replaces (if any) is told to close.
    pub fn register(
        &self,
        store: &Store,
        charger_id: i64,
        charge_point_id: &str,
        connection_id: &str,
    ) -> (Registration, Inbox) {
        let (replace, replaced) = oneshot::channel();
        let (queue, commands) = mpsc::channel(QUEUE_LIMIT);
        let entry = Entry { connection_id: connection_id.to_owned(), replace, commands: queue };
        let previous = self.0.lock().unwrap_or_else(PoisonError::into_inner).insert(charge_point_id.to_owned(), entry);
        if let Some(previous) = previous {
            let _ = previous.replace.send(());
        }
        let registration = Registration {
            registry: self.clone(),
            store: store.clone(),
            charger_id,
            charge_point_id: charge_point_id.to_owned(),
            connection_id: connection_id.to_owned(),
        };
        (registration, Inbox { replaced, commands })
    }

    /// Where commands for a charger connected to this node go.
    pub fn commands(&self, charge_point_id: &str) -> Option<mpsc::Sender<Queued>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).get(charge_point_id).map(|e| e.commands.clone())
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
        let mut map = self.registry.0.lock().unwrap_or_else(PoisonError::into_inner);
        if map.get(&self.charge_point_id).is_some_and(|e| e.connection_id == self.connection_id) {
            map.remove(&self.charge_point_id);
        }
        drop(map);
        // The row names this connection only until a newer one replaced it (see the store).
        let (store, charger_id, connection_id) = (self.store.clone(), self.charger_id, self.connection_id.clone());
        let charge_point_id = self.charge_point_id.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(e) = store.charger_disconnected(charger_id, &connection_id, now_ms()).await {
                    tracing::error!(charger = %charge_point_id, cause = %app::error::chain(&e), "could not record the disconnection");
                }
            });
        }
    }
}
