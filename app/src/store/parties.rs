//! The OCPI parties of hosted CPO owners (country code + party id, stored upper-case).
use super::{Store, StoreError};
use crate::uploads::StoredImage;
use sqlx::Row;

/// A hosted CPO owner that is an OCPI party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedParty {
    pub owner_id: i64,
    pub name: String,
    pub logo: Option<StoredImage>,
    pub country_code: String,
    pub party_id: String,
}

impl Store {
    /// Every hosted CPO owner with a party (roaming partners are not ours to announce).
    pub async fn hosted_parties(&self) -> Result<Vec<HostedParty>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, cpo_owner_name, logo, logo_width, logo_height, party_country_code, party_id FROM cpo_owners \
             WHERE party_id IS NOT NULL AND roaming_partner = 0 ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let (width, height) = (row.try_get("logo_width")?, row.try_get("logo_height")?);
                Ok(HostedParty {
                    owner_id: row.try_get("id")?,
                    name: row.try_get("cpo_owner_name")?,
                    logo: row
                        .try_get::<Option<String>, _>("logo")?
                        .map(|file| StoredImage::from_columns(file, width, height)),
                    country_code: row.try_get("party_country_code")?,
                    party_id: row.try_get("party_id")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Sets (or with `None` clears) an owner's party; `Conflict` when another owner holds it.
    pub async fn set_party(&self, owner_id: i64, party: Option<(&str, &str)>) -> Result<(), StoreError> {
        let (country, party_id) = match party {
            Some((country, party_id)) => (Some(country.to_uppercase()), Some(party_id.to_uppercase())),
            None => (None, None),
        };
        let done = sqlx::query(
            "UPDATE cpo_owners SET party_country_code = $1, party_id = $2, date_modified = $3 WHERE id = $4",
        )
        .bind(&country)
        .bind(&party_id)
        .bind(crate::clock::now_ms())
        .bind(owner_id)
        .execute(self.pool())
        .await
        .map_err(|e| {
            let party =
                format!("{}-{}", country.as_deref().unwrap_or_default(), party_id.as_deref().unwrap_or_default());
            StoreError::unique_as(e, &format!("the OCPI party {party}"))
        })?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("CPO owner {owner_id}")));
        }
        Ok(())
    }
}
