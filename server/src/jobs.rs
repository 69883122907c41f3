//! Work the server does on its own, beside the requests.
use app::services::storage;
use app::store::Store;
use app::uploads::UploadDir;
use std::time::Duration;

/// Repairs what crashes left of uploads (see `app::services::storage::sweep`), once now.
pub async fn sweep_uploads_once(store: &Store, uploads: &UploadDir, grace: Duration) {
    if let Err(e) = storage::sweep(store, uploads, grace).await {
        tracing::error!(cause = %app::error::chain(&e), "storage sweep failed");
    }
}

/// The same, every `grace` (at least every second) until the task is dropped.
pub async fn sweep_uploads(store: Store, uploads: UploadDir, grace: Duration) {
    let mut every = tokio::time::interval(grace.max(Duration::from_secs(1)));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    every.tick().await;
    loop {
        every.tick().await;
        sweep_uploads_once(&store, &uploads, grace).await;
    }
}
