//! One task per charger socket: reads frames in order and answers each CALL before reading the
//! next (so statuses apply in the order sent), pings, and closes the socket when the charger
//! falls silent, floods, sends binary frames or is replaced by a newer connection.
use super::dispatch;
use super::frame::{self, CallError, ErrorCode, Incoming, Unreadable};
use super::session::Session;
use axum::extract::ws::{close_code, CloseFrame, Message, WebSocket};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Messages a charger may send per second, sustained, and the burst it may send at once.
const RATE_PER_SECOND: f64 = 50.0;
const BURST: f64 = 100.0;

pub struct Timing {
    pub silence_limit: Duration,
    pub ping_every: Duration,
}

/// Allows `RATE_PER_SECOND` with bursts of `BURST`.
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn new() -> Self {
        Self { tokens: BURST, at: Instant::now() }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.at).as_secs_f64() * RATE_PER_SECOND).min(BURST);
        self.at = now;
        if self.tokens < 1.0 {
            return false;
        }
        self.tokens -= 1.0;
        true
    }
}

/// Why a connection ended, for the log.
enum End {
    ClosedByCharger,
    Replaced,
    Silent(Duration),
    Flood,
    Binary,
    Broken(String),
}

impl std::fmt::Display for End {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            End::ClosedByCharger => write!(f, "closed by the charger"),
            End::Replaced => write!(f, "replaced by a newer connection"),
            End::Silent(silent) => write!(f, "silent for {} s", silent.as_secs()),
            End::Flood => write!(f, "more than {RATE_PER_SECOND} messages a second"),
            End::Binary => write!(f, "sent a binary frame"),
            End::Broken(why) => write!(f, "connection failed: {why}"),
        }
    }
}

async fn close(socket: &mut WebSocket, code: u16, reason: &str) {
    let frame = CloseFrame { code, reason: reason.into() };
    let _ = socket.send(Message::Close(Some(frame))).await;
}

/// Serves the connection until it ends; `trigger_status` asks a charger that reconnects (it will
/// not resend unchanged statuses) to report them all now.
pub async fn serve(
    mut socket: WebSocket,
    session: Session,
    mut replaced: oneshot::Receiver<()>,
    timing: Timing,
    trigger_status: bool,
) {
    let mut pending: Option<String> = None;
    if trigger_status {
        let id = format!("trigger-{}", session.connection_id.get(..8).unwrap_or_default());
        let call = frame::call(&id, "TriggerMessage", json!({ "requestedMessage": "StatusNotification" }));
        if socket.send(Message::Text(call.into())).await.is_ok() {
            pending = Some(id);
        }
    }
    let mut ticker = tokio::time::interval(timing.ping_every);
    ticker.tick().await;
    let mut last_heard = Instant::now();
    let mut last_recorded = Instant::now();
    let mut bucket = Bucket::new();
    let end = loop {
        tokio::select! {
            message = socket.recv() => {
                let message = match message {
                    None => break End::ClosedByCharger,
                    Some(Err(e)) => break End::Broken(e.to_string()),
                    Some(Ok(message)) => message,
                };
                last_heard = Instant::now();
                match message {
                    Message::Text(text) => {
                        if !bucket.take() {
                            close(&mut socket, close_code::POLICY, "more than 50 messages a second").await;
                            break End::Flood;
                        }
                        if let Some(reply) = answer(&session, text.as_str(), &mut pending).await {
                            if let Err(e) = socket.send(Message::Text(reply.into())).await {
                                break End::Broken(e.to_string());
                            }
                        }
                    }
                    Message::Binary(_) => {
                        close(&mut socket, close_code::UNSUPPORTED, "OCPP-J uses text frames only").await;
                        break End::Binary;
                    }
                    Message::Close(_) => break End::ClosedByCharger,
                    Message::Ping(_) | Message::Pong(_) => {}
                }
            }
            _ = &mut replaced => {
                close(&mut socket, close_code::NORMAL, "replaced by a newer connection").await;
                break End::Replaced;
            }
            _ = ticker.tick() => {
                let silent = last_heard.elapsed();
                if silent > timing.silence_limit {
                    close(&mut socket, close_code::AWAY, "no message or pong within the heartbeat limit").await;
                    break End::Silent(silent);
                }
                if last_heard > last_recorded {
                    last_recorded = Instant::now();
                    if let Err(e) = session.store.charger_seen(session.charger_id, app::clock::now_ms()).await {
                        tracing::warn!(charger = %session.charge_point_id, cause = %app::error::chain(&e), "last_seen not recorded");
                    }
                }
                if socket.send(Message::Ping(Default::default())).await.is_err() {
                    break End::Broken("ping failed".into());
                }
            }
        }
    };
    tracing::info!(charger = %session.charge_point_id, connection = %session.connection_id, reason = %end, "charger disconnected");
}

/// The reply to one text frame, if it gets one.
async fn answer(session: &Session, text: &str, pending: &mut Option<String>) -> Option<String> {
    match frame::parse(text) {
        Ok(Incoming::Call { id, action, payload }) => Some(match dispatch::handle(session, &action, payload).await {
            Ok(result) => frame::call_result(&id, result),
            Err(error) => {
                tracing::info!(charger = %session.charge_point_id, action, code = error.code.as_str(), description = %error.description, "CALLERROR");
                frame::call_error(&id, &error)
            }
        }),
        Ok(Incoming::Result { id, .. } | Incoming::Error { id, .. }) if pending.as_deref() == Some(id.as_str()) => {
            *pending = None;
            None
        }
        Ok(Incoming::Result { id, .. } | Incoming::Error { id, .. }) => {
            tracing::info!(charger = %session.charge_point_id, id, "answer to no pending CALL; dropped");
            None
        }
        Err(Unreadable::Call { id, reason }) => {
            tracing::info!(charger = %session.charge_point_id, id, reason, "malformed CALL");
            Some(frame::call_error(&id, &CallError::new(ErrorCode::FormationViolation, reason)))
        }
        Err(Unreadable::Dropped(why)) => {
            tracing::info!(charger = %session.charge_point_id, why, "frame dropped");
            None
        }
    }
}
