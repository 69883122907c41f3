//! Status reports from every connection go through a writer that stores whatever has queued up
//! in one transaction (group commit).
//! The writers run on a thread and runtime of their own with their own database connections: on
//! the web runtime every statement's wake-up waited behind busy GraphQL requests, and a batch of
//! a hundred reports (seven statements each) took most of a second under load. Each connection still waits for its own report to be
//! stored before it answers and reads its next message, so a charger's statuses keep their
//! order. On SQLite one transaction per message could not keep up with a thousand chargers
//! reporting every second (writers waited on each other's locks, p99 over 500 ms); batched,
//! one commit carries many messages.
use app::secret::{ExposeSecret, SecretString};
use app::store::{Backend, StatusOutcome, StatusWrite, Store, StoreError};
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
    /// Starts the writer thread on `database_url` (it ends when every handle is dropped).
    pub fn start(database_url: SecretString, backend: Backend) -> Self {
        let (queue, incoming) = mpsc::channel(QUEUE);
        let incoming = Arc::new(Mutex::new(incoming));
        // SQLite has one write lock, so one writer with set-based batches; on PostgreSQL each
        // statement is a round trip and reports go one by one (`Store::charger_statuses`), so a
        // few writers overlap their waits.
        let writers = match backend {
            Backend::Sqlite => 1,
            Backend::Postgres => 4,
        };
        let started = std::thread::Builder::new().name("ocpp-writer".into()).spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(e) => return tracing::error!(error = %e, "the OCPP status writer could not start"),
            };
            runtime.block_on(async move {
                let store = match Store::connect(database_url.expose_secret()).await {
                    Ok(store) => store,
                    Err(e) => {
                        return tracing::error!(cause = %app::error::chain(&e), "the OCPP status writer has no database")
                    }
                };
                let tasks: Vec<_> =
                    (0..writers).map(|_| tokio::spawn(write_batches(store.clone(), incoming.clone()))).collect();
                for task in tasks {
                    let _ = task.await;
                }
                store.close().await;
            });
        });
        if let Err(e) = started {
            tracing::error!(error = %e, "the OCPP status writer thread could not start");
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
        // A SQLite file deleted under the server must not take acknowledged writes (as HTTP).
        if store.database_file_lost() {
            for answer in answers {
                let _ = answer.send(Err(StoreError::Database(sqlx::Error::PoolClosed)));
            }
            continue;
        }
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
