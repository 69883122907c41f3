//! OCPI 2.2.1 over HTTP on SQLite and PostgreSQL, against a peer played by a test server.
mod credentials;
mod parties;
mod peer;
mod push;
mod receiver;
mod restart;
mod sender;

use crate::helpers::TestApp;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use emsp::config::Config;
use peer::PeerServer;
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::Value;

/// The platform's own party and a public URL that names the port the server gets.
pub fn ocpi_config(config: &mut Config) {
    config.public_url = format!("http://{}", config.addr);
    config.ocpi.public_url = config.public_url.clone();
    config.ocpi.party = Some(("NL".into(), "EMS".into()));
    config.ocpi.name = "Test EMSP".into();
}

pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn code(&self) -> i64 {
        self.body["status_code"].as_i64().unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// An OCPI request with `Authorization: Token <base64 of token>` (None: no header).
pub async fn call(app: &TestApp, method: Method, path: &str, token: Option<&str>, body: Option<&Value>) -> Answer {
    call_with(app, method, path, token.map(|t| format!("Token {}", STANDARD.encode(t))), body, &[]).await
}

pub async fn call_with(
    app: &TestApp,
    method: Method,
    path: &str,
    authorization: Option<String>,
    body: Option<&Value>,
    headers: &[(&str, &str)],
) -> Answer {
    let url = if path.starts_with("http") { path.to_owned() } else { app.url(path) };
    let mut request = app.http.request(method, url);
    if let Some(authorization) = authorization {
        request = request.header("Authorization", authorization);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.expect("OCPI request");
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    let body = response.json().await.unwrap_or(Value::Null);
    Answer { status, headers, body }
}

pub async fn get(app: &TestApp, path: &str, token: &str) -> Answer {
    call(app, Method::GET, path, Some(token), None).await
}

/// A peer registered with us (it started): returns the peer server and the token it calls us with.
pub async fn registered_peer(app: &TestApp, name: &str) -> (PeerServer, String) {
    let peer = PeerServer::start().await;
    let token_a = format!("token-a-{name}");
    app.store.open_ocpi_peer(name, &token_a, false).await.expect("open peer");
    let token_b = format!("peer-token-b-{name}");
    peer.accept(&token_b);
    let answer =
        call(app, Method::POST, "/ocpi/2.2.1/credentials", Some(&token_a), Some(&peer.credentials(&token_b))).await;
    assert_eq!((answer.status, answer.code()), (200, 1000), "{:?}", answer.body);
    let token = answer.body["data"]["token"].as_str().expect("our token").to_owned();
    (peer, token)
}
