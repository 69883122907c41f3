//! What a connected charger changes: its connection, boot data and statuses. Every write also
//! refreshes the EVSE rows the APIs read (status, serial number, meter type, connection id,
//! server id) and moves the modification time of each EVSE it changes and of the location.
use super::{Store, StoreError};
use crate::domain::views::{Readings, StatusChange};
use sqlx::{AnyConnection, Row};

/// The charger-derived columns of its EVSEs (all of them, or `only` one), from the charger's row
/// and each EVSE's own last status: offline → UNKNOWN, else the connector-0 override, else its
/// own status (the same rule as `domain::charging::shown_status`, in SQL so one statement does
/// every EVSE). EVSEs whose columns already hold these values are left alone.
pub(crate) async fn refresh_evses(
    conn: &mut AnyConnection,
    charger_id: i64,
    only: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    const OF_CHARGER: &str =
        "FROM charger_evses ce JOIN chargers c ON c.id = ce.charger_id WHERE ce.evse_uid = evses.uid";
    const SHOWN: &str =
        "CASE WHEN c.connection_id IS NULL THEN 'UNKNOWN' ELSE COALESCE(c.override_status, ce.own_status, 'UNKNOWN') END";
    let changed = format!(
        "(status <> (SELECT {SHOWN} {OF_CHARGER}) \
         OR COALESCE(serial_number, '') <> (SELECT COALESCE(c.serial_number, '') {OF_CHARGER}) \
         OR COALESCE(meter_type, '') <> (SELECT COALESCE(c.meter_type, '') {OF_CHARGER}) \
         OR COALESCE(current_ws_connection_id, '') <> (SELECT COALESCE(c.connection_id, '') {OF_CHARGER}) \
         OR COALESCE(server_id, '') <> (SELECT COALESCE(c.server_id, '') {OF_CHARGER}))"
    );
    let sql = format!(
        "UPDATE evses SET status = (SELECT {SHOWN} {OF_CHARGER}), \
         serial_number = (SELECT c.serial_number {OF_CHARGER}), meter_type = (SELECT c.meter_type {OF_CHARGER}), \
         current_ws_connection_id = (SELECT c.connection_id {OF_CHARGER}), server_id = (SELECT c.server_id {OF_CHARGER}), \
         date_modified = $1 \
         WHERE uid IN (SELECT evse_uid FROM charger_evses WHERE charger_id = $2) AND ($3 = '' OR uid = $3) AND {changed}"
    );
    let changed_uids: Vec<String> = sqlx::query_scalar(&format!("{sql} RETURNING uid"))
        .bind(now)
        .bind(charger_id)
        .bind(only.unwrap_or_default())
        .fetch_all(&mut *conn)
        .await?;
    // The contract's connectors are the EVSE's plug types: they share its status.
    for uid in &changed_uids {
        super::evse_changes::record(conn, uid, now).await?;
        sqlx::query(
            "UPDATE connectors SET status = (SELECT status FROM evses WHERE uid = $1), date_modified = $2 \
             WHERE evse_uid = $1 AND status <> (SELECT status FROM evses WHERE uid = $1)",
        )
        .bind(uid)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The charger was heard from. Transactions that would otherwise begin with a read write this
/// first: on SQLite a transaction that reads before it writes cannot wait for another writer (it
/// fails with "database is locked"), one that writes first waits its turn.
pub(super) async fn seen(conn: &mut AnyConnection, charger_id: i64, now: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE chargers SET last_seen = $1 WHERE id = $2")
        .bind(now)
        .bind(charger_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A change of the charger's EVSEs moves its location's modification time. (No ownership check:
/// the gateway acts for the charger, not for an owner.)
pub(super) async fn touch_location(conn: &mut AnyConnection, charger_id: i64, now: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE locations SET date_modified = $1 WHERE id = (SELECT location_id FROM chargers WHERE id = $2)")
        .bind(now)
        .bind(charger_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// What a charger said in its BootNotification that the platform keeps.
#[derive(Debug, Clone, Default)]
pub struct BootInfo {
    pub vendor: String,
    pub model: String,
    pub firmware_version: Option<String>,
    pub serial_number: Option<String>,
    pub meter_type: Option<String>,
}

/// One StatusNotification, mapped.
#[derive(Debug, Clone)]
pub struct StatusReport {
    pub connector_id: i64,
    /// The OCPI status it maps to (for connector 0: the override, or None when it clears).
    pub status: Option<&'static str>,
    pub ocpp_status: String,
    pub error_code: String,
    pub info: Option<String>,
    pub vendor_error_code: Option<String>,
    pub sent_timestamp: Option<String>,
    /// When the status applied: the charger's timestamp clamped to receipt, or receipt.
    pub at: i64,
    pub received_at: i64,
}

/// The latest values of one MeterValues message (already in Wh and W).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeterReading {
    pub connector_id: i64,
    pub energy_wh: Option<f64>,
    pub power_w: Option<f64>,
    pub at: i64,
}

/// A status report to store, with the charger and connection it came from.
#[derive(Debug, Clone)]
pub struct StatusWrite {
    pub charger_id: i64,
    pub connection_id: String,
    pub report: StatusReport,
}

/// What a status report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusOutcome {
    Applied,
    /// Older than what is stored from an earlier connection: kept in the history only.
    Outdated,
    /// No EVSE of this charger has that connectorId.
    UnknownConnector,
}

impl Store {
    /// A charger's connection, admitted with the key whose digest is `key_digest`, was accepted
    /// on `server_id` as `connection_id`. False when the charger was removed or its key replaced
    /// since it was admitted: the change's dismissal found no connection to close, so this one
    /// must not start.
    pub async fn charger_connected(
        &self,
        charger_id: i64,
        key_digest: &str,
        connection_id: &str,
        server_id: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let recorded = sqlx::query(
            "UPDATE chargers SET connection_id = $1, server_id = $2, connected_since = $3, last_seen = $3 \
             WHERE id = $4 AND key_digest = $5",
        )
        .bind(connection_id)
        .bind(server_id)
        .bind(now)
        .bind(charger_id)
        .bind(key_digest)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if recorded == 0 {
            return Ok(false);
        }
        touch_location(&mut tx, charger_id, now).await?;
        refresh_evses(&mut tx, charger_id, None, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The connection `connection_id` ended. A newer connection of the same charger (which
    /// replaced this one) is left alone.
    pub async fn charger_disconnected(&self, charger_id: i64, connection_id: &str, now: i64) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        let ended = sqlx::query(
            "UPDATE chargers SET connection_id = NULL, server_id = NULL, connected_since = NULL, last_seen = $1 \
             WHERE id = $2 AND connection_id = $3",
        )
        .bind(now)
        .bind(charger_id)
        .bind(connection_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if ended > 0 {
            touch_location(&mut tx, charger_id, now).await?;
            refresh_evses(&mut tx, charger_id, None, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// At start: connections this node held before it stopped are gone. Returns how many.
    pub async fn release_server(&self, server_id: &str, now: i64) -> Result<usize, StoreError> {
        let held = sqlx::query("SELECT id, connection_id FROM chargers WHERE server_id = $1")
            .bind(server_id)
            .fetch_all(self.pool())
            .await?;
        for row in &held {
            let connection: Option<String> = row.try_get("connection_id")?;
            if let Some(connection) = connection {
                self.charger_disconnected(row.try_get("id")?, &connection, now).await?;
            }
        }
        Ok(held.len())
    }

    /// Any frame from the charger: it is alive.
    pub async fn charger_seen(&self, charger_id: i64, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE chargers SET last_seen = $1 WHERE id = $2")
            .bind(now)
            .bind(charger_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// A BootNotification: keeps what it says and clears a charger-wide Unavailable/Faulted.
    pub async fn charger_booted(&self, charger_id: i64, boot: &BootInfo, now: i64) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "UPDATE chargers SET vendor = $1, model = $2, firmware_version = $3, serial_number = $4, meter_type = $5, \
             override_status = NULL, last_seen = $6, date_modified = $6 WHERE id = $7",
        )
        .bind(&boot.vendor)
        .bind(&boot.model)
        .bind(&boot.firmware_version)
        .bind(&boot.serial_number)
        .bind(&boot.meter_type)
        .bind(now)
        .bind(charger_id)
        .execute(&mut *tx)
        .await?;
        touch_location(&mut tx, charger_id, now).await?;
        refresh_evses(&mut tx, charger_id, None, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Keeps a MeterValues reading: connector 0 is the charger's main meter, never an EVSE's.
    /// Returns false when the charger has no such connector. Older readings do not replace newer.
    pub async fn charger_readings(&self, charger_id: i64, reading: &MeterReading) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        seen(&mut tx, charger_id, crate::clock::now_ms()).await?;
        if reading.connector_id == 0 {
            sqlx::query("UPDATE chargers SET main_meter_wh = COALESCE($1, main_meter_wh) WHERE id = $2")
                .bind(reading.energy_wh)
                .bind(charger_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(true);
        }
        let Some(uid) = sqlx::query_scalar::<_, String>(
            "SELECT evse_uid FROM charger_evses WHERE charger_id = $1 AND position = $2",
        )
        .bind(charger_id)
        .bind(reading.connector_id)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(false);
        };
        let updated = sqlx::query(
            "UPDATE charger_evses SET energy_wh = COALESCE($1, energy_wh), power_w = COALESCE($2, power_w), readings_at = $3 \
             WHERE evse_uid = $4 AND (readings_at IS NULL OR readings_at <= $3)",
        )
        .bind(reading.energy_wh)
        .bind(reading.power_w)
        .bind(reading.at)
        .bind(&uid)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated > 0 {
            super::evse_changes::record(&mut tx, &uid, crate::clock::now_ms()).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The latest readings of an EVSE (all `None` for an EVSE without a charger).
    pub async fn readings(&self, evse_uid: &str) -> Result<Readings, StoreError> {
        let row = sqlx::query("SELECT energy_wh, power_w, readings_at FROM charger_evses WHERE evse_uid = $1")
            .bind(evse_uid)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(Readings::default()) };
        Ok(Readings {
            energy_wh: row.try_get("energy_wh")?,
            power_w: row.try_get("power_w")?,
            readings_at: row.try_get("readings_at")?,
        })
    }

    /// The last `limit` status changes of an EVSE, newest first.
    pub async fn status_history(&self, evse_uid: &str, limit: i64) -> Result<Vec<StatusChange>, StoreError> {
        let rows = sqlx::query(
            "SELECT status, ocpp_status, connector_id, error_code, info, vendor_error_code, sent_timestamp, received_at \
             FROM evse_status_history WHERE evse_uid = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(evse_uid)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StatusChange {
                    status: row.try_get("status")?,
                    ocpp_status: row.try_get("ocpp_status")?,
                    connector_id: row.try_get("connector_id")?,
                    error_code: row.try_get("error_code")?,
                    info: row.try_get("info")?,
                    vendor_error_code: row.try_get("vendor_error_code")?,
                    timestamp: row.try_get("sent_timestamp")?,
                    received_at: row.try_get("received_at")?,
                })
            })
            .collect()
    }
}
