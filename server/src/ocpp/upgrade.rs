//! `GET /ocpp/{charge_point_id}`: every refusal happens before the socket exists. Unknown
//! identity → 404; missing or wrong HTTP Basic credentials → 401; a charger of an owner that is
//! not OCPP-ready → 403; the database unreachable → 503; this node full → 503. A client that does
//! not offer `ocpp1.6` gets the handshake without the header and the socket closed at once
//! (OCPP-J 1.6 §3.2), not a 400.
use super::connection::{self, Timing};
use super::registry::Registration;
use super::session::Session;
use super::OcppState;
use app::auth::charger_key;
use app::clock::now_ms;
use app::domain::charging;
use app::store::ChargerLogin;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{close_code, CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use std::time::Duration;

pub const SUBPROTOCOL: &str = "ocpp1.6";
/// Text frames up to 1 MiB: StopTransaction's `transactionData` can be large.
pub const MAX_MESSAGE_BYTES: usize = 1024 * 1024;

fn refuse(status: StatusCode, message: &'static str) -> Response {
    let mut response = (status, message).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"OCPP\""));
    }
    response
}

/// The password of an `Authorization: Basic` header whose user is `charge_point_id`. The header
/// is decoded as bytes (a key may be binary) and split at the first `:`.
fn basic_password(headers: &HeaderMap, charge_point_id: &str) -> Option<Vec<u8>> {
    let value = headers.get(header::AUTHORIZATION)?.as_bytes();
    let (scheme, encoded) = value.split_at(value.iter().position(|b| *b == b' ')?);
    if !scheme.eq_ignore_ascii_case(b"Basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim_ascii()).ok()?;
    let colon = decoded.iter().position(|b| *b == b':')?;
    (&decoded[..colon] == charge_point_id.as_bytes()).then(|| decoded[colon + 1..].to_vec())
}

/// Who may connect, or the refusal.
async fn admit(state: &OcppState, charge_point_id: &str, headers: &HeaderMap) -> Result<ChargerLogin, Response> {
    if charging::charge_point_id(charge_point_id).is_err() {
        return Err(refuse(StatusCode::NOT_FOUND, "unknown charge point"));
    }
    let login = match state.store.charger_login(charge_point_id).await {
        Ok(Some(login)) => login,
        Ok(None) => return Err(refuse(StatusCode::NOT_FOUND, "unknown charge point")),
        Err(e) => {
            tracing::error!(cause = %app::error::chain(&e), "charger lookup failed");
            return Err(refuse(StatusCode::SERVICE_UNAVAILABLE, "try again later"));
        }
    };
    let password = basic_password(headers, charge_point_id);
    let verified = match (password, &login.key_digest) {
        (Some(password), Some(stored)) => charger_key::verify(stored, &password).await,
        _ => false,
    };
    if !verified {
        return Err(refuse(StatusCode::UNAUTHORIZED, "Basic credentials of this charge point are required"));
    }
    if !login.ocpp_ready {
        return Err(refuse(StatusCode::FORBIDDEN, "the charger's owner is not OCPP-ready"));
    }
    Ok(login)
}

pub async fn upgrade(
    State(state): State<OcppState>,
    Path(charge_point_id): Path<String>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let login = match admit(&state, &charge_point_id, &headers).await {
        Ok(login) => login,
        Err(refusal) => return refusal,
    };
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let Ok(permit) = state.permits.clone().try_acquire_owned() else {
        tracing::warn!(
            limit = state.settings.max_connections,
            "charger refused: the node holds its maximum of connections"
        );
        return refuse(StatusCode::SERVICE_UNAVAILABLE, "too many chargers connected; try again later");
    };
    // Small buffers: a charger sends a few hundred bytes at a time, and ten thousand idle
    // connections must not each hold tungstenite's default 128 KiB read buffer.
    let upgrade = upgrade
        .protocols([SUBPROTOCOL])
        .max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0);
    let agreed = upgrade.selected_protocol().is_some();
    upgrade.on_upgrade(move |socket| async move {
        let _permit = permit;
        if agreed {
            let connections = state.connections.clone();
            // Awaited here, so the web runtime's shutdown still waits for the connection.
            if let Err(e) = connections.spawn(accept(state, login, charge_point_id, socket)).await {
                tracing::error!(error = %e, "charger connection task failed");
            }
        } else {
            tracing::info!(charger = %charge_point_id, "charger did not offer ocpp1.6; closed");
            refuse_subprotocol(socket).await;
        }
    })
}

async fn refuse_subprotocol(mut socket: WebSocket) {
    let frame = CloseFrame { code: close_code::PROTOCOL, reason: "the ocpp1.6 subprotocol is required".into() };
    let _ = socket.send(Message::Close(Some(frame))).await;
}

async fn accept(state: OcppState, login: ChargerLogin, charge_point_id: String, mut socket: WebSocket) {
    let connection_id = uuid::Uuid::new_v4().to_string();
    let (registration, inbox): (Registration, _) =
        state.registry.register(&state.store, login.id, &charge_point_id, &connection_id);
    // `admit` verified the key against this digest; `None` never gets this far.
    let key_digest = login.key_digest.as_deref().unwrap_or_default();
    match state.store.charger_connected(login.id, key_digest, &connection_id, &state.node_id, now_ms()).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::info!(charger = %charge_point_id, "charger removed or its key replaced while connecting; closed");
            let reason = "the charger was removed or its key replaced".into();
            let _ = socket.send(Message::Close(Some(CloseFrame { code: close_code::POLICY, reason }))).await;
            return;
        }
        Err(e) => {
            tracing::error!(charger = %charge_point_id, cause = %app::error::chain(&e), "connection not recorded; closing");
            return;
        }
    }
    tracing::info!(charger = %charge_point_id, connection = %connection_id, "charger connected");
    let interval = state.settings.heartbeat_interval;
    let timing = Timing {
        silence_limit: state.settings.silence_limit(),
        ping_every: (interval / 2).clamp(Duration::from_secs(1), Duration::from_secs(30)),
        call_timeout: state.settings.call_timeout,
    };
    let session = Session {
        store: state.store.clone(),
        charger_id: login.id,
        owner_id: login.owner_id,
        charge_point_id,
        connection_id,
        heartbeat_interval: interval,
        writer: state.writer.clone(),
    };
    connection::serve(socket, session, inbox, timing, login.booted).await;
    drop(registration);
}
