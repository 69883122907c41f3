//! The answers to what a charger sends. Payloads arrive checked against their schemas
//! (`dispatch`), so the fields read here exist with the right types.
use super::frame::{CallError, ErrorCode};
use super::session::Session;
use app::clock::{now_ms, parse_rfc3339, rfc3339};
use app::domain::charging::{ocpi_status, whole_charger, WholeCharger};
use app::store::{BootInfo, StatusOutcome, StatusReport, StatusWrite, StoreError};
use serde_json::{json, Value};

pub(super) fn text(payload: &Value, field: &str) -> Option<String> {
    payload.get(field).and_then(Value::as_str).map(str::to_owned)
}

/// A store failure: the charger is told, and retries (transaction messages are re-sent).
pub(super) fn internal(session: &Session, error: &StoreError) -> CallError {
    tracing::error!(charger = %session.charge_point_id, cause = %app::error::chain(error), "OCPP message not stored");
    CallError::new(ErrorCode::InternalError, "the message could not be stored; try again")
}

pub async fn boot_notification(session: &Session, payload: Value) -> Result<Value, CallError> {
    let boot = BootInfo {
        vendor: text(&payload, "chargePointVendor").unwrap_or_default(),
        model: text(&payload, "chargePointModel").unwrap_or_default(),
        firmware_version: text(&payload, "firmwareVersion"),
        serial_number: text(&payload, "chargePointSerialNumber").or_else(|| text(&payload, "chargeBoxSerialNumber")),
        meter_type: text(&payload, "meterType"),
    };
    let now = now_ms();
    session.store.charger_booted(session.charger_id, &boot, now).await.map_err(|e| internal(session, &e))?;
    Ok(json!({
        "status": "Accepted",
        "currentTime": rfc3339(now),
        "interval": session.heartbeat_interval.as_secs(),
    }))
}

pub fn heartbeat() -> Value {
    json!({ "currentTime": rfc3339(now_ms()) })
}

pub fn data_transfer() -> Value {
    json!({ "status": "UnknownVendorId" })
}

pub async fn status_notification(session: &Session, payload: Value) -> Result<Value, CallError> {
    let received_at = now_ms();
    let connector_id = payload.get("connectorId").and_then(Value::as_i64).unwrap_or_default();
    let ocpp_status = text(&payload, "status").unwrap_or_default();
    let status = if connector_id == 0 {
        match whole_charger(&ocpp_status) {
            WholeCharger::Override(status) => Some(status),
            WholeCharger::Clear => None,
            WholeCharger::Ignore => {
                tracing::info!(charger = %session.charge_point_id, status = %ocpp_status, "connector 0 status has no meaning; ignored");
                return Ok(json!({}));
            }
        }
    } else {
        ocpi_status(&ocpp_status)
    };
    let sent_timestamp = text(&payload, "timestamp");
    // A charger's clock may run ahead until it is synced: never later than receipt.
    let at = sent_timestamp.as_deref().and_then(parse_rfc3339).map_or(received_at, |t| t.min(received_at));
    let report = StatusReport {
        connector_id,
        status,
        ocpp_status,
        error_code: text(&payload, "errorCode").unwrap_or_default(),
        info: text(&payload, "info"),
        vendor_error_code: text(&payload, "vendorErrorCode"),
        sent_timestamp,
        at,
        received_at,
    };
    let write = StatusWrite { charger_id: session.charger_id, connection_id: session.connection_id.clone(), report };
    let outcome = session.writer.write(write).await.map_err(|e| internal(session, &e))?;
    match outcome {
        StatusOutcome::Applied => {}
        StatusOutcome::Outdated => {
            tracing::info!(charger = %session.charge_point_id, connector_id, "status older than the stored one; kept in the history only");
        }
        StatusOutcome::UnknownConnector => {
            tracing::warn!(charger = %session.charge_point_id, connector_id, "StatusNotification for a connector the charger has no EVSE for");
        }
    }
    Ok(json!({}))
}
