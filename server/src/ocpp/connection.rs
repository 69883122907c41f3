//! One task per charger socket: reads frames in order and answers each CALL before reading the
//! next (so statuses apply in the order sent), pings, and closes the socket when the charger
//! falls silent, floods, sends binary frames or is replaced by a newer connection.
use super::calls::Queued;
use super::dispatch;
use super::frame::{self, CallError, ErrorCode, Incoming, Unreadable};
use super::registry::{Dismissed, Inbox};
use super::session::Session;
use app::error::ChargerFailure;
use app::services::charger_commands::Command;
use axum::extract::ws::{close_code, CloseFrame, Message, WebSocket};
use serde_json::Value;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::time::Instant;

/// How often a connection records that its charger is still there (`last_seen`).
const LAST_SEEN_EVERY: Duration = Duration::from_secs(300);

/// Messages a charger may send per second, sustained, and the burst it may send at once.
const RATE_PER_SECOND: f64 = 50.0;
const BURST: f64 = 100.0;

pub struct Timing {
    pub silence_limit: Duration,
    pub ping_every: Duration,
    /// How long a CALL we sent waits for its answer.
    pub call_timeout: Duration,
}

/// The one CALL of ours the charger has not answered yet.
struct Pending {
    id: String,
    action: &'static str,
    /// Where the answer goes (`None`: nobody waits, e.g. the TriggerMessage after a reconnect).
    reply: Option<oneshot::Sender<Result<Value, ChargerFailure>>>,
    deadline: Instant,
}

impl Pending {
    fn answer(self, result: Result<Value, ChargerFailure>) {
        if let Some(reply) = self.reply {
            let _ = reply.send(result);
        }
    }
}

/// Our CALLs on this connection, one at a time.
struct Calls {
    pending: Option<Pending>,
    sent: u64,
    timeout: Duration,
}

impl Calls {
    /// Sends `command`; its answer (or the failure to send it) goes to `reply`.
    async fn send(
        &mut self,
        socket: &mut WebSocket,
        command: &Command,
        reply: Option<oneshot::Sender<Result<Value, ChargerFailure>>>,
        charge_point_id: &str,
    ) -> bool {
        self.sent += 1;
        let id = format!("cs-{}", self.sent);
        let text = frame::call(&id, command.action(), command.payload());
        if socket.send(Message::Text(text.into())).await.is_err() {
            if let Some(reply) = reply {
                let _ = reply.send(Err(ChargerFailure::NotConnected(charge_point_id.to_owned())));
            }
            return false;
        }
        let deadline = Instant::now() + self.timeout;
        self.pending = Some(Pending { id, action: command.action(), reply, deadline });
        true
    }

    fn deadline(&self) -> Instant {
        self.pending.as_ref().map_or_else(|| Instant::now() + Duration::from_secs(86_400), |p| p.deadline)
    }

    /// The CALL `id` answers, if it is the one we wait for.
    fn take(&mut self, id: &str) -> Option<Pending> {
        if self.pending.as_ref().is_some_and(|p| p.id == id) {
            return self.pending.take();
        }
        None
    }
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
    Dismissed(Dismissed),
    ShuttingDown,
    Silent(Duration),
    Flood,
    Binary,
    Broken(String),
}

impl std::fmt::Display for End {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            End::ClosedByCharger => write!(f, "closed by the charger"),
            End::Dismissed(why) => write!(f, "{}", why.reason()),
            End::ShuttingDown => write!(f, "the server is shutting down"),
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
pub async fn serve(socket: WebSocket, session: Session, inbox: Inbox, timing: Timing, trigger_status: bool) {
    let mut socket = socket;
    let Inbox { mut dismissed, mut closing, mut commands } = inbox;
    let mut calls = Calls { pending: None, sent: 0, timeout: timing.call_timeout };
    if trigger_status {
        let trigger = Command::TriggerStatusNotification { connector_id: None };
        calls.send(&mut socket, &trigger, None, &session.charge_point_id).await;
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
                        if let Some(reply) = answer(&session, text.as_str(), &mut calls).await {
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
            Some(Queued { command, reply }) = commands.recv(), if calls.pending.is_none() => {
                if !calls.send(&mut socket, &command, Some(reply), &session.charge_point_id).await {
                    break End::Broken("could not send a command".into());
                }
            }
            () = tokio::time::sleep_until(calls.deadline()), if calls.pending.is_some() => {
                if let Some(pending) = calls.pending.take() {
                    tracing::info!(charger = %session.charge_point_id, action = pending.action, "no answer to our CALL in time");
                    let seconds = timing.call_timeout.as_secs();
                    pending.answer(Err(ChargerFailure::Timeout { charge_point_id: session.charge_point_id.clone(), seconds }));
                }
            }
            _ = closing.changed() => {
                close(&mut socket, close_code::AWAY, "the server is shutting down").await;
                break End::ShuttingDown;
            }
            why = &mut dismissed => {
                // A dropped sender (the entry went without a word) ends the connection as well.
                let why = why.unwrap_or(Dismissed::Replaced);
                close(&mut socket, close_code::NORMAL, why.reason()).await;
                break End::Dismissed(why);
            }
            _ = ticker.tick() => {
                let silent = last_heard.elapsed();
                if silent > timing.silence_limit {
                    close(&mut socket, close_code::AWAY, "no message or pong within the heartbeat limit").await;
                    break End::Silent(silent);
                }
                // `last_seen` moves at most every few minutes: ten thousand idle chargers
                // answering pings must not be a write a charger per ping.
                if last_heard > last_recorded && last_recorded.elapsed() >= LAST_SEEN_EVERY {
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
async fn answer(session: &Session, text: &str, calls: &mut Calls) -> Option<String> {
    match frame::parse(text) {
        Ok(Incoming::Call { id, action, payload }) => Some(match dispatch::handle(session, &action, payload).await {
            Ok(result) => frame::call_result(&id, result),
            Err(error) => {
                tracing::info!(charger = %session.charge_point_id, action, code = error.code.as_str(), description = %error.description, "CALLERROR");
                frame::call_error(&id, &error)
            }
        }),
        Ok(Incoming::Result { id, payload }) => {
            match calls.take(&id) {
                Some(pending) => pending.answer(Ok(payload)),
                None => {
                    tracing::info!(charger = %session.charge_point_id, id, "CALLRESULT to no pending CALL; dropped");
                }
            }
            None
        }
        Ok(Incoming::Error { id, code, description }) => {
            match calls.take(&id) {
                Some(pending) => pending.answer(Err(ChargerFailure::Refused { code, description })),
                None => tracing::info!(charger = %session.charge_point_id, id, "CALLERROR to no pending CALL; dropped"),
            }
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
