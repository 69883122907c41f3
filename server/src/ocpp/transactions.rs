//! Authorize, StartTransaction, StopTransaction and MeterValues. These are the messages a
//! charger retries and finally drops when they fail (OCPP 1.6 §8): they are always answered
//! when the database can be written, anomalies are logged, never refused.
use super::frame::CallError;
use super::handlers::{internal, text};
use super::meter;
use super::session::Session;
use app::clock::{now_ms, parse_rfc3339};
use app::store::{MeterReading, SessionStart, SessionStop};
use serde_json::{json, Value};

fn integer(payload: &Value, field: &str) -> i64 {
    payload.get(field).and_then(Value::as_i64).unwrap_or_default()
}

/// `Accepted` when the tag is on the owner's list (case-insensitively), `Invalid` otherwise.
async fn authorization(session: &Session, id_tag: &str) -> Result<&'static str, CallError> {
    let accepted = session.store.id_tag_accepted(session.owner_id, id_tag).await.map_err(|e| internal(session, &e))?;
    Ok(if accepted { "Accepted" } else { "Invalid" })
}

pub async fn authorize(session: &Session, payload: Value) -> Result<Value, CallError> {
    let status = authorization(session, &text(&payload, "idTag").unwrap_or_default()).await?;
    Ok(json!({ "idTagInfo": { "status": status } }))
}

/// Always hands out a transactionId, also for an Invalid tag (the charger then stops or
/// suspends the session itself); the same start retried finds the same id.
pub async fn start_transaction(session: &Session, payload: Value) -> Result<Value, CallError> {
    let id_tag = text(&payload, "idTag").unwrap_or_default();
    let status = authorization(session, &id_tag).await?;
    // As sent, not clamped: a retry must produce the same key.
    let started_at = text(&payload, "timestamp").as_deref().and_then(parse_rfc3339).unwrap_or_else(now_ms);
    let start = SessionStart {
        connector_id: integer(&payload, "connectorId"),
        id_tag: &id_tag,
        authorization: status,
        meter_start_wh: integer(&payload, "meterStart"),
        started_at,
    };
    let transaction_id =
        session.store.start_session(session.charger_id, &start).await.map_err(|e| internal(session, &e))?;
    if transaction_id > i64::from(i32::MAX) {
        tracing::error!(transaction_id, "transaction ids have outgrown OCPP's 32-bit range");
    }
    Ok(json!({ "idTagInfo": { "status": status }, "transactionId": transaction_id }))
}

/// A stop cannot be refused: an unknown transaction is logged and answered all the same.
pub async fn stop_transaction(session: &Session, payload: Value) -> Result<Value, CallError> {
    let transaction_id = integer(&payload, "transactionId");
    let reason = text(&payload, "reason").unwrap_or_else(|| "Local".to_owned());
    let stop = SessionStop {
        transaction_id,
        meter_stop_wh: integer(&payload, "meterStop"),
        stopped_at: text(&payload, "timestamp").as_deref().and_then(parse_rfc3339).unwrap_or_else(now_ms),
        reason: &reason,
    };
    let found = session.store.stop_session(session.charger_id, &stop).await.map_err(|e| internal(session, &e))?;
    if !found {
        tracing::warn!(charger = %session.charge_point_id, transaction_id, "StopTransaction for an unknown transaction");
    }
    match text(&payload, "idTag") {
        Some(id_tag) => Ok(json!({ "idTagInfo": { "status": authorization(session, &id_tag).await? } })),
        None => Ok(json!({})),
    }
}

pub async fn meter_values(session: &Session, payload: Value) -> Result<Value, CallError> {
    let connector_id = integer(&payload, "connectorId");
    let values = payload.get("meterValue").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    let latest = meter::latest(values, now_ms());
    let Some(at) = latest.at else {
        tracing::info!(charger = %session.charge_point_id, connector_id, "MeterValues without energy or power");
        return Ok(json!({}));
    };
    let reading = MeterReading { connector_id, energy_wh: latest.energy_wh, power_w: latest.power_w, at };
    let known =
        session.store.charger_readings(session.charger_id, &reading).await.map_err(|e| internal(session, &e))?;
    if !known {
        tracing::warn!(charger = %session.charge_point_id, connector_id, "MeterValues for a connector the charger has no EVSE for");
    }
    Ok(json!({}))
}
