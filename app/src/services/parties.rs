//! A CPO owner's OCPI party: country code and party id, both or neither. Until it has one, none
//! of its locations is exposed or pushed over OCPI.
use crate::domain::validation::{self as rule, Checker};
use crate::error::ServiceError;
use crate::store::Store;

/// Sets `owner`'s party (upper-cased); both values empty clears it. Another owner's party →
/// `Conflict`.
pub async fn set_party(store: &Store, owner: i64, country_code: &str, party_id: &str) -> Result<(), ServiceError> {
    let (country_code, party_id) = (country_code.trim(), party_id.trim());
    if country_code.is_empty() && party_id.is_empty() {
        return Ok(store.set_party(owner, None).await?);
    }
    Checker::default()
        .check("party_country_code", rule::party_country_code(country_code))
        .check("party_id", rule::party_id(party_id))
        .finish()
        .map_err(ServiceError::Invalid)?;
    Ok(store.set_party(owner, Some((country_code, party_id))).await?)
}
