//! Chargers and their EVSEs: what owners manage (creating, re-pointing, removing, keys) and what
//! the gateway reads to let a charger in. What a connected charger reports is in `charger_state`.
use super::charger_state::refresh_evses;
use super::locations::{claim, Target};
use super::{Store, StoreError};
use crate::clock::now_ms;
use crate::domain::views::ChargerRow;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// What the gateway needs to admit a charger.
#[derive(Debug, Clone)]
pub struct ChargerLogin {
    pub id: i64,
    pub owner_id: i64,
    pub location_id: i64,
    pub key_digest: Option<String>,
    pub ocpp_ready: bool,
    /// It has sent a BootNotification before (so on reconnect it will not send one).
    pub booted: bool,
}

const CHARGER_COLUMNS: &str =
    "c.id, c.charge_point_id, c.location_id, c.key_digest, c.connection_id, c.connected_since, \
     c.last_seen, c.vendor, c.model, c.firmware_version, c.serial_number, c.meter_type, c.server_id, c.main_meter_wh";

fn charger_row(row: &AnyRow) -> Result<ChargerRow, StoreError> {
    Ok(ChargerRow {
        id: row.try_get("id")?,
        charge_point_id: row.try_get("charge_point_id")?,
        location_id: row.try_get("location_id")?,
        evse_uids: Vec::new(),
        has_key: row.try_get::<Option<String>, _>("key_digest")?.is_some(),
        connected: row.try_get::<Option<String>, _>("connection_id")?.is_some(),
        connected_since: row.try_get("connected_since")?,
        last_seen: row.try_get("last_seen")?,
        vendor: row.try_get("vendor")?,
        model: row.try_get("model")?,
        firmware_version: row.try_get("firmware_version")?,
        serial_number: row.try_get("serial_number")?,
        meter_type: row.try_get("meter_type")?,
        server_id: row.try_get("server_id")?,
        main_meter_wh: row.try_get("main_meter_wh")?,
    })
}

/// Points the charger at `evse_uids` (in connector order): each must be an EVSE of the charger's
/// location and not belong to another charger. EVSEs it no longer has keep their last status and
/// lose the connection fields.
async fn set_evses(
    conn: &mut AnyConnection,
    charger_id: i64,
    location_id: i64,
    evse_uids: &[String],
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE evses SET current_ws_connection_id = NULL, server_id = NULL, date_modified = $1 \
         WHERE uid IN (SELECT evse_uid FROM charger_evses WHERE charger_id = $2)",
    )
    .bind(now)
    .bind(charger_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM charger_evses WHERE charger_id = $1").bind(charger_id).execute(&mut *conn).await?;
    for (index, uid) in evse_uids.iter().enumerate() {
        let at: Option<i64> = sqlx::query_scalar("SELECT cpo_location_id FROM evses WHERE uid = $1")
            .bind(uid)
            .fetch_optional(&mut *conn)
            .await?;
        if at != Some(location_id) {
            return Err(StoreError::NotFound(format!("EVSE {uid} at this location")));
        }
        sqlx::query("INSERT INTO charger_evses (evse_uid, charger_id, position) VALUES ($1, $2, $3)")
            .bind(uid)
            .bind(charger_id)
            .bind(i64::try_from(index + 1).unwrap_or(i64::MAX))
            .execute(&mut *conn)
            .await
            .map_err(|e| StoreError::unique_as(e, &format!("a charger with EVSE {uid}")))?;
    }
    refresh_evses(conn, charger_id, None, now).await
}

/// The charger `charge_point_id` of `owner_id` (locked for the transaction): `(id, location)`.
async fn claim_charger(
    conn: &mut AnyConnection,
    owner_id: i64,
    charge_point_id: &str,
    now: i64,
) -> Result<(i64, i64), StoreError> {
    let row =
        sqlx::query("UPDATE chargers SET date_modified = $1 WHERE charge_point_id = $2 RETURNING id, location_id")
            .bind(now)
            .bind(charge_point_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::NotFound("charger".into()))?;
    let (id, location_id): (i64, i64) = (row.try_get("id")?, row.try_get("location_id")?);
    // Another owner's charger is "not found" to this one: identities are not disclosed.
    claim(conn, owner_id, Target::Location(location_id), now).await.map_err(|e| match e {
        StoreError::NotYours(_) => StoreError::NotFound("charger".into()),
        other => other,
    })?;
    Ok((id, location_id))
}

