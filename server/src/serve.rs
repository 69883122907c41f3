//! The accept loop, with the limits that keep slow or idle clients from taking the server down:
//! a connection must send each request's headers within `header_read_timeout`, may sit idle
//! between requests for `keep_alive_timeout`, and at most `max_connections` are served at once
//! (further ones wait in the kernel's backlog until one closes; the loop never fails on them).
//! Request bodies get their own timeout in `middleware`.
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::Router;
use http_body::Frame;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub keep_alive_timeout: Duration,
    pub max_connections: usize,
}

/// Raises the soft limit of open files to the hard limit; returns the limit now in force.
pub fn raise_open_files_limit() -> io::Result<u64> {
    rlimit::increase_nofile_limit(u64::MAX)
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets the requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    builder.http2().timer(TokioTimer::new()).enable_connect_protocol();
    let builder = Arc::new(builder);
    // Shutdown drops `signal_rx`: each connection sees `signal_tx.closed()` resolve and closes
    // gracefully. Each connection holds a `close_rx` until it ends; `close_tx.closed()` waits for all.
    let (signal_tx, signal_rx) = watch::channel(());
    let (close_tx, close_rx) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.map_err(io::Error::other)?,
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors or a connection reset before accept: wait, go on.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Without TCP_NODELAY, a page streamed in chunks waited on the client's delayed ACK:
        // every portal page took 40+ ms however fast it was rendered.
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
        let connection = Connection { builder: builder.clone(), router: router.clone(), peer, limits };
        let (signal, close) = (signal_tx.clone(), close_rx.clone());
        tokio::spawn(async move {
            connection.run(stream, signal).await;
            drop((permit, close));
        });
    }
    drop(listener);
    drop(signal_rx);
    drop(close_rx);
    close_tx.closed().await;
    Ok(())
}

struct Connection {
    builder: Arc<Builder<TokioExecutor>>,
    router: Router,
    peer: SocketAddr,
    limits: Limits,
}

impl Connection {
    async fn run(self, stream: TcpStream, signal: watch::Sender<()>) {
        let activity = Arc::new(Activity::new());
        let (router, peer, busy) = (self.router, self.peer, activity.clone());
        let service = tower::service_fn(move |mut request: axum::http::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let (router, guard) = (router.clone(), busy.begin());
            // The request counts as in flight until its response's body has been sent whole:
            // a streamed page that waits on the database between chunks is not an idle
            // connection (the guard used to drop with the headers, and such a page was cut).
            async move {
                let response = router.oneshot(request.map(Body::new)).await;
                response.map(|response| response.map(|body| Body::new(Answering { body, _guard: guard })))
            }
        });
        let io = TokioIo::new(Watched { inner: stream, activity: activity.clone() });
        let mut conn = pin!(self.builder.serve_connection_with_upgrades(io, TowerToHyperService::new(service)));
        let mut idle = pin!(activity.idle_for(self.limits.keep_alive_timeout));
        let mut shutting_down = pin!(signal.closed());
        let mut closing = false;
        loop {
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                    return;
                }
                () = &mut idle => return,
                () = &mut shutting_down, if !closing => {
                    closing = true;
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// When a connection last moved a byte, and how many of its requests are being answered.
struct Activity {
    start: Instant,
    last_ms: AtomicU64,
    in_flight: AtomicUsize,
}

struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.0.touch();
    }
}

impl Activity {
    fn new() -> Self {
        Self { start: Instant::now(), last_ms: AtomicU64::new(0), in_flight: AtomicUsize::new(0) }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn touch(&self) {
        self.last_ms.store(self.now_ms(), Ordering::Relaxed);
    }

    fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self.clone())
    }

    /// Resolves once no request is in flight and no byte has moved for `limit`.
    async fn idle_for(self: Arc<Self>, limit: Duration) {
        self.touch();
        let limit_ms = u64::try_from(limit.as_millis()).unwrap_or(u64::MAX);
        loop {
            let quiet = self.now_ms().saturating_sub(self.last_ms.load(Ordering::Relaxed));
            if self.in_flight.load(Ordering::Relaxed) == 0 && quiet >= limit_ms {
                return;
            }
            let wait = limit_ms.saturating_sub(quiet).max(100);
            tokio::time::sleep(Duration::from_millis(wait)).await;
        }
    }
}

/// A response body that keeps its request in flight until it is sent whole or dropped.
struct Answering {
    body: Body,
    _guard: InFlight,
}

impl http_body::Body for Answering {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// A socket that notes every byte it moves in its connection's `Activity`.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;

    /// A page streamed in two parts with a pause longer than the keep-alive timeout between them,
    /// as a portal page that waits on a slow query after its first chunk.
    fn page_with_a_pause(pause: Duration) -> Body {
        let parts = futures::stream::unfold(0u8, move |part| async move {
            let chunk = match part {
                0 => "first ",
                1 => {
                    tokio::time::sleep(pause).await;
                    "second"
                }
                _ => return None,
            };
            Some((Ok::<_, io::Error>(Bytes::from_static(chunk.as_bytes())), part + 1))
        });
        Body::from_stream(parts)
    }

    #[tokio::test]
    async fn a_response_pausing_longer_than_the_keep_alive_timeout_arrives_whole() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let router = Router::new().route("/slow", get(|| async { page_with_a_pause(Duration::from_millis(1500)) }));
        let limits = Limits {
            header_read_timeout: Duration::from_secs(5),
            keep_alive_timeout: Duration::from_secs(1),
            max_connections: 4,
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, router, limits, async {
            let _ = stopped.await;
        }));

        let response = reqwest::get(format!("http://{address}/slow")).await.expect("headers");
        assert_eq!(response.text().await.expect("the whole body"), "first second");

        let _ = stop.send(());
        server.await.expect("the server task").expect("served");
    }
}
