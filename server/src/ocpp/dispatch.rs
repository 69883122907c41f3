//! One table from action to payload schema and handler; each CALL is checked against its schema
//! before its handler runs, so no invalid payload reaches the store.
use super::frame::{CallError, ErrorCode};
use super::messages::{self as m, NOT_SUPPORTED};
use super::schema::{self, Field};
use super::session::Session;
use super::{handlers, transactions};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy)]
enum Action {
    BootNotification,
    Heartbeat,
    StatusNotification,
    DataTransfer,
    MeterValues,
    Authorize,
    StartTransaction,
    StopTransaction,
    /// Diagnostics and firmware status notifications: acknowledged, nothing kept.
    Acknowledge,
}

fn lookup(action: &str) -> Result<(&'static [Field], Action), CallError> {
    Ok(match action {
        "BootNotification" => (m::BOOT_NOTIFICATION, Action::BootNotification),
        "Heartbeat" => (m::HEARTBEAT, Action::Heartbeat),
        "StatusNotification" => (m::STATUS_NOTIFICATION, Action::StatusNotification),
        "DataTransfer" => (m::DATA_TRANSFER, Action::DataTransfer),
        "MeterValues" => (m::METER_VALUES, Action::MeterValues),
        "Authorize" => (m::AUTHORIZE, Action::Authorize),
        "StartTransaction" => (m::START_TRANSACTION, Action::StartTransaction),
        "StopTransaction" => (m::STOP_TRANSACTION, Action::StopTransaction),
        "DiagnosticsStatusNotification" => (m::DIAGNOSTICS_STATUS_NOTIFICATION, Action::Acknowledge),
        "FirmwareStatusNotification" => (m::FIRMWARE_STATUS_NOTIFICATION, Action::Acknowledge),
        known if NOT_SUPPORTED.contains(&known) => {
            return Err(CallError::new(
                ErrorCode::NotSupported,
                format!("{known} is not supported by this Central System"),
            ))
        }
        unknown => {
            let shown: String = unknown.chars().take(64).collect();
            return Err(CallError::new(ErrorCode::NotImplemented, format!("unknown action {shown:?}")));
        }
    })
}

/// Answers one CALL: the CALLRESULT payload, or the CALLERROR to send.
pub async fn handle(session: &Session, action: &str, payload: Map<String, Value>) -> Result<Value, CallError> {
    let (fields, handler) = lookup(action)?;
    let unknown = schema::check(fields, &payload)?;
    if !unknown.is_empty() {
        tracing::info!(charger = %session.charge_point_id, action, fields = ?unknown, "ignored fields OCPP 1.6 does not define");
    }
    let payload = Value::Object(payload);
    match handler {
        Action::BootNotification => handlers::boot_notification(session, payload).await,
        Action::Heartbeat => Ok(handlers::heartbeat()),
        Action::StatusNotification => handlers::status_notification(session, payload).await,
        Action::DataTransfer => Ok(handlers::data_transfer()),
        Action::MeterValues => transactions::meter_values(session, payload).await,
        Action::Authorize => transactions::authorize(session, payload).await,
        Action::StartTransaction => transactions::start_transaction(session, payload).await,
        Action::StopTransaction => transactions::stop_transaction(session, payload).await,
        Action::Acknowledge => Ok(Value::Object(Map::new())),
    }
}
