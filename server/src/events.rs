//! Live updates: every node follows the database's journal of EVSE changes (`evse_changes`) and
//! broadcasts each change to its own subscribers (GraphQL subscriptions, the portal's event
//! stream). Following the database rather than the writes of this process means a change made
//! on any node (or by the gateway holding the charger) reaches every client.
use app::store::{EvseChange, Store};
use std::time::Duration;
use tokio::sync::broadcast;

/// How often the journal is read: the bound on how late a change reaches a client.
pub const POLL_EVERY: Duration = Duration::from_millis(200);
/// Changes a slow subscriber may fall behind before it skips (it then misses intermediate
/// states, never the latest: every message carries the EVSE as it is now).
const BACKLOG: usize = 4096;

#[derive(Clone)]
pub struct EvseEvents {
    sender: broadcast::Sender<EvseChange>,
}

impl Default for EvseEvents {
    fn default() -> Self {
        Self { sender: broadcast::channel(BACKLOG).0 }
    }
}

impl EvseEvents {
    pub fn subscribe(&self) -> broadcast::Receiver<EvseChange> {
        self.sender.subscribe()
    }

    /// Follows the journal until the task is dropped.
    pub async fn follow(self, store: Store) {
        let mut seen = loop {
            match store.last_evse_change().await {
                Ok(id) => break id,
                Err(e) => {
                    tracing::warn!(cause = %app::error::chain(&e), "cannot read the change journal; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        };
        let mut ticker = tokio::time::interval(POLL_EVERY);
        let mut purged_at = tokio::time::Instant::now();
        loop {
            ticker.tick().await;
            match store.evse_changes_after(seen, 1000).await {
                Ok(changes) => {
                    for change in changes {
                        seen = change.id;
                        // No receiver is not an error: nobody is watching right now.
                        let _ = self.sender.send(change);
                    }
                }
                Err(e) => tracing::warn!(cause = %app::error::chain(&e), "cannot read the change journal"),
            }
            if purged_at.elapsed() > Duration::from_secs(600) {
                purged_at = tokio::time::Instant::now();
                if let Err(e) = store.purge_evse_changes(app::clock::now_ms()).await {
                    tracing::warn!(cause = %app::error::chain(&e), "cannot purge the change journal");
                }
            }
        }
    }
}
