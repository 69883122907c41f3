//! Charger connections run on a runtime of their own, on one thread beside the web runtime.
//! On the web runtime a connection whose report had just been stored waited in the workers'
//! queues behind GraphQL requests before it could answer; with a thread of its own it is
//! scheduled by the operating system like any thread that wakes up. The sockets stay registered
//! with the web runtime's reactor, which delivers their readiness to this one.
use std::future::Future;
use std::sync::Arc;
use tokio::runtime::Handle;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Where charger connections run. The thread ends once every clone is dropped.
#[derive(Clone)]
pub struct ConnectionRuntime {
    handle: Handle,
    _running: Arc<oneshot::Sender<()>>,
}

impl ConnectionRuntime {
    pub fn start() -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let handle = runtime.handle().clone();
        let (running, stopped) = oneshot::channel::<()>();
        std::thread::Builder::new().name("ocpp-connections".into()).spawn(move || {
            // A current-thread runtime runs its spawned tasks inside `block_on`: this thread
            // serves every connection until the last handle is gone (the sender drops).
            runtime.block_on(async move {
                let _ = stopped.await;
            });
        })?;
        Ok(Self { handle, _running: Arc::new(running) })
    }

    pub fn spawn<F>(&self, connection: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(connection)
    }
}