impl Store {
    /// Creates a charger at one of `owner_id`'s locations with these EVSEs; returns its id.
    pub async fn create_charger(
        &self,
        owner_id: i64,
        location_id: i64,
        charge_point_id: &str,
        evse_uids: &[String],
    ) -> Result<i64, StoreError> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        claim(&mut tx, owner_id, Target::Location(location_id), now).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO chargers (charge_point_id, location_id, date_created, date_modified) VALUES ($1, $2, $3, $3) RETURNING id",
        )
        .bind(charge_point_id)
        .bind(location_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::unique_as(e, "charge_point_id"))?;
        set_evses(&mut tx, id, location_id, evse_uids, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Replaces the EVSE list of one of `owner_id`'s chargers.
    pub async fn update_charger(
        &self,
        owner_id: i64,
        charge_point_id: &str,
        evse_uids: &[String],
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        let (id, location_id) = claim_charger(&mut tx, owner_id, charge_point_id, now).await?;
        set_evses(&mut tx, id, location_id, evse_uids, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a charger; its EVSEs stay, with their last status and no connection.
    /// `owner_id` `None` is the platform's operator (the CLI).
    pub async fn delete_charger(&self, owner_id: Option<i64>, charge_point_id: &str) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        let id = match owner_id {
            Some(owner) => claim_charger(&mut tx, owner, charge_point_id, now).await?.0,
            None => self.charger_id(&mut tx, charge_point_id, now).await?,
        };
        super::dismissals::record(&mut tx, super::dismissals::Dismissed::ChargerRemoved(id), now).await?;
        set_evses(&mut tx, id, 0, &[], now).await?;
        sqlx::query("DELETE FROM chargers WHERE id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Any charger by identity (the operator's commands), locked for the transaction: the write
    /// comes first so that on SQLite the transaction waits for other writers instead of failing.
    async fn charger_id(&self, conn: &mut AnyConnection, charge_point_id: &str, now: i64) -> Result<i64, StoreError> {
        sqlx::query_scalar("UPDATE chargers SET date_modified = $1 WHERE charge_point_id = $2 RETURNING id")
            .bind(now)
            .bind(charge_point_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::NotFound("charger".into()))
    }

    /// Stores the digest of a new key for a charger (`owner_id` `None`: the operator).
    pub async fn set_charger_key(
        &self,
        owner_id: Option<i64>,
        charge_point_id: &str,
        digest: &str,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        let id = match owner_id {
            Some(owner) => claim_charger(&mut tx, owner, charge_point_id, now).await?.0,
            None => self.charger_id(&mut tx, charge_point_id, now).await?,
        };
        sqlx::query("UPDATE chargers SET key_digest = $1, date_modified = $2 WHERE id = $3")
            .bind(digest)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        super::dismissals::record(&mut tx, super::dismissals::Dismissed::KeyReplaced(id), now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Chargers with their EVSE lists: of one location, or (`None`) all of the platform's.
    pub async fn chargers(&self, location_id: Option<i64>) -> Result<Vec<ChargerRow>, StoreError> {
        let sql = format!(
            "SELECT {CHARGER_COLUMNS} FROM chargers c WHERE $1 = 0 OR c.location_id = $1 ORDER BY c.location_id, c.charge_point_id"
        );
        let rows = sqlx::query(&sql).bind(location_id.unwrap_or(0)).fetch_all(self.pool()).await?;
        let mut chargers = rows.iter().map(charger_row).collect::<Result<Vec<_>, _>>()?;
        let links = sqlx::query(
            "SELECT ce.charger_id, ce.evse_uid FROM charger_evses ce JOIN chargers c ON c.id = ce.charger_id \
             WHERE $1 = 0 OR c.location_id = $1 ORDER BY ce.charger_id, ce.position",
        )
        .bind(location_id.unwrap_or(0))
        .fetch_all(self.pool())
        .await?;
        for link in links {
            let charger_id: i64 = link.try_get("charger_id")?;
            if let Some(charger) = chargers.iter_mut().find(|c| c.id == charger_id) {
                charger.evse_uids.push(link.try_get("evse_uid")?);
            }
        }
        Ok(chargers)
    }

    /// One charger by its identity.
    pub async fn charger(&self, charge_point_id: &str) -> Result<Option<ChargerRow>, StoreError> {
        let Some(location_id) =
            sqlx::query_scalar::<_, i64>("SELECT location_id FROM chargers WHERE charge_point_id = $1")
                .bind(charge_point_id)
                .fetch_optional(self.pool())
                .await?
        else {
            return Ok(None);
        };
        Ok(self.chargers(Some(location_id)).await?.into_iter().find(|c| c.charge_point_id == charge_point_id))
    }

    /// The charger owning each of these EVSEs: `(evse uid, charge point id)`.
    pub async fn chargers_of_evses(&self, uids: &[String]) -> Result<Vec<(String, String)>, StoreError> {
        let mut found = Vec::new();
        for chunk in uids.chunks(500) {
            let list = (1..=chunk.len()).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
            let sql = format!(
                "SELECT ce.evse_uid, c.charge_point_id FROM charger_evses ce JOIN chargers c ON c.id = ce.charger_id \
                 WHERE ce.evse_uid IN ({list})"
            );
            let mut query = sqlx::query(&sql);
            for uid in chunk {
                query = query.bind(uid);
            }
            for row in query.fetch_all(self.pool()).await? {
                found.push((row.try_get("evse_uid")?, row.try_get("charge_point_id")?));
            }
        }
        Ok(found)
    }

    /// The charger holding an EVSE and the EVSE's connectorId on it.
    pub async fn charger_of_evse(&self, evse_uid: &str) -> Result<Option<(String, i64)>, StoreError> {
        let row = sqlx::query(
            "SELECT c.charge_point_id, ce.position FROM charger_evses ce JOIN chargers c ON c.id = ce.charger_id WHERE ce.evse_uid = $1",
        )
        .bind(evse_uid)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| Ok((row.try_get("charge_point_id")?, row.try_get("position")?))).transpose()
    }

    /// What the gateway checks before letting `charge_point_id` upgrade.
    pub async fn charger_login(&self, charge_point_id: &str) -> Result<Option<ChargerLogin>, StoreError> {
        let row = sqlx::query(
            "SELECT c.id, c.location_id, c.key_digest, c.vendor, l.cpo_owner_id, o.ocpp_ready FROM chargers c \
             JOIN locations l ON l.id = c.location_id JOIN cpo_owners o ON o.id = l.cpo_owner_id \
             WHERE c.charge_point_id = $1",
        )
        .bind(charge_point_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(ChargerLogin {
                id: row.try_get("id")?,
                owner_id: row.try_get("cpo_owner_id")?,
                location_id: row.try_get("location_id")?,
                key_digest: row.try_get("key_digest")?,
                ocpp_ready: row.try_get::<i64, _>("ocpp_ready")? != 0,
                booted: row.try_get::<Option<String>, _>("vendor")?.is_some(),
            })
        })
        .transpose()
    }
}
