//! Charging sessions: what StartTransaction opens and StopTransaction closes. The row id is the
//! transactionId; a StartTransaction retried after a lost answer finds its first row.
use super::{Store, StoreError};
use crate::domain::views::ChargeSession;
use sqlx::Row;

/// What a StartTransaction says.
#[derive(Debug, Clone)]
pub struct SessionStart<'a> {
    pub connector_id: i64,
    pub id_tag: &'a str,
    pub authorization: &'a str,
    pub meter_start_wh: i64,
    pub started_at: i64,
}

/// What a StopTransaction says.
#[derive(Debug, Clone)]
pub struct SessionStop<'a> {
    pub transaction_id: i64,
    pub meter_stop_wh: i64,
    pub stopped_at: i64,
    pub reason: &'a str,
}

impl Store {
    /// Opens a session (or finds the one this same start opened before); returns its id.
    pub async fn start_session(&self, charger_id: i64, start: &SessionStart<'_>) -> Result<i64, StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO charge_sessions (charger_id, evse_uid, connector_id, id_tag, auth_status, meter_start_wh, started_at) \
             VALUES ($1, (SELECT evse_uid FROM charger_evses WHERE charger_id = $1 AND position = $2), $2, $3, $4, $5, $6) \
             ON CONFLICT (charger_id, connector_id, id_tag, meter_start_wh, started_at) DO NOTHING",
        )
        .bind(charger_id)
        .bind(start.connector_id)
        .bind(start.id_tag)
        .bind(start.authorization)
        .bind(start.meter_start_wh)
        .bind(start.started_at)
        .execute(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar(
            "SELECT id FROM charge_sessions WHERE charger_id = $1 AND connector_id = $2 AND id_tag = $3 \
             AND meter_start_wh = $4 AND started_at = $5",
        )
        .bind(charger_id)
        .bind(start.connector_id)
        .bind(start.id_tag)
        .bind(start.meter_start_wh)
        .bind(start.started_at)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Closes one of the charger's sessions; false when it has no such session. A repeated stop
    /// (the answer was lost) writes the same values again.
    pub async fn stop_session(&self, charger_id: i64, stop: &SessionStop<'_>) -> Result<bool, StoreError> {
        let closed = sqlx::query(
            "UPDATE charge_sessions SET stopped_at = $1, meter_stop_wh = $2, energy_wh = $2 - meter_start_wh, stop_reason = $3 \
             WHERE id = $4 AND charger_id = $5",
        )
        .bind(stop.stopped_at)
        .bind(stop.meter_stop_wh)
        .bind(stop.reason)
        .bind(stop.transaction_id)
        .bind(charger_id)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(closed > 0)
    }

    /// The newest `limit` sessions at an EVSE.
    pub async fn sessions_of_evse(&self, evse_uid: &str, limit: i64) -> Result<Vec<ChargeSession>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, id_tag, auth_status, started_at, stopped_at, meter_start_wh, meter_stop_wh, energy_wh, stop_reason \
             FROM charge_sessions WHERE evse_uid = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(evse_uid)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ChargeSession {
                    transaction_id: row.try_get("id")?,
                    id_tag: row.try_get("id_tag")?,
                    authorization: row.try_get("auth_status")?,
                    started_at: row.try_get("started_at")?,
                    stopped_at: row.try_get("stopped_at")?,
                    meter_start_wh: row.try_get("meter_start_wh")?,
                    meter_stop_wh: row.try_get("meter_stop_wh")?,
                    energy_wh: row.try_get("energy_wh")?,
                    stop_reason: row.try_get("stop_reason")?,
                })
            })
            .collect()
    }
}
