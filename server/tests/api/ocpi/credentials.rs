//! Versions, credentials and both directions of the registration handshake.
use super::peer::{PeerServer, PEER_TOKEN_A, PEER_TOKEN_C};
use super::{call, call_with, get, ocpi_config, registered_peer};
use crate::helpers::TestApp;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::Method;
use serde_json::json;

async fn versions_need_a_known_token(app: TestApp) {
    for authorization in [None, Some("Token bm9wZQ==".to_owned()), Some("Bearer x".to_owned())] {
        let answer = call_with(&app, Method::GET, "/ocpi/versions", authorization, None, &[]).await;
        assert_eq!(answer.status, 401);
        assert_eq!(answer.code(), 2000, "an OCPI envelope: {:?}", answer.body);
        assert!(answer.body["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')));
    }
    app.store.open_ocpi_peer("p", "the-token-a", false).await.expect("peer");
    // Base64 as 2.2.1 says, and the raw token many peers still send.
    let encoded = call(&app, Method::GET, "/ocpi/versions", Some("the-token-a"), None).await;
    let raw = call_with(&app, Method::GET, "/ocpi/versions", Some("Token the-token-a".into()), None, &[]).await;
    for answer in [&encoded, &raw] {
        assert_eq!((answer.status, answer.code()), (200, 1000));
        assert_eq!(answer.body["data"][0]["version"], "2.2.1");
        assert_eq!(answer.body["data"][0]["url"], app.url("/ocpi/2.2.1"));
    }
    let details = get(&app, "/ocpi/2.2.1", "the-token-a").await;
    let endpoints = details.body["data"]["endpoints"].as_array().expect("endpoints").clone();
    let credentials: Vec<_> = endpoints.iter().filter(|e| e["identifier"] == "credentials").collect();
    assert_eq!(credentials.len(), 1, "credentials listed once");
    assert_eq!(credentials[0]["role"], "SENDER");
    assert!(endpoints.iter().any(|e| e["identifier"] == "locations"
        && e["role"] == "SENDER"
        && e["url"] == app.url("/ocpi/2.2.1/cpo/locations")));
    // Request ids are echoed, or made up when missing.
    let echoed = call_with(
        &app,
        Method::GET,
        "/ocpi/versions",
        Some("Token the-token-a".into()),
        None,
        &[("X-Request-ID", "req-1"), ("X-Correlation-ID", "corr-1")],
    )
    .await;
    assert_eq!((echoed.header("x-request-id"), echoed.header("x-correlation-id")), (Some("req-1"), Some("corr-1")));
    assert!(raw.header("x-request-id").is_some_and(|id| !id.is_empty()));
    // TOKEN_A is good for versions and credentials only.
    let locations = get(&app, "/ocpi/2.2.1/cpo/locations", "the-token-a").await;
    assert_eq!(locations.status, 401);
}

async fn a_peer_registers_with_token_a_and_rotates(app: TestApp) {
    let peer = PeerServer::start().await;
    app.store.open_ocpi_peer("peer", "token-a", false).await.expect("peer");
    // Not registered: PUT and DELETE are refused with 405.
    for method in [Method::PUT, Method::DELETE] {
        let answer = call(&app, method, "/ocpi/2.2.1/credentials", Some("token-a"), Some(&peer.credentials("x"))).await;
        assert_eq!(answer.status, 405, "{:?}", answer.body);
    }
    peer.accept("token-b");
    let answer =
        call(&app, Method::POST, "/ocpi/2.2.1/credentials", Some("token-a"), Some(&peer.credentials("token-b"))).await;
    assert_eq!((answer.status, answer.code()), (200, 1000), "{:?}", answer.body);
    let data = &answer.body["data"];
    let token_c = data["token"].as_str().expect("token").to_owned();
    assert!(token_c.len() <= 64 && token_c.bytes().all(|b| (0x21..=0x7e).contains(&b)));
    assert_eq!(data["url"], app.url("/ocpi/versions"));
    assert!(data["roles"].as_array().expect("roles").iter().any(|r| r["role"] == "EMSP"
        && r["country_code"] == "NL"
        && r["party_id"] == "EMS"
        && r["business_details"]["name"] == "Test EMSP"));
    // We read the peer's versions and details with the token it gave, Base64-encoded.
    let calls = peer.received();
    let expected = format!("Token {}", STANDARD.encode("token-b"));
    assert!(calls.iter().any(|c| c.path == "/ocpi/versions" && c.authorization.as_deref() == Some(expected.as_str())));
    assert!(calls.iter().any(|c| c.path == "/ocpi/2.2.1"));
    // TOKEN_A stops working; the new token works; a second POST is refused with 405.
    assert_eq!(get(&app, "/ocpi/versions", "token-a").await.status, 401);
    assert_eq!(get(&app, "/ocpi/2.2.1/cpo/locations", &token_c).await.status, 200);
    let again =
        call(&app, Method::POST, "/ocpi/2.2.1/credentials", Some(&token_c), Some(&peer.credentials("token-b"))).await;
    assert_eq!(again.status, 405);
    // GET returns our credentials with the caller's token.
    let ours = get(&app, "/ocpi/2.2.1/credentials", &token_c).await;
    assert_eq!(ours.body["data"]["token"], token_c.as_str());
    // PUT rotates: the old token stops, the new one works, the peer's endpoints were read again.
    let before = peer.received().len();
    peer.accept("token-b2");
    let renewed =
        call(&app, Method::PUT, "/ocpi/2.2.1/credentials", Some(&token_c), Some(&peer.credentials("token-b2"))).await;
    assert_eq!((renewed.status, renewed.code()), (200, 1000), "{:?}", renewed.body);
    let token_c2 = renewed.body["data"]["token"].as_str().expect("token").to_owned();
    assert_ne!(token_c2, token_c);
    assert!(peer.received().len() > before, "PUT re-reads the peer's versions");
    assert_eq!(get(&app, "/ocpi/versions", &token_c).await.status, 401);
    assert_eq!(get(&app, "/ocpi/versions", &token_c2).await.status, 200);
    // DELETE unregisters: no token of the peer works any more.
    let deleted = call(&app, Method::DELETE, "/ocpi/2.2.1/credentials", Some(&token_c2), None).await;
    assert_eq!((deleted.status, deleted.code()), (200, 1000));
    assert_eq!(get(&app, "/ocpi/versions", &token_c2).await.status, 401);
}

async fn registrations_that_cannot_work_are_refused(app: TestApp) {
    // Invalid credentials objects: 2001 naming the field; not JSON: HTTP 400.
    app.store.open_ocpi_peer("p", "token-a", false).await.expect("peer");
    let invalid = json!({"token": "has space", "url": "http://x/ocpi/versions", "roles": []});
    let answer = call(&app, Method::POST, "/ocpi/2.2.1/credentials", Some("token-a"), Some(&invalid)).await;
    assert_eq!((answer.status, answer.code()), (200, 2001));
    assert!(answer.body["status_message"].as_str().is_some_and(|m| m.contains("token")));
    let not_json = app
        .http
        .post(app.url("/ocpi/2.2.1/credentials"))
        .header("Authorization", format!("Token {}", STANDARD.encode("token-a")))
        .header("Content-Type", "application/json")
        .body("{nope")
        .send()
        .await
        .expect("post");
    assert_eq!(not_json.status(), 400);
    // A peer whose versions cannot be read with its token: 3001. One without locations: 3003.
    let peer = PeerServer::start().await;
    let unknown_token =
        call(&app, Method::POST, "/ocpi/2.2.1/credentials", Some("token-a"), Some(&peer.credentials("never-accepted")))
            .await;
    assert_eq!(unknown_token.code(), 3001, "{:?}", unknown_token.body);
    let lacking = PeerServer::without_locations().await;
    lacking.accept("tb");
    let answer =
        call(&app, Method::POST, "/ocpi/2.2.1/credentials", Some("token-a"), Some(&lacking.credentials("tb"))).await;
    assert_eq!(answer.code(), 3003, "{:?}", answer.body);
    // Nothing was registered: TOKEN_A still works, and only on versions/credentials.
    assert_eq!(get(&app, "/ocpi/versions", "token-a").await.status, 200);
}

async fn we_register_at_a_peer(app: TestApp) {
    let peer = PeerServer::start().await;
    let state = ocpi_state(&app);
    let token_a = app::secret::SecretString::from(PEER_TOKEN_A.to_owned());
    emsp::ocpi::register(&state, "hub", &peer.versions_url(), &token_a, false).await.expect("registered");
    let calls = peer.received();
    let post = calls.iter().find(|c| c.method == Method::POST).expect("our POST");
    assert_eq!(post.authorization.as_deref(), Some(format!("Token {}", STANDARD.encode(PEER_TOKEN_A)).as_str()));
    let our_token = post.body["token"].as_str().expect("token").to_owned();
    assert_eq!(post.body["url"], app.url("/ocpi/versions"));
    // The peer read our versions with that token during the POST; the token now works on modules.
    assert_eq!(get(&app, "/ocpi/2.2.1/cpo/locations", &our_token).await.status, 200);
    let stored = app.store.ocpi_peer_named("hub").await.expect("store").expect("peer");
    assert_eq!(stored.state, app::store::PeerState::Registered);
    assert!(stored.roles.iter().any(|r| r.role == "EMSP" && r.country_code == "DE" && r.party_id == "PEE"));
    let token = app.store.ocpi_peer_token(stored.id).await.expect("store").expect("token");
    assert_eq!(app::secret::ExposeSecret::expose_secret(&token), PEER_TOKEN_C);
    // Removing it unregisters at the peer with the token it gave us, and revokes ours.
    assert!(emsp::ocpi::remove(&state, "hub").await.expect("removed"));
    let delete = peer.received().into_iter().find(|c| c.method == Method::DELETE).expect("DELETE at the peer");
    assert_eq!(delete.authorization.as_deref(), Some(format!("Token {}", STANDARD.encode(PEER_TOKEN_C)).as_str()));
    assert_eq!(get(&app, "/ocpi/versions", &our_token).await.status, 401);
}

async fn ocpi_and_api_tokens_do_not_cross(app: TestApp) {
    let (_peer, token) = registered_peer(&app, "peer").await;
    let api = app.api_token().await;
    assert_eq!(get(&app, "/ocpi/2.2.1/cpo/locations", &api).await.status, 401);
    let graphql = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(&token)
        .json(&json!({"query": "{ locations(limit: 1) { id } }"}))
        .send()
        .await
        .expect("graphql");
    let body: serde_json::Value = graphql.json().await.expect("json");
    assert!(body["errors"].is_array(), "an OCPI token is no API token: {body}");
}

fn ocpi_state(app: &TestApp) -> emsp::ocpi::OcpiState {
    let mut config = crate::helpers::test_config("sqlite::memory:", &app.data_dir, false);
    ocpi_config(&mut config);
    config.ocpi.public_url = app.base.clone();
    emsp::ocpi::OcpiState::new(app.store.clone(), config.ocpi, "test")
}

both_backends_with!(
    super::ocpi_config,
    versions_need_a_known_token,
    a_peer_registers_with_token_a_and_rotates,
    registrations_that_cannot_work_are_refused,
    we_register_at_a_peer,
    ocpi_and_api_tokens_do_not_cross,
);
