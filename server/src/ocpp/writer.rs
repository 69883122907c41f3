//! Status reports from every connection go through one writer that stores whatever has queued
//! up in one transaction (group commit) with a fixed number of statements (`Store::charger_statuses`).
//! The writer runs on a thread and runtime of its own with its own database connection: on the
//! web runtime every statement's wake-up waited behind busy GraphQL requests. Each connection
//! still waits for its own report to be stored before it answers and reads its next message, so
//! a charger's statuses keep their order. One writer on both backends: on PostgreSQL four
//! writers taking one report at a time spent about 4 ms a report in round trips and fell behind
//! a thousand chargers (storm p99 2.1 s at 100 000 locations); one writer has no row locks to
//! wait for from the others.
use app::secret::{ExposeSecret, SecretString};
use app::store::{Backend, Checkpoint, StatusOutcome, StatusWrite, Store, StoreError};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// Most reports in one transaction (bounds how long one commit holds the write lock).
const BATCH: usize = 128;
/// Reports waiting beyond the one being written; a full queue makes connections wait.
const QUEUE: usize = 4096;
/// While reports keep coming, a batch collects them this long before it is written. A batch's
/// statements and commit cost about the same for one report as for ten: at a thousand reports a
/// second, written as they came (one or two a batch), the writer's PostgreSQL backend took
/// about 58 % of a core, CPU the API's readers then lacked.
const LINGER: Duration = Duration::from_millis(10);
/// A report arriving after the writer was idle this long is written at once: a lone charger's
/// answer does not wait for company that is not coming.
const IDLE: Duration = Duration::from_millis(50);

type Answer = oneshot::Sender<Result<StatusOutcome, StoreError>>;

#[derive(Clone)]
pub struct StatusWriter {
    queue: mpsc::Sender<(StatusWrite, Answer)>,
}

impl StatusWriter {
    /// Starts the writer thread on `database_url` (it ends when every handle is dropped).
    pub fn start(database_url: SecretString) -> Self {
        let (queue, incoming) = mpsc::channel(QUEUE);
        let started = std::thread::Builder::new().name("ocpp-writer".into()).spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(e) => return tracing::error!(error = %e, "the OCPP status writer could not start"),
            };
            runtime.block_on(async move {
                let store = match Store::connect_status_writer(database_url.expose_secret()).await {
                    Ok(store) => store,
                    Err(e) => {
                        return tracing::error!(cause = %app::error::chain(&e), "the OCPP status writer has no database")
                    }
                };
                // PostgreSQL has nothing to checkpoint: no second pool is opened there.
                let checkpoints =
                    (store.backend() == Backend::Sqlite).then(|| tokio::spawn(checkpoint_wal(database_url)));
                write_batches(&store, incoming).await;
                if let Some(checkpoints) = checkpoints {
                    checkpoints.abort();
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

/// How often the WAL the writer fills is copied into the database file (SQLite).
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// Every how many checkpoints the WAL is made to start over. Passive checkpoints alone never
/// let it: under a status storm beside steady reads the WAL grew to 1.9 GB in 60 s. A restart
/// holds the writers while it waits for readers (45–65 ms at 100 000 locations): every second
/// that cost the storm a p99 of 202 ms; every tenth second the p99 was 36–68 ms over four runs
/// and the WAL stays within about ten seconds of writes (300 MB at a thousand reports a second).
const RESTART_EVERY: u64 = 10;

/// Checkpoints the SQLite WAL on a connection of its own, beside the writer.
async fn checkpoint_wal(database_url: SecretString) {
    let store = match Store::connect_checkpointer(database_url.expose_secret()).await {
        Ok(store) => store,
        Err(e) => return tracing::error!(cause = %app::error::chain(&e), "the WAL checkpoints have no database"),
    };
    let mut ticker = tokio::time::interval(CHECKPOINT_EVERY);
    for tick in 1u64.. {
        ticker.tick().await;
        let how = if tick % RESTART_EVERY == 0 { Checkpoint::Restart } else { Checkpoint::Passive };
        if let Err(e) = store.checkpoint_wal(how).await {
            tracing::warn!(cause = %app::error::chain(&e), ?how, "WAL checkpoint failed");
        }
    }
}

/// Waits for the next batch: whatever has queued, and if the previous batch was written less
/// than `IDLE` ago, what else arrives within `LINGER`. Empty once every sender is gone.
async fn next_batch<T>(incoming: &mut mpsc::Receiver<T>, batch: &mut Vec<T>, previous_written: Instant) {
    if incoming.recv_many(batch, BATCH).await == 0 || previous_written.elapsed() >= IDLE {
        return;
    }
    // Asleep rather than waiting on the queue: a writer woken by every report that arrives
    // spent more than half of its thread's time switching in and out, and each connection's
    // send paid a wake-up call (perf, storm of 1 000 chargers). A full batch is not kept waiting.
    if incoming.len() < BATCH - batch.len() {
        tokio::time::sleep(LINGER).await;
    }
    while batch.len() < BATCH {
        match incoming.try_recv() {
            Ok(item) => batch.push(item),
            Err(_) => return,
        }
    }
}

async fn write_batches(store: &Store, mut incoming: mpsc::Receiver<(StatusWrite, Answer)>) {
    let mut batch = Vec::with_capacity(BATCH);
    let mut written = Instant::now();
    loop {
        next_batch(&mut incoming, &mut batch, written).await;
        if batch.is_empty() {
            return;
        }
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
        written = Instant::now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One report queued, and a second one sent as soon as the writer waits (the test runtime
    /// has one thread: the sender runs only when `next_batch` yields).
    async fn batch_after(previous_written: Instant) -> Vec<u32> {
        let (sender, mut incoming) = mpsc::channel(8);
        sender.send(1).await.unwrap();
        tokio::spawn(async move { sender.send(2).await });
        let mut batch = Vec::new();
        next_batch(&mut incoming, &mut batch, previous_written).await;
        batch
    }

    #[tokio::test]
    async fn a_busy_writer_waits_for_reports_arriving_just_after() {
        assert_eq!(batch_after(Instant::now()).await, vec![1, 2]);
    }

    #[tokio::test]
    async fn an_idle_writer_writes_a_lone_report_at_once() {
        assert_eq!(batch_after(Instant::now() - IDLE).await, vec![1]);
    }

    #[tokio::test]
    async fn a_full_batch_is_written_without_waiting() {
        let (sender, mut incoming) = mpsc::channel(BATCH + 1);
        for report in 0..=BATCH {
            sender.send(report).await.unwrap();
        }
        let mut batch = Vec::new();
        // Nothing in `next_batch` is pending when the queue holds a full batch, so the timeout
        // cannot fire however slow the machine is; a sleep would make it fire.
        let waited = tokio::time::timeout(LINGER / 2, next_batch(&mut incoming, &mut batch, Instant::now())).await;
        assert!(waited.is_ok(), "a full batch waited for company");
        assert_eq!(batch.len(), BATCH);
        assert_eq!(incoming.len(), 1, "the rest waits for the next batch");
    }

    #[tokio::test]
    async fn the_wait_ends_when_nothing_more_comes() {
        let (sender, mut incoming) = mpsc::channel(8);
        sender.send(1).await.unwrap();
        let mut batch = Vec::new();
        next_batch(&mut incoming, &mut batch, Instant::now()).await;
        assert_eq!(batch, vec![1]);
        drop(sender);
        batch.clear();
        next_batch(&mut incoming, &mut batch, Instant::now()).await;
        assert!(batch.is_empty(), "no senders: no batch");
    }
}
