//! The chargers connected to this node: charge point id → its connection. A second connection
//! with the same id replaces the first (the old socket is told to close). The entry removes
//! itself when its connection ends, whatever ended it, and the charger's row is cleared then.
use app::clock::now_ms;
use app::store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::oneshot;

struct Entry {
    connection_id: String,
    replace: oneshot::Sender<()>,
}

#[derive(Clone, Default)]
pub struct Registry(Arc<Mutex<HashMap<String, Entry>>>);

impl Registry {
    /// Records a new connection; the one it replaces (if any) is told to close. The receiver
    /// fires when a later connection replaces this one.
    pub fn register(
        &self,
        store: &Store,
        charger_id: i64,
        charge_point_id: &str,
        connection_id: &str,
    ) -> (Registration, oneshot::Receiver<()>) {
        let (replace, replaced) = oneshot::channel();
        let entry = Entry { connection_id: connection_id.to_owned(), replace };
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
        (registration, replaced)
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
