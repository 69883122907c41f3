//! The push queue survives a crash: a real `emsp` process is killed (-9) while its peer is down
//! and a change is waiting; the change made while it was stopped is what arrives after the
//! restart, once the peer is back.
use super::peer::PeerServer;
use crate::helpers::fixtures::location;
use crate::helpers::{fresh_database, process, Backend};
use app::domain::inputs::{Registration, Rules};
use app::services::locations;
use app::store::Store;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::Method;
use std::time::{Duration, Instant};

/// The TOKEN_A we give the peer.
const TOKEN_A: &str = "token-a-restart";

/// The platform's party and its public URL on `port`.
fn ocpi_env(port: u16) -> Vec<(&'static str, String)> {
    vec![("EMSP_OCPI_PARTY", "NL-EMS".into()), ("EMSP_PUBLIC_URL", format!("http://127.0.0.1:{port}"))]
}

async fn owner_with_party(store: &Store) -> i64 {
    let registration = Registration {
        username: "restarted".into(),
        cpo_owner_name: "Restarted Charging".into(),
        contact_name: "Ops".into(),
        contact_number: "+30 21 0555 0100".into(),
        contact_email: "ops@restarted.example".into(),
        ocpp_ready: false,
        logo: None,
    };
    let valid = registration.validated().expect("valid registration");
    let (owner, _) = store.create_cpo_owner(&valid, None, None).await.expect("owner");
    store.set_party(owner, Some(("GR", "RST"))).await.expect("party");
    owner
}

/// Waits up to `limit` for the peer to have received a PUT of `path`; its `name`.
async fn put_arrives(peer: &PeerServer, path: &str, limit: Duration) -> Option<String> {
    let start = Instant::now();
    while start.elapsed() < limit {
        let found = peer.received().into_iter().find(|r| r.path == path && r.method == Method::PUT);
        if let Some(found) = found {
            return Some(found.body["name"].as_str().unwrap_or_default().to_owned());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

async fn pushes_survive_kill_9_with_the_peer_down(backend: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_dir = dir.path().join("data");
    std::fs::create_dir_all(&data_dir).expect("data dir");
    let Some((database_url, _pg)) = fresh_database(backend, &data_dir).await else {
        eprintln!("EMSP_TEST_POSTGRES_URL not set: PostgreSQL variant skipped");
        return;
    };
    let port = process::free_port();
    let env = ocpi_env(port);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (mut child, base) = process::start_on(port, &data_dir, &database_url, &env).await;
    let store = Store::connect(&database_url).await.expect("store");

    // The peer registers (it starts), then goes down.
    let peer = PeerServer::start().await;
    store.open_ocpi_peer("peer", TOKEN_A, false).await.expect("open peer");
    peer.accept("peer-token-b");
    let registered = reqwest::Client::new()
        .post(format!("{base}/ocpi/2.2.1/credentials"))
        .header("Authorization", format!("Token {}", STANDARD.encode(TOKEN_A)))
        .json(&peer.credentials("peer-token-b"))
        .send()
        .await
        .expect("register");
    assert_eq!(registered.status(), 200);
    peer.set_down(true);

    let owner = owner_with_party(&store).await;
    let mut published = location("Before the crash");
    published.publish = true;
    let id = locations::create_location(&store, owner, published.clone()).await.expect("location");
    let path = format!("/ocpi/2.2.1/emsp/locations/GR/RST/{id}");
    assert!(put_arrives(&peer, &path, Duration::from_secs(5)).await.is_some(), "a first attempt reaches the peer");

    // Killed with the change queued; changed again while stopped; the peer comes back.
    child.kill().expect("kill -9");
    child.wait().expect("reaped");
    published.name = "Changed while stopped".into();
    locations::update_location(&store, owner, id, published).await.expect("rename");
    peer.set_down(false);
    peer.clear();

    let (mut child, _) = process::start_on(port, &data_dir, &database_url, &env).await;
    // The backoff of the attempts before the kill is at most a few seconds.
    let name = put_arrives(&peer, &path, Duration::from_secs(20)).await;
    assert_eq!(name.as_deref(), Some("Changed while stopped"), "the current state arrives, never a stale body");
    let start = Instant::now();
    loop {
        let left: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM ocpi_outbox").fetch_one(store.pool()).await.expect("count");
        if left == 0 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "the queue empties once delivered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.kill().expect("stop");
    child.wait().expect("reaped");
    store.close().await;
}

#[tokio::test]
async fn pushes_survive_kill_9_with_the_peer_down_on_sqlite() {
    pushes_survive_kill_9_with_the_peer_down(Backend::Sqlite).await;
}

#[tokio::test]
async fn pushes_survive_kill_9_with_the_peer_down_on_postgres() {
    pushes_survive_kill_9_with_the_peer_down(Backend::Postgres).await;
}
