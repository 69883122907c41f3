//! A peer platform played by an in-process axum server on port 0: it offers versions, 2.2.1
//! details (credentials and locations RECEIVER), answers credentials like a real platform (on a
//! POST it reads the caller's versions with the token it was given, as the handshake requires),
//! and records every request it receives.
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::any;
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// A request the peer received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: Method,
    pub path: String,
    pub authorization: Option<String>,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Clone, Default)]
struct Shared {
    /// Tokens this peer accepts (what it handed out: TOKEN_A, then the token it answers with).
    accepted: Arc<Mutex<Vec<String>>>,
    received: Arc<Mutex<Vec<Received>>>,
    base: Arc<Mutex<String>>,
    /// Answer every request with HTTP 503 (an outage), after recording it.
    down: Arc<std::sync::atomic::AtomicBool>,
    /// Leave the locations endpoint out of the details (a peer we cannot work with).
    without_locations: bool,
}

pub struct PeerServer {
    pub base: String,
    shared: Shared,
}

pub const PEER_TOKEN_A: &str = "peer-token-a";
/// The token the peer hands us in its credentials answer (we call it with this).
pub const PEER_TOKEN_C: &str = "peer-token-c";

impl PeerServer {
    pub async fn start() -> Self {
        Self::start_with(false).await
    }

    pub async fn without_locations() -> Self {
        Self::start_with(true).await
    }

    async fn start_with(without_locations: bool) -> Self {
        let shared = Shared { without_locations, ..Default::default() };
        shared.accepted.lock().unwrap().push(PEER_TOKEN_A.into());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("peer listener");
        let base = format!("http://{}", listener.local_addr().expect("peer address"));
        *shared.base.lock().unwrap() = base.clone();
        let router = Router::new().fallback(any(handle)).with_state(shared.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { base, shared }
    }

    pub fn versions_url(&self) -> String {
        format!("{}/ocpi/versions", self.base)
    }

    /// Makes the peer accept `token` (the token we handed it, as a registration would).
    pub fn accept(&self, token: &str) {
        self.shared.accepted.lock().unwrap().push(token.to_owned());
    }

    pub fn set_down(&self, down: bool) {
        self.shared.down.store(down, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn clear(&self) {
        self.shared.received.lock().unwrap().clear();
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// The peer's credentials object carrying `token` (for us to call it with).
    pub fn credentials(&self, token: &str) -> Value {
        json!({
            "token": token,
            "url": self.versions_url(),
            "roles": [{"role": "CPO", "party_id": "PEE", "country_code": "DE",
                       "business_details": {"name": "Peer Charging"}}]
        })
    }
}

fn envelope(data: Value) -> axum::response::Response {
    Json(json!({"data": data, "status_code": 1000, "timestamp": "2026-01-01T00:00:00Z"})).into_response()
}

fn token_of(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("authorization")?.to_str().ok()?.strip_prefix("Token ")?.to_owned();
    let decoded = STANDARD.decode(&value).ok().and_then(|b| String::from_utf8(b).ok());
    Some(decoded.unwrap_or(value))
}

async fn handle(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> axum::response::Response {
    let body_json: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    shared.received.lock().unwrap().push(Received {
        method: method.clone(),
        path: uri.path().to_owned(),
        authorization: headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_owned),
        headers: headers.clone(),
        body: body_json.clone(),
    });
    if shared.down.load(std::sync::atomic::Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let token = token_of(&headers).unwrap_or_default();
    if !shared.accepted.lock().unwrap().contains(&token) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"status_code": 2000, "timestamp": "2026-01-01T00:00:00Z"})))
            .into_response();
    }
    let base = shared.base.lock().unwrap().clone();
    match (method.as_str(), uri.path()) {
        ("GET", "/ocpi/versions") => envelope(json!([{"version": "2.2.1", "url": format!("{base}/ocpi/2.2.1")}])),
        ("GET", "/ocpi/2.2.1") => {
            let mut endpoints = vec![
                json!({"identifier": "credentials", "role": "SENDER", "url": format!("{base}/ocpi/2.2.1/credentials")}),
            ];
            if !shared.without_locations {
                endpoints.push(json!({"identifier": "locations", "role": "RECEIVER", "url": format!("{base}/ocpi/2.2.1/emsp/locations")}));
            }
            envelope(json!({"version": "2.2.1", "endpoints": endpoints}))
        }
        ("POST", "/ocpi/2.2.1/credentials") => {
            // As a real platform: read the caller's versions with the token it sent us.
            let their_token = body_json["token"].as_str().unwrap_or_default().to_owned();
            let their_versions = body_json["url"].as_str().unwrap_or_default().to_owned();
            let read = reqwest::Client::new()
                .get(&their_versions)
                .header("Authorization", format!("Token {}", STANDARD.encode(&their_token)))
                .send()
                .await;
            if !read.is_ok_and(|r| r.status() == 200) {
                return Json(json!({"status_code": 3001, "timestamp": "2026-01-01T00:00:00Z"})).into_response();
            }
            shared.accepted.lock().unwrap().push(PEER_TOKEN_C.into());
            envelope(json!({
                "token": PEER_TOKEN_C,
                "url": format!("{base}/ocpi/versions"),
                "roles": [{"role": "EMSP", "party_id": "PEE", "country_code": "DE", "business_details": {"name": "Peer Mobility"}}]
            }))
        }
        ("DELETE", "/ocpi/2.2.1/credentials") => envelope(Value::Null),
        _ => envelope(Value::Null),
    }
}
