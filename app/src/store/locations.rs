//! Writing CPO owners, locations, EVSEs and connectors. Each call is one transaction: a row and
//! its reference links are stored together or not at all.
use super::reference::reference_ids;
use super::{now_ms, Store, StoreError};
pub use crate::domain::inputs::{NewConnector, NewEvse, NewLocation, Registration};
use sqlx::{Any, AnyConnection};

/// Inserts one `(owner, id)` row into a link table per id.
async fn link<T>(
    conn: &mut AnyConnection,
    sql: &str,
    owner: T,
    ids: &[i64],
) -> Result<(), StoreError>
where
    T: for<'q> sqlx::Encode<'q, Any> + sqlx::Type<Any> + Clone + Send,
{
    for id in ids {
        sqlx::query(sql)
            .bind(owner.clone())
            .bind(*id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Creates a CPO owner with its `CPO_OWNER` user (no password yet) and, if given, the user's
    /// invitation `(token digest, expiry ms)`, all or nothing; returns `(owner id, user id)`.
    /// `reg.logo` is a client-side file name, not an upload: the logo is set by uploading it.
    pub async fn create_cpo_owner(
        &self,
        reg: &Registration,
        invitation: Option<(&str, i64)>,
    ) -> Result<(i64, i64), StoreError> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        let owner_id: i64 = sqlx::query_scalar(
            "INSERT INTO cpo_owners (cpo_owner_name, contact_name, contact_number, contact_email, ocpp_ready, logo, date_created, date_modified) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(&reg.cpo_owner_name)
        .bind(&reg.contact_name)
        .bind(&reg.contact_number)
        .bind(reg.contact_email.to_lowercase())
        .bind(i64::from(reg.ocpp_ready))
        .bind(None::<String>)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::unique_as(e, "contact_email"))?;
        let user_id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, email, role, cpo_owner_id, date_created, date_modified) \
             VALUES ($1, $2, 'CPO_OWNER', $3, $4, $4) RETURNING id",
        )
        .bind(&reg.username)
        .bind(reg.contact_email.to_lowercase())
        .bind(owner_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(unique_user_field)?;
        if let Some((token_hash, expires_at)) = invitation {
            sqlx::query("INSERT INTO invitations (token_hash, user_id, expires_at, date_created) VALUES ($1, $2, $3, $4)")
                .bind(token_hash)
                .bind(user_id)
                .bind(expires_at)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok((owner_id, user_id))
    }

    pub async fn create_location(
        &self,
        cpo_owner_id: i64,
        loc: &NewLocation,
    ) -> Result<i64, StoreError> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        let facilities = reference_ids(&mut tx, "facilities", &loc.facilities).await?;
        let restrictions =
            reference_ids(&mut tx, "parking_restrictions", &loc.parking_restrictions).await?;
        let parking_types = reference_ids(&mut tx, "parking_types", &loc.parking_types).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO locations (cpo_owner_id, name, address, address_lat, address_lng, city, region, postal_code, country_code, publish, date_created, date_modified) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
        )
        .bind(cpo_owner_id)
        .bind(&loc.name)
        .bind(&loc.address)
        .bind(loc.address_lat)
        .bind(loc.address_lng)
        .bind(&loc.city)
        .bind(&loc.region)
        .bind(&loc.postal_code)
        .bind(&loc.country_code)
        .bind(i64::from(loc.publish))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        link(
            &mut tx,
            "INSERT INTO location_facilities (location_id, facility_id) VALUES ($1, $2)",
            id,
            &facilities,
        )
        .await?;
        link(&mut tx, "INSERT INTO location_parking_restrictions (location_id, parking_restriction_id) VALUES ($1, $2)", id, &restrictions).await?;
        link(
            &mut tx,
            "INSERT INTO location_parking_types (location_id, parking_type_id) VALUES ($1, $2)",
            id,
            &parking_types,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Creates an EVSE at `location_id` with a new random `uid`, and touches the location.
    pub async fn create_evse(
        &self,
        location_id: i64,
        evse: &NewEvse,
    ) -> Result<String, StoreError> {
        let now = now_ms();
        let uid = uuid::Uuid::new_v4().to_string();
        let mut tx = self.pool().begin().await?;
        let capabilities = reference_ids(&mut tx, "capabilities", &evse.capabilities).await?;
        let payment_types = reference_ids(&mut tx, "payment_types", &evse.payment_types).await?;
        sqlx::query(
            "INSERT INTO evses (uid, evse_id, serial_number, meter_type, status, cpo_location_id, current_ws_connection_id, server_id, date_created, date_modified) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        )
        .bind(&uid)
        .bind(&evse.evse_id)
        .bind(&evse.serial_number)
        .bind(&evse.meter_type)
        .bind(&evse.status)
        .bind(location_id)
        .bind(&evse.current_ws_connection_id)
        .bind(&evse.server_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::unique_as(e, "evse_id"))?;
        link(
            &mut tx,
            "INSERT INTO evse_capabilities (evse_uid, capability_id) VALUES ($1, $2)",
            uid.clone(),
            &capabilities,
        )
        .await?;
        link(
            &mut tx,
            "INSERT INTO evse_payment_types (evse_uid, payment_type_id) VALUES ($1, $2)",
            uid.clone(),
            &payment_types,
        )
        .await?;
        touch_location(&mut tx, location_id, now).await?;
        tx.commit().await?;
        Ok(uid)
    }

    /// Adds a connector to the EVSE `evse_uid`, and touches the EVSE's location.
    pub async fn create_connector(
        &self,
        evse_uid: &str,
        con: &NewConnector,
    ) -> Result<i64, StoreError> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO connectors (evse_uid, connector_id, standard, format, power_type, max_voltage, max_amperage, max_electric_power, connector_type, rate_setting, status, date_created, date_modified) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
        )
        .bind(evse_uid)
        .bind(&con.connector_id)
        .bind(&con.standard)
        .bind(&con.format)
        .bind(&con.power_type)
        .bind(con.max_voltage)
        .bind(con.max_amperage)
        .bind(con.max_electric_power)
        .bind(&con.connector_type)
        .bind(&con.rate_setting)
        .bind(&con.status)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::unique_as(e, "connector_id"))?;
        sqlx::query(
            "UPDATE locations SET date_modified = $1 WHERE id = (SELECT cpo_location_id FROM evses WHERE uid = $2)",
        )
        .bind(now)
        .bind(evse_uid)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}

async fn touch_location(
    conn: &mut AnyConnection,
    location_id: i64,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE locations SET date_modified = $1 WHERE id = $2")
        .bind(now)
        .bind(location_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Which field a unique violation on `users` is about, so the caller can name it.
fn unique_user_field(error: sqlx::Error) -> StoreError {
    let field = match &error {
        sqlx::Error::Database(db)
            if db.message().contains("email") || db.constraint() == Some("users_email_key") =>
        {
            "contact_email"
        }
        _ => "username",
    };
    StoreError::unique_as(error, field)
}
