//! Closes connections this node holds whose charger was removed, on whatever node or by the CLI
//! (the store's `charger_dismissals` journal, written in the removal's transaction).
use super::registry::Registry;
use app::store::Store;
use std::time::Duration;

/// How often the journal is read: the bound on how long a removed charger stays connected.
const POLL_EVERY: Duration = Duration::from_millis(500);
const PURGE_EVERY: Duration = Duration::from_secs(600);

/// Follows the journal until the task is dropped.
pub async fn follow(store: Store, registry: Registry) {
    let mut seen = loop {
        match store.last_dismissal().await {
            Ok(id) => break id,
            Err(e) => {
                tracing::warn!(cause = %app::error::chain(&e), "cannot read the charger dismissals; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    };
    let mut ticker = tokio::time::interval(POLL_EVERY);
    let mut purged_at = tokio::time::Instant::now();
    loop {
        ticker.tick().await;
        match store.dismissals_after(seen, 1000).await {
            Ok(dismissals) => {
                for dismissal in dismissals {
                    seen = dismissal.id;
                    registry.dismiss(&dismissal.connection_id, &dismissal.reason);
                }
            }
            Err(e) => tracing::warn!(cause = %app::error::chain(&e), "cannot read the charger dismissals"),
        }
        if purged_at.elapsed() > PURGE_EVERY {
            purged_at = tokio::time::Instant::now();
            if let Err(e) = store.purge_dismissals(app::clock::now_ms()).await {
                tracing::warn!(cause = %app::error::chain(&e), "cannot purge the charger dismissals");
            }
        }
    }
}
