//! Locations roaming partners push to us: the OCPI body as stored, and its projection onto the
//! platform's own tables (under the partner's owner) so the APIs and the portal show it. A write is
//! one transaction: body and projection together or neither.
use super::evse_changes;
use super::locations::{
    bind_location, insert_connector, journal, link_evse_codes, link_location_codes, LOCATION_FIELDS, LOCATION_SET,
};
use super::name_index::index_location_name;
use super::{Store, StoreError};
use crate::clock::now_ms;
use crate::domain::inputs::{NewConnector, NewEvse, NewLocation};
use sqlx::Row;

/// An EVSE of a partner location as the platform stores it (its uid already made unique on the
/// platform), with its connectors and the times OCPI gave them.
#[derive(Debug, Clone)]
pub struct PartnerEvse {
    pub uid: String,
    pub evse: NewEvse,
    pub last_updated: i64,
    pub connectors: Vec<(NewConnector, i64)>,
}

/// Who holds an OCPI party on this platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartyHolder {
    Nobody,
    /// One of our hosted CPO owners (never written by a partner).
    Hosted,
    /// The owner row of a roaming partner.
    Partner(i64),
}

/// The owner a partner location is stored under.
#[derive(Debug, Clone, Copy)]
pub enum PartnerOwner<'a> {
    Existing(i64),
    /// Created in the same transaction as its first location, so that a refused first push
    /// leaves no owner behind.
    New {
        country: &'a str,
        party: &'a str,
        name: &'a str,
    },
}

/// A partner location to store.
pub struct PartnerWrite<'a> {
    pub owner: PartnerOwner<'a>,
    /// The partner's location id, upper-cased.
    pub key: &'a str,
    /// The OCPI Location as JSON.
    pub body: &'a str,
    pub last_updated: i64,
    pub location: &'a NewLocation,
    pub evses: &'a [PartnerEvse],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerSave {
    Created,
    Replaced,
    /// Older than what is stored: not applied.
    Outdated,
}

impl Store {
    /// Who holds party `country`-`party` on this platform.
    pub async fn party_holder(&self, country: &str, party: &str) -> Result<PartyHolder, StoreError> {
        let row =
            sqlx::query("SELECT id, roaming_partner FROM cpo_owners WHERE party_country_code = $1 AND party_id = $2")
                .bind(country.to_uppercase())
                .bind(party.to_uppercase())
                .fetch_optional(self.pool())
                .await?;
        Ok(match row {
            None => PartyHolder::Nobody,
            Some(row) if row.try_get::<i64, _>("roaming_partner")? == 1 => PartyHolder::Partner(row.try_get("id")?),
            Some(_) => PartyHolder::Hosted,
        })
    }

