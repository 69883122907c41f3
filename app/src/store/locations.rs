//! Writing CPO owners, locations, EVSEs and connectors. Each call is one transaction: a row and
//! its reference links are stored together or not at all, and a change to an EVSE or connector
//! also moves its location's `date_modified`.
use super::name_index::index_location_name;
use super::reference::reference_ids;
use super::{Store, StoreError};
use crate::clock::now_ms;
use crate::domain::inputs::{NewConnector, NewEvse, NewLocation, NewStatus, Registration, Valid};
use crate::domain::role::Role;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Row};

/// Inserts one `(owner, id)` row into a link table per id.
async fn link<T>(conn: &mut AnyConnection, sql: &str, owner: T, ids: &[i64]) -> Result<(), StoreError>
where
    T: for<'q> sqlx::Encode<'q, Any> + sqlx::Type<Any> + Clone + Send,
{
    for id in ids {
        sqlx::query(sql).bind(owner.clone()).bind(*id).execute(&mut *conn).await?;
    }
    Ok(())
}

/// A location's own columns, bound as `$1`…`$10` by [`bind_location`].
pub(super) const LOCATION_FIELDS: &str =
    "name, address, address_lat, address_lng, city, region, postal_code, country_code, publish, time_zone";
/// The same columns as an UPDATE's SET list.
pub(super) const LOCATION_SET: &str = "name = $1, address = $2, address_lat = $3, address_lng = $4, city = $5, \
     region = $6, postal_code = $7, country_code = $8, publish = $9, time_zone = $10";

/// Binds a location's own columns as `$1`…`$10` ([`LOCATION_FIELDS`]), shared by insert and update.
pub(super) fn bind_location<'q>(
    query: Query<'q, Any, AnyArguments<'q>>,
    loc: &'q NewLocation,
) -> Query<'q, Any, AnyArguments<'q>> {
    query
        .bind(&loc.name)
        .bind(&loc.address)
        .bind(loc.address_lat)
        .bind(loc.address_lng)
        .bind(&loc.city)
        .bind(&loc.region)
        .bind(&loc.postal_code)
        .bind(&loc.country_code)
        .bind(i64::from(loc.publish))
        .bind(&loc.time_zone)
}

/// What a change is about; every change is checked against the location that owns it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target<'a> {
    Location(i64),
    Evse(&'a str),
    Connector(i64),
}

/// Touches the location owning `target` (its `date_modified` moves with every change below it)
/// and checks it belongs to `owner_id`; returns the location id. Writing first takes the lock at
/// once, so a concurrent change waits instead of failing.
pub(crate) async fn claim(
    conn: &mut AnyConnection,
    owner_id: i64,
    target: Target<'_>,
    now: i64,
) -> Result<i64, StoreError> {
    let (location, what) = match target {
        Target::Location(_) => ("$2", "location"),
        Target::Evse(_) => ("(SELECT cpo_location_id FROM evses WHERE uid = $2)", "EVSE"),
        Target::Connector(_) => (
            "(SELECT e.cpo_location_id FROM connectors c JOIN evses e ON e.uid = c.evse_uid WHERE c.id = $2)",
            "connector",
        ),
    };
    let sql = format!("UPDATE locations SET date_modified = $1 WHERE id = {location} RETURNING id, cpo_owner_id");
    let query = sqlx::query(&sql).bind(now);
    let query = match target {
        Target::Location(id) | Target::Connector(id) => query.bind(id),
        Target::Evse(uid) => query.bind(uid.to_owned()),
    };
    let row = query.fetch_optional(&mut *conn).await?.ok_or_else(|| StoreError::NotFound(what.into()))?;
    if row.try_get::<i64, _>("cpo_owner_id")? != owner_id {
        return Err(StoreError::NotYours(what.into()));
    }
    Ok(row.try_get("id")?)
}

/// `claim` for a change of what a location, EVSE or connector is (not only its status), which the
/// OCPI push sends whole; a status change reaches the push through `evse_changes` instead.
async fn claim_change(
    conn: &mut AnyConnection,
    owner_id: i64,
    target: Target<'_>,
    now: i64,
) -> Result<i64, StoreError> {
    let id = claim(conn, owner_id, target, now).await?;
    journal(conn, id, now).await?;
    Ok(id)
}

