//! Slow and idle clients cannot take the server down: half-open requests are cut off after the
//! header timeout, idle connections after the keep-alive timeout, slow bodies after the body
//! timeout, and beyond the connection limit new clients wait instead of breaking the accept loop.
use crate::helpers::{spawn_app_with, Backend, TestApp};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HALF_OPEN: usize = 2_000;

async fn app_with(header: u64, keep_alive: u64, body: u64, max_connections: usize) -> TestApp {
    spawn_app_with(Backend::Sqlite, |config| {
        config.connections.header_read_timeout = Duration::from_secs(header);
        config.connections.keep_alive_timeout = Duration::from_secs(keep_alive);
        config.connections.max_connections = max_connections;
        config.body_read_timeout = Duration::from_secs(body);
    })
    .await
    .expect("sqlite app")
}

fn addr(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_owned()
}

/// Connections that start a request and never finish its headers.
async fn half_open(app: &TestApp, count: usize) -> Vec<TcpStream> {
    let mut held = Vec::with_capacity(count);
    for _ in 0..count {
        let mut stream = TcpStream::connect(addr(app)).await.expect("connect");
        stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: slow\r\n").await.expect("partial request");
        held.push(stream);
    }
    held
}

/// True when the server closed `stream` (end of file, or a reset) within `within`.
async fn closed_by_server(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 512];
    loop {
        match tokio::time::timeout(within, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            // A 408 or similar may come first; the close follows it.
            Ok(Ok(_)) => {}
        }
    }
}

async fn timed_status(app: &TestApp, request: reqwest::RequestBuilder) -> (u16, Duration) {
    let started = Instant::now();
    let response = request.timeout(Duration::from_secs(5)).send().await.expect("answered");
    let _ = app;
    (response.status().as_u16(), started.elapsed())
}

#[tokio::test]
async fn thousands_of_half_open_requests_do_not_starve_the_server() {
    let app = app_with(3, 5, 60, 10_000).await;
    let token = app.api_token().await;
    let mut held = half_open(&app, HALF_OPEN).await;

    let fresh = reqwest::Client::new();
    let (status, took) = timed_status(&app, fresh.get(app.url("/healthz"))).await;
    assert_eq!(status, 200);
    assert!(took < Duration::from_secs(1), "/healthz took {took:?} beside {HALF_OPEN} half-open requests");
    let query = serde_json::json!({ "query": "{ locations(limit: 10) { id name } }" });
    let (status, took) = timed_status(&app, fresh.post(app.url("/graphql")).bearer_auth(&token).json(&query)).await;
    assert_eq!(status, 200);
    assert!(took < Duration::from_secs(1), "a contract query took {took:?}");

    // Past the header timeout the server has cut them all off.
    tokio::time::sleep(Duration::from_secs(3)).await;
    for stream in held.iter_mut().step_by(100) {
        assert!(closed_by_server(stream, Duration::from_secs(2)).await, "a half-open request was kept");
    }
    drop(held);
    // A new client: the first one's kept-alive connection may be closing as idle just now.
    assert_eq!(reqwest::Client::new().get(app.url("/healthz")).send().await.expect("healthz").status(), 200);
}

#[tokio::test]
async fn idle_connections_and_slow_bodies_are_closed() {
    let app = app_with(10, 1, 1, 10_000).await;
    // A request answered, then silence: closed after the keep-alive timeout.
    let mut idle = TcpStream::connect(addr(&app)).await.expect("connect");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: idle\r\n\r\n").await.expect("request");
    let started = Instant::now();
    assert!(closed_by_server(&mut idle, Duration::from_secs(4)).await, "an idle connection was kept");
    assert!(started.elapsed() >= Duration::from_millis(900), "closed before the keep-alive timeout");

    // A body that never arrives whole: refused after the body timeout, not held.
    let mut slow = TcpStream::connect(addr(&app)).await.expect("connect");
    let head = "POST /ocpi/cpo/api/auth/v1/login HTTP/1.1\r\nHost: slow\r\nContent-Type: application/json\r\n\
                Content-Length: 1000\r\nAuthorization: Bearer x\r\n\r\n{\"username\":";
    slow.write_all(head.as_bytes()).await.expect("partial body");
    assert!(closed_by_server(&mut slow, Duration::from_secs(4)).await, "a slow body was waited for");
}

#[tokio::test]
async fn beyond_the_connection_limit_new_clients_wait_then_get_in() {
    let app = app_with(2, 5, 60, 20).await;
    let held = half_open(&app, 20).await;
    // Every slot is taken; this one waits until the header timeout frees them.
    let (status, took) = timed_status(&app, reqwest::Client::new().get(app.url("/healthz"))).await;
    assert_eq!(status, 200);
    assert!(took >= Duration::from_millis(500), "the limit was not applied ({took:?})");
    drop(held);
}