    /// The stored OCPI body of a partner location.
    pub async fn partner_location(&self, owner_id: i64, key: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT body FROM partner_locations WHERE cpo_owner_id = $1 AND ocpi_key = $2")
            .bind(owner_id)
            .bind(key)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Stores a partner location whole (body and projection) unless what is stored is newer.
    pub async fn save_partner_location(&self, write: &PartnerWrite<'_>) -> Result<PartnerSave, StoreError> {
        let mut tx = self.pool().begin().await?;
        let owner_id = match write.owner {
            PartnerOwner::Existing(id) => id,
            PartnerOwner::New { country, party, name } => create_partner_owner(&mut tx, country, party, name).await?,
        };
        let updated: Option<i64> = sqlx::query_scalar(
            "UPDATE partner_locations SET body = $1, last_updated = $2 \
             WHERE cpo_owner_id = $3 AND ocpi_key = $4 AND last_updated <= $2 RETURNING location_id",
        )
        .bind(write.body)
        .bind(write.last_updated)
        .bind(owner_id)
        .bind(write.key)
        .fetch_optional(&mut *tx)
        .await?;
        let (id, outcome) = match updated {
            Some(id) => {
                let sql = format!("UPDATE locations SET {LOCATION_SET}, date_modified = $11 WHERE id = $12");
                bind_location(sqlx::query(&sql), write.location)
                    .bind(write.last_updated)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                (id, PartnerSave::Replaced)
            }
            None => {
                let exists: Option<i64> = sqlx::query_scalar(
                    "SELECT location_id FROM partner_locations WHERE cpo_owner_id = $1 AND ocpi_key = $2",
                )
                .bind(owner_id)
                .bind(write.key)
                .fetch_optional(&mut *tx)
                .await?;
                if exists.is_some() {
                    return Ok(PartnerSave::Outdated);
                }
                let sql = format!(
                    "INSERT INTO locations ({LOCATION_FIELDS}, cpo_owner_id, date_created, date_modified) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id"
                );
                let row = bind_location(sqlx::query(&sql), write.location)
                    .bind(owner_id)
                    .bind(now_ms())
                    .bind(write.last_updated)
                    .fetch_one(&mut *tx)
                    .await?;
                let id: i64 = row.try_get("id")?;
                sqlx::query(
                    "INSERT INTO partner_locations (location_id, cpo_owner_id, ocpi_key, body, last_updated) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(owner_id)
                .bind(write.key)
                .bind(write.body)
                .bind(write.last_updated)
                .execute(&mut *tx)
                .await?;
                (id, PartnerSave::Created)
            }
        };
        link_location_codes(&mut tx, id, write.location).await?;
        index_location_name(&mut tx, id, &write.location.name).await?;
        // The EVSEs are replaced as pushed (they are few per location and never ours to keep).
        sqlx::query("DELETE FROM evses WHERE cpo_location_id = $1").bind(id).execute(&mut *tx).await?;
        let now = now_ms();
        for evse in write.evses {
            sqlx::query(
                "INSERT INTO evses (uid, evse_id, status, cpo_location_id, date_created, date_modified) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&evse.uid)
            .bind(&evse.evse.evse_id)
            .bind(&evse.evse.status)
            .bind(id)
            .bind(now)
            .bind(evse.last_updated)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::unique_as(e, "evse_id"))?;
            link_evse_codes(&mut tx, &evse.uid, &evse.evse).await?;
            for (connector, last_updated) in &evse.connectors {
                insert_connector(&mut tx, &evse.uid, connector, *last_updated).await?;
            }
            evse_changes::record(&mut tx, &evse.uid, now).await?;
        }
        journal(&mut tx, id, now).await?;
        tx.commit().await?;
        Ok(outcome)
    }
}

/// The owner row of partner party `country`-`party` (inserted unless a concurrent first push did
/// it); `NotFound` when the party turned out to be a hosted one.
async fn create_partner_owner(
    conn: &mut sqlx::AnyConnection,
    country: &str,
    party: &str,
    name: &str,
) -> Result<i64, StoreError> {
    let (country, party) = (country.to_uppercase(), party.to_uppercase());
    let now = now_ms();
    // A write first: a SQLite transaction that reads first cannot wait for the write lock.
    sqlx::query(
        "INSERT INTO cpo_owners (cpo_owner_name, contact_name, contact_number, contact_email, ocpp_ready, \
         party_country_code, party_id, roaming_partner, date_created, date_modified) \
         VALUES ($1, $1, '', $2, 0, $3, $4, 1, $5, $5) ON CONFLICT (party_country_code, party_id) DO NOTHING",
    )
    .bind(name)
    .bind(format!("ocpi-{country}-{party}@partners.invalid").to_lowercase())
    .bind(&country)
    .bind(&party)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let row = sqlx::query("SELECT id, roaming_partner FROM cpo_owners WHERE party_country_code = $1 AND party_id = $2")
        .bind(&country)
        .bind(&party)
        .fetch_one(&mut *conn)
        .await?;
    if row.try_get::<i64, _>("roaming_partner")? != 1 {
        return Err(StoreError::NotFound(format!("partner party {country}-{party}")));
    }
    Ok(row.try_get("id")?)
}
