//! Pushes to a peer's Locations Receiver: PUT for new or changed locations, PATCH for status,
//! REMOVED for unpublished or deleted ones, and the durable queue across a peer outage.
use super::peer::{PeerServer, Received};
use super::{ocpi_config, registered_peer};
use crate::helpers::fixtures::{connector, location};
use crate::helpers::TestApp;
use app::domain::inputs::NewEvse;
use app::services::locations;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::Method;
use std::time::{Duration, Instant};

async fn owner_with_party(app: &TestApp) -> i64 {
    let token = app.api_token().await;
    let owner = app.registered_owner(&token, "alpha", "a long enough password").await;
    app.store.set_party(owner, Some(("GR", "ABC"))).await.expect("party");
    owner
}

/// Waits (at most 5 s) for the peer to have received a request matching `wanted`.
async fn arrives(peer: &PeerServer, what: &str, wanted: impl Fn(&Received) -> bool) -> Received {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if let Some(found) = peer.received().into_iter().rev().find(|r| wanted(r)) {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the peer never received {what}; it received {:?}",
        peer.received().iter().map(|r| (&r.method, &r.path)).collect::<Vec<_>>()
    );
}

async fn changes_are_pushed_as_they_happen(app: TestApp) {
    let (peer, _) = registered_peer(&app, "peer").await;
    let owner = owner_with_party(&app).await;
    let mut new = location("Pushed");
    new.publish = true;
    let id = locations::create_location(&app.store, owner, new).await.expect("location");
    let path = format!("/ocpi/2.2.1/emsp/locations/GR/ABC/{id}");
    let created = arrives(&peer, "a PUT of the new location", |r| r.method == Method::PUT && r.path == path).await;
    assert_eq!(created.body["id"], id.to_string());
    assert!(
        emsp::ocpi::location_problems(&created.body).is_empty(),
        "{:?}",
        emsp::ocpi::location_problems(&created.body)
    );
    assert_eq!(
        created.authorization.as_deref(),
        Some(format!("Token {}", STANDARD.encode("peer-token-b-peer")).as_str())
    );
    assert_eq!(created.header("ocpi-from-party-id"), Some("ABC"));
    assert_eq!(created.header("ocpi-to-party-id"), Some("PEE"));
    // A new EVSE reshapes the location: PUT again, with it.
    let evse = NewEvse { evse_id: "GR*ABC*E1".into(), status: "AVAILABLE".into(), ..Default::default() };
    let uid = locations::create_evse(&app.store, owner, id, evse, vec![connector()]).await.expect("evse");
    arrives(&peer, "a PUT with the EVSE", |r| {
        r.method == Method::PUT && r.path == path && r.body["evses"][0]["uid"] == uid.as_str()
    })
    .await;
    // A status change alone is a PATCH of the EVSE with status and last_updated.
    locations::set_evse_status(&app.store, owner, &uid, "CHARGING").await.expect("status");
    let evse_path = format!("{path}/{uid}");
    let patch = arrives(&peer, "a PATCH of the status", |r| r.method == Method::PATCH && r.path == evse_path).await;
    assert_eq!(patch.body["status"], "CHARGING");
    assert!(patch.body["last_updated"].as_str().is_some_and(|t| t.ends_with('Z')));
    // Deleting the EVSE: the location goes with it as REMOVED (OCPI never deletes).
    locations::delete_evse(&app.store, owner, &uid).await.expect("delete evse");
    arrives(&peer, "the EVSE as REMOVED", |r| {
        r.method == Method::PUT
            && r.path == path
            && r.body["evses"][0]["uid"] == uid.as_str()
            && r.body["evses"][0]["status"] == "REMOVED"
    })
    .await;
    // Unpublishing: every EVSE it had is REMOVED.
    let evse = NewEvse { evse_id: "GR*ABC*E2".into(), status: "AVAILABLE".into(), ..Default::default() };
    let second = locations::create_evse(&app.store, owner, id, evse, vec![connector()]).await.expect("evse");
    arrives(&peer, "a PUT with the second EVSE", |r| {
        r.method == Method::PUT
            && r.body["evses"]
                .as_array()
                .is_some_and(|e| e.iter().any(|e| e["uid"] == second.as_str() && e["status"] == "AVAILABLE"))
    })
    .await;
    locations::set_publish(&app.store, owner, id, false).await.expect("unpublish");
    arrives(&peer, "the unpublished location's EVSEs REMOVED", |r| {
        r.method == Method::PUT
            && r.path == path
            && r.body["evses"].as_array().is_some_and(|e| {
                e.iter().any(|e| e["uid"] == second.as_str()) && e.iter().all(|e| e["status"] == "REMOVED")
            })
    })
    .await;
}

async fn unexposed_locations_are_not_pushed(app: TestApp) {
    let (peer, _) = registered_peer(&app, "peer").await;
    let owner = owner_with_party(&app).await;
    let draft = locations::create_location(&app.store, owner, location("Draft")).await.expect("draft");
    let mut marker = location("Marker");
    marker.publish = true;
    let marker = locations::create_location(&app.store, owner, marker).await.expect("marker");
    arrives(&peer, "the marker", |r| r.path.ends_with(&format!("/{marker}"))).await;
    assert!(!peer.received().iter().any(|r| r.path.ends_with(&format!("/{draft}"))), "a draft is never pushed");
}

async fn a_peer_that_was_down_gets_the_current_state(app: TestApp) {
    let (peer, _) = registered_peer(&app, "peer").await;
    let owner = owner_with_party(&app).await;
    peer.set_down(true);
    let mut new = location("While down");
    new.publish = true;
    let id = locations::create_location(&app.store, owner, new.clone()).await.expect("location");
    let path = format!("/ocpi/2.2.1/emsp/locations/GR/ABC/{id}");
    arrives(&peer, "a first attempt", |r| r.path == path).await;
    // Changed twice while the peer is down: what arrives is the latest state, never the stale one.
    new.name = "Renamed while down".into();
    locations::update_location(&app.store, owner, id, new).await.expect("rename");
    let rows: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM ocpi_outbox").fetch_one(app.store.pool()).await.expect("count");
    assert_eq!(rows, 1, "one queued row per object, whatever the number of changes");
    peer.set_down(false);
    peer.clear();
    let delivered = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(r) = peer.received().into_iter().find(|r| r.path == path && r.method == Method::PUT) {
                return r;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("delivered after the outage (backoff is at most a few seconds here)");
    assert_eq!(delivered.body["name"], "Renamed while down");
    let start = Instant::now();
    loop {
        let left: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM ocpi_outbox").fetch_one(app.store.pool()).await.expect("count");
        if left == 0 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "the queue empties once delivered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

both_backends_with!(
    super::ocpi_config,
    changes_are_pushed_as_they_happen,
    unexposed_locations_are_not_pushed,
    a_peer_that_was_down_gets_the_current_state,
);