/// Records that location `id` (or something below it) changed, in the caller's transaction: the
/// OCPI push follows this journal.
pub(crate) async fn journal(conn: &mut AnyConnection, id: i64, now: i64) -> Result<(), StoreError> {
    super::journal::before_append(conn).await?;
    sqlx::query("INSERT INTO location_changes (location_id, at) VALUES ($1, $2)")
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn link_location_codes(
    conn: &mut AnyConnection,
    id: i64,
    loc: &NewLocation,
) -> Result<(), StoreError> {
    for (table, column, link_table, codes) in [
        ("facilities", "facility_id", "location_facilities", &loc.facilities),
        ("parking_restrictions", "parking_restriction_id", "location_parking_restrictions", &loc.parking_restrictions),
        ("parking_types", "parking_type_id", "location_parking_types", &loc.parking_types),
    ] {
        let ids = reference_ids(conn, table, codes).await?;
        sqlx::query(&format!("DELETE FROM {link_table} WHERE location_id = $1")).bind(id).execute(&mut *conn).await?;
        link(conn, &format!("INSERT INTO {link_table} (location_id, {column}) VALUES ($1, $2)"), id, &ids).await?;
    }
    Ok(())
}

pub(super) async fn link_evse_codes(conn: &mut AnyConnection, uid: &str, evse: &NewEvse) -> Result<(), StoreError> {
    for (table, column, link_table, codes) in [
        ("capabilities", "capability_id", "evse_capabilities", &evse.capabilities),
        ("payment_types", "payment_type_id", "evse_payment_types", &evse.payment_types),
    ] {
        let ids = reference_ids(conn, table, codes).await?;
        sqlx::query(&format!("DELETE FROM {link_table} WHERE evse_uid = $1")).bind(uid).execute(&mut *conn).await?;
        link(conn, &format!("INSERT INTO {link_table} (evse_uid, {column}) VALUES ($1, $2)"), uid.to_owned(), &ids)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Creates a CPO owner with its `CPO_OWNER` user (with a password hash when the owner chose one
    /// in the portal) and, if given, the user's invitation `(token digest, expiry ms)`, all or
    /// nothing; returns `(owner id, user id)`.
    /// `reg.logo` is a client-side file name, not an upload: the logo is set by uploading it.
    pub async fn create_cpo_owner(
        &self,
        reg: &Valid<Registration>,
        invitation: Option<(&str, i64)>,
        password_hash: Option<&str>,
    ) -> Result<(i64, i64), StoreError> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        let owner_id: i64 = sqlx::query_scalar(
            "INSERT INTO cpo_owners (cpo_owner_name, contact_name, contact_number, contact_email, ocpp_ready, date_created, date_modified) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(&reg.cpo_owner_name)
        .bind(&reg.contact_name)
        .bind(&reg.contact_number)
        .bind(reg.contact_email.to_lowercase())
        .bind(i64::from(reg.ocpp_ready))
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::unique_as(e, "contact_email"))?;
        let user_id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, email, role, cpo_owner_id, password_hash, date_created, date_modified) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(&reg.username)
        .bind(reg.contact_email.to_lowercase())
        .bind(Role::CpoOwner.as_str())
        .bind(owner_id)
        .bind(password_hash)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(unique_user_field)?;
        if let Some((token_hash, expires_at)) = invitation {
            sqlx::query(
                "INSERT INTO invitations (token_hash, user_id, expires_at, date_created) VALUES ($1, $2, $3, $4)",
            )
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

    pub async fn create_location(&self, cpo_owner_id: i64, loc: &Valid<NewLocation>) -> Result<i64, StoreError> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        let sql = format!(
            "INSERT INTO locations ({LOCATION_FIELDS}, cpo_owner_id, date_created, date_modified) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id"
        );
        let row = bind_location(sqlx::query(&sql), loc).bind(cpo_owner_id).bind(now).fetch_one(&mut *tx).await?;
        let id: i64 = row.try_get("id")?;
        link_location_codes(&mut tx, id, loc).await?;
        index_location_name(&mut tx, id, &loc.name).await?;
        journal(&mut tx, id, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Replaces every field of `owner_id`'s location `id`.
    pub async fn update_location(&self, owner_id: i64, id: i64, loc: &Valid<NewLocation>) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        claim_change(&mut tx, owner_id, Target::Location(id), now_ms()).await?;
        let sql = format!("UPDATE locations SET {LOCATION_SET} WHERE id = $11");
        bind_location(sqlx::query(&sql), loc).bind(id).execute(&mut *tx).await?;
        link_location_codes(&mut tx, id, loc).await?;
        index_location_name(&mut tx, id, &loc.name).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Publishes or unpublishes `owner_id`'s location `id`.
    pub async fn set_publish(&self, owner_id: i64, id: i64, publish: bool) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        claim_change(&mut tx, owner_id, Target::Location(id), now_ms()).await?;
        sqlx::query("UPDATE locations SET publish = $1 WHERE id = $2")
            .bind(i64::from(publish))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes the location with its EVSEs, connectors and photo rows; returns the photo files
    /// so the caller can remove them after the commit.
    pub async fn delete_location(&self, owner_id: i64, id: i64) -> Result<Vec<String>, StoreError> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        claim_change(&mut tx, owner_id, Target::Location(id), now).await?;
        // Its chargers go with it (ON DELETE CASCADE): their sockets must close too.
        super::dismissals::record(&mut tx, super::dismissals::Dismissed::LocationRemoved(id), now).await?;
        let files: Vec<String> = sqlx::query_scalar("SELECT file_name FROM location_photos WHERE location_id = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM locations WHERE id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(files)
    }

    /// Creates an EVSE with a new random `uid` and its connectors at `owner_id`'s location
    /// `location_id`, in one transaction: all of them or none.
    pub async fn create_evse(
        &self,
        owner_id: i64,
        location_id: i64,
        evse: &Valid<NewEvse>,
        connectors: &[Valid<NewConnector>],
    ) -> Result<String, StoreError> {
        let now = now_ms();
        let uid = uuid::Uuid::new_v4().to_string();
        let mut tx = self.pool().begin().await?;
        claim_change(&mut tx, owner_id, Target::Location(location_id), now).await?;
        sqlx::query(
            "INSERT INTO evses (uid, evse_id, status, cpo_location_id, date_created, date_modified) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(&uid)
        .bind(&evse.evse_id)
        .bind(&evse.status)
        .bind(location_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::unique_as(e, "evse_id"))?;
        link_evse_codes(&mut tx, &uid, evse).await?;
        for connector in connectors {
            insert_connector(&mut tx, &uid, connector, now).await?;
        }
        tx.commit().await?;
        Ok(uid)
    }

    /// Replaces every field of `owner_id`'s EVSE `uid`; returns its location id.
    pub async fn update_evse(&self, owner_id: i64, uid: &str, evse: &Valid<NewEvse>) -> Result<i64, StoreError> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        let location_id = claim_change(&mut tx, owner_id, Target::Evse(uid), now).await?;
        // The status of an EVSE with a charger comes from the charger (its other OCPP fields are
        // never written here at all).
        sqlx::query(
            "UPDATE evses SET evse_id = $1, date_modified = $2, \
             status = CASE WHEN EXISTS (SELECT 1 FROM charger_evses WHERE evse_uid = $3) THEN status ELSE $4 END \
             WHERE uid = $3",
        )
        .bind(&evse.evse_id)
        .bind(now)
        .bind(uid)
        .bind(&evse.status)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::unique_as(e, "evse_id"))?;
        link_evse_codes(&mut tx, uid, evse).await?;
        super::evse_changes::record(&mut tx, uid, now).await?;
        tx.commit().await?;
        Ok(location_id)
    }

    /// Changes only the status of `owner_id`'s EVSE `uid` (and of its connectors).
    pub async fn set_evse_status(&self, owner_id: i64, uid: &str, status: &Valid<NewStatus>) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        claim(&mut tx, owner_id, Target::Evse(uid), now).await?;
        sqlx::query("UPDATE evses SET status = $1, date_modified = $2 WHERE uid = $3")
            .bind(&status.0)
            .bind(now)
            .bind(uid)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE connectors SET status = $1, date_modified = $2 WHERE evse_uid = $3")
            .bind(&status.0)
            .bind(now)
            .bind(uid)
            .execute(&mut *tx)
            .await?;
        super::evse_changes::record(&mut tx, uid, now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_evse(&self, owner_id: i64, uid: &str) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        claim_change(&mut tx, owner_id, Target::Evse(uid), now_ms()).await?;
        sqlx::query("DELETE FROM evses WHERE uid = $1").bind(uid).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a connector to `owner_id`'s EVSE `evse_uid`.
    pub async fn create_connector(
        &self,
        owner_id: i64,
        evse_uid: &str,
        con: &Valid<NewConnector>,
    ) -> Result<i64, StoreError> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        claim_change(&mut tx, owner_id, Target::Evse(evse_uid), now).await?;
        let id = insert_connector(&mut tx, evse_uid, con, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Replaces every field of `owner_id`'s connector `id`; returns its EVSE's uid.
    pub async fn update_connector(
        &self,
        owner_id: i64,
        id: i64,
        con: &Valid<NewConnector>,
    ) -> Result<String, StoreError> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        claim_change(&mut tx, owner_id, Target::Connector(id), now).await?;
        let update = sqlx::query(
            "UPDATE connectors SET connector_id = $1, standard = $2, format = $3, power_type = $4, max_voltage = $5, \
             max_amperage = $6, max_electric_power = $7, connector_type = $8, rate_setting = $9, status = $10, date_modified = $11 \
             WHERE id = $12 RETURNING evse_uid",
        );
        let evse_uid = bind_connector(update, con)
            .bind(now)
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| StoreError::unique_as(e, "connector_id"))?;
        tx.commit().await?;
        Ok(evse_uid.try_get("evse_uid")?)
    }

    pub async fn delete_connector(&self, owner_id: i64, id: i64) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        claim_change(&mut tx, owner_id, Target::Connector(id), now_ms()).await?;
        sqlx::query("DELETE FROM connectors WHERE id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes the photo stored as `file` from `owner_id`'s location; returns its file name.
    pub async fn delete_location_photo(&self, owner_id: i64, file: &str) -> Result<String, StoreError> {
        let mut tx = self.pool().begin().await?;
        let location: Option<i64> = sqlx::query_scalar("SELECT location_id FROM location_photos WHERE file_name = $1")
            .bind(file)
            .fetch_optional(&mut *tx)
            .await?;
        let location = location.ok_or_else(|| StoreError::NotFound("photo".into()))?;
        claim_change(&mut tx, owner_id, Target::Location(location), now_ms()).await?;
        sqlx::query("DELETE FROM location_photos WHERE file_name = $1").bind(file).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(file.to_owned())
    }
}

pub(super) async fn insert_connector(
    conn: &mut AnyConnection,
    evse_uid: &str,
    con: &NewConnector,
    now: i64,
) -> Result<i64, StoreError> {
    let insert = sqlx::query(
        "INSERT INTO connectors (connector_id, standard, format, power_type, max_voltage, max_amperage, max_electric_power, connector_type, rate_setting, status, evse_uid, date_created, date_modified) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
    );
    let row = bind_connector(insert, con)
        .bind(evse_uid)
        .bind(now)
        .fetch_one(conn)
        .await
        .map_err(|e| StoreError::unique_as(e, "connector_id"))?;
    Ok(row.try_get("id")?)
}

/// Binds a connector's own columns as `$1`…`$10` (connector_id … status), shared by insert and update.
fn bind_connector<'q>(
    query: Query<'q, Any, AnyArguments<'q>>,
    con: &'q NewConnector,
) -> Query<'q, Any, AnyArguments<'q>> {
    query
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
}

/// Which field a unique violation on `users` is about, so the caller can name it.
fn unique_user_field(error: sqlx::Error) -> StoreError {
    let field = match &error {
        sqlx::Error::Database(db) if db.message().contains("email") || db.constraint() == Some("users_email_key") => {
            "contact_email"
        }
        _ => "username",
    };
    StoreError::unique_as(error, field)
}
