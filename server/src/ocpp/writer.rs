//! Status reports from every connection go through a writer that stores whatever has queued up
//! in one transaction (group commit): one writer on SQLite (it has one write lock), a few on
//! PostgreSQL (there each statement is a round trip, and one writer would wait on them in turn). Each connection still waits for its own report to be
//! stored before it answers and reads its next message, so a charger's statuses keep their
//! order. On SQLite one transaction per message could not keep up with a thousand chargers
//! reporting every second (writers waited on each other's locks, p99 over 500 ms); batched,
//! one commit carries many messages.
use app::store::{StatusOutcome, StatusWrite, Store, StoreError};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Mutex};

/// Most reports in one transaction (bounds how long one commit holds the write lock).
const BATCH: usize = 128;
/// Reports waiting beyond the one being written; a full queue makes connections wait.
const QUEUE: usize = 4096;

type Answer = oneshot::Sender<Result<StatusOutcome, StoreError>>;

#[derive(Clone)]
pub struct StatusWriter {
    queue: mpsc::Sender<(StatusWrite, Answer)>,
}

impl StatusWriter {
    /// Starts the writer tasks (they end when every handle is dropped).
    pub fn start(store: Store) -> Self {
        let (queue, incoming) = mpsc::channel(QUEUE);
        let incoming = Arc::new(Mutex::new(incoming));
        let writers = match store.backend() {
            app::store::Backend::Sqlite => 1,
            app::store::Backend::Postgres => 4,
        };
        for _ in 0..writers {
            tokio::spawn(write_batches(store.clone(), incoming.clone()));
        }
        Self { queue }
    }

    /// Stores one report; returns once it is committed.
    pub async fn write(&self, write: StatusWrite) -> Result<StatusOutcome, StoreError> {
        let (answer, outcome) = oneshot::channel();
        let stopped = || StoreError::Database(sqlx::Error::PoolClosed);
        self.queue.send((write, answer)).await.map_err(|_| stopped())?;
        outcome.await.map_err(|_| stopped())?
    }
}

async fn write_batches(store: Store, incoming: Arc<Mutex<mpsc::Receiver<(StatusWrite, Answer)>>>) {
    let mut batch = Vec::with_capacity(BATCH);
    // Each writer takes what has queued, then lets the next one take while it writes.
    while incoming.lock().await.recv_many(&mut batch, BATCH).await > 0 {
        let (writes, answers): (Vec<StatusWrite>, Vec<Answer>) = batch.drain(..).unzip();
        match store.charger_statuses(&writes).await {
            Ok(outcomes) => {
                for (answer, outcome) in answers.into_iter().zip(outcomes) {
                    let _ = answer.send(Ok(outcome));
                }
            }
            // One bad report (its charger was just removed, say) must not fail the others:
            // the batch is retried one by one, and each gets its own answer.
            Err(_) => {
                for (write, answer) in writes.into_iter().zip(answers) {
                    let _ = answer.send(
                        store
                            .charger_statuses(std::slice::from_ref(&write))
                            .await
                            .and_then(|mut o| o.pop().ok_or_else(|| StoreError::NotFound("status outcome".into()))),
                    );
                }
            }
        }
    }
}
