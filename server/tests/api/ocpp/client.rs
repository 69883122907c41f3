//! A charger's side of OCPP-J for the tests: a real WebSocket client (tokio-tungstenite) that
//! authenticates with HTTP Basic, sends CALLs and reads what the Central System sends.
use crate::helpers::TestApp;
use base64::Engine;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

pub struct Charger {
    pub socket: Socket,
    /// The subprotocol the server agreed to, if any.
    pub protocol: Option<String>,
    /// CALLs the server sent (answered `Accepted` by `call`).
    pub received: Vec<Value>,
    next_id: u64,
}

/// How a connection attempt is made.
pub struct Dial<'a> {
    pub charge_point_id: &'a str,
    /// `(user, password bytes)` for the Basic header; `None` sends none.
    pub basic: Option<(&'a str, Vec<u8>)>,
    pub protocols: &'a str,
}

impl<'a> Dial<'a> {
    pub fn new(charge_point_id: &'a str, key: &str) -> Self {
        Self { charge_point_id, basic: Some((charge_point_id, key.as_bytes().to_vec())), protocols: "ocpp1.6" }
    }
}

pub fn ws_url(app: &TestApp, charge_point_id: &str) -> String {
    format!("{}/ocpp/{charge_point_id}", app.base.replacen("http://", "ws://", 1))
}

/// Connects, or returns the HTTP status of the refusal.
pub async fn dial(app: &TestApp, how: Dial<'_>) -> Result<Charger, StatusCode> {
    let mut request = ws_url(app, how.charge_point_id).into_client_request().expect("request");
    if let Some((user, password)) = how.basic {
        let mut credentials = user.as_bytes().to_vec();
        credentials.push(b':');
        credentials.extend_from_slice(&password);
        let header = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(credentials));
        request.headers_mut().insert("authorization", HeaderValue::from_str(&header).expect("header"));
    }
    if !how.protocols.is_empty() {
        request.headers_mut().insert("sec-websocket-protocol", HeaderValue::from_str(how.protocols).expect("header"));
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, response)) => {
            let protocol =
                response.headers().get("sec-websocket-protocol").and_then(|v| v.to_str().ok()).map(str::to_owned);
            Ok(Charger { socket, protocol, received: Vec::new(), next_id: 0 })
        }
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(response.status()),
        Err(e) => panic!("connection failed: {e}"),
    }
}

pub async fn connect(app: &TestApp, charge_point_id: &str, key: &str) -> Charger {
    dial(app, Dial::new(charge_point_id, key)).await.expect("connected")
}

impl Charger {
    pub async fn send_text(&mut self, text: &str) {
        self.socket.send(Message::Text(text.into())).await.expect("send");
    }

    /// The next text frame as JSON, or `None` when the socket closed (or 5 s passed).
    pub async fn next_frame(&mut self) -> Option<Value> {
        self.next_frame_within(Duration::from_secs(5)).await
    }

    pub async fn next_frame_within(&mut self, wait: Duration) -> Option<Value> {
        loop {
            match tokio::time::timeout(wait, self.socket.next()).await {
                Ok(Some(Ok(Message::Text(text)))) => return Some(serde_json::from_str(&text).expect("json frame")),
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)))) => {}
                Ok(Some(Ok(Message::Close(_) | Message::Binary(_)) | Err(_)) | None) | Err(_) => return None,
            }
        }
    }

    /// True when the server closes the socket within `wait`.
    pub async fn closed_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.socket.next()).await {
                Err(_) => return false,
                Ok(Some(Ok(Message::Close(_)) | Err(_)) | None) => return true,
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// Sends a CALL and returns the answer frame (`[3, …]` or `[4, …]`). CALLs from the server
    /// that arrive meanwhile are recorded and answered `Accepted`.
    pub async fn call(&mut self, action: &str, payload: Value) -> Value {
        self.next_id += 1;
        let id = format!("m{}", self.next_id);
        self.send_text(&json!([2, id, action, payload]).to_string()).await;
        self.answer_to(&id).await
    }

    pub async fn answer_to(&mut self, id: &str) -> Value {
        loop {
            let frame = self.next_frame().await.unwrap_or_else(|| panic!("no answer to {id}"));
            if frame[0] == 2 {
                let reply = json!([3, frame[1], { "status": "Accepted" }]).to_string();
                self.received.push(frame);
                self.send_text(&reply).await;
                continue;
            }
            assert_eq!(frame[1], id, "answer to another message: {frame}");
            return frame;
        }
    }

    /// The payload of a CALLRESULT; fails on a CALLERROR.
    pub async fn ok(&mut self, action: &str, payload: Value) -> Value {
        let frame = self.call(action, payload).await;
        assert_eq!(frame[0], 3, "{action} answered {frame}");
        frame[2].clone()
    }

    /// The CALLERROR code the server answered with; fails on a CALLRESULT.
    pub async fn error_code(&mut self, action: &str, payload: Value) -> String {
        let frame = self.call(action, payload).await;
        assert_eq!(frame[0], 4, "{action} answered {frame}");
        frame[2].as_str().expect("code").to_owned()
    }

    pub async fn boot(&mut self) -> Value {
        self.ok(
            "BootNotification",
            json!({
                "chargePointVendor": "Alfen", "chargePointModel": "Eve Double",
                "chargePointSerialNumber": "ACE0123456", "firmwareVersion": "6.4.0",
                "meterType": "Inepro PRO380"
            }),
        )
        .await
    }

    pub async fn status(&mut self, connector_id: i64, status: &str) {
        let answer = self
            .ok("StatusNotification", json!({ "connectorId": connector_id, "errorCode": "NoError", "status": status }))
            .await;
        assert_eq!(answer, json!({}));
    }
}
