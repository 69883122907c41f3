//! Chargers for their owners (GraphQL, the portal) and the operator (CLI): the identity rule,
//! the EVSE list, ownership (another owner's charger is "not found") and keys.
use super::locations::KEY_MAX;
use crate::auth::charger_key;
use crate::domain::charging;
use crate::domain::views::ChargerRow;
use crate::error::ServiceError;
use crate::secret::SecretString;
use crate::store::{Store, StoreError};

/// A charger has at least one EVSE and, in practice, a handful (one per socket).
pub const MAX_EVSES: usize = 32;

fn identity(charge_point_id: &str) -> Result<&str, ServiceError> {
    charging::charge_point_id(charge_point_id).map_err(|m| ServiceError::invalid("charge_point_id", m))?;
    Ok(charge_point_id)
}

/// A known identity shape, else "not found" (a malformed one cannot exist).
pub(crate) fn existing(charge_point_id: &str) -> Result<&str, ServiceError> {
    identity(charge_point_id).map_err(|_| ServiceError::NotFound("charger not found".into()))
}

fn evse_list(evse_uids: &[String]) -> Result<(), ServiceError> {
    let invalid = |m: String| Err(ServiceError::invalid("evse_uids", m));
    if evse_uids.is_empty() || evse_uids.len() > MAX_EVSES {
        return invalid(format!("must name 1 to {MAX_EVSES} EVSEs"));
    }
    if evse_uids.iter().any(|uid| uid.is_empty() || uid.len() > KEY_MAX) {
        return invalid(format!("each uid must be 1 to {KEY_MAX} characters"));
    }
    if (1..evse_uids.len()).any(|i| evse_uids[..i].contains(&evse_uids[i])) {
        return invalid("names an EVSE twice".into());
    }
    Ok(())
}

fn not_found_as(field: &str) -> impl Fn(StoreError) -> ServiceError + '_ {
    move |e| match e {
        StoreError::NotFound(what) if what.starts_with("EVSE") => {
            ServiceError::invalid(field, format!("{what} not found"))
        }
        // Another owner's location is "not found" too: what exists is not disclosed.
        StoreError::NotYours(what) => ServiceError::NotFound(format!("{what} not found")),
        other => other.into(),
    }
}

/// Adds a charger at one of `owner`'s locations; returns its id.
pub async fn create_charger(
    store: &Store,
    owner: i64,
    location_id: i64,
    charge_point_id: &str,
    evse_uids: &[String],
) -> Result<i64, ServiceError> {
    let charge_point_id = identity(charge_point_id)?;
    evse_list(evse_uids)?;
    store.create_charger(owner, location_id, charge_point_id, evse_uids).await.map_err(not_found_as("evse_uids"))
}

/// Replaces the EVSEs of one of `owner`'s chargers.
pub async fn update_charger(
    store: &Store,
    owner: i64,
    charge_point_id: &str,
    evse_uids: &[String],
) -> Result<(), ServiceError> {
    let charge_point_id = existing(charge_point_id)?;
    evse_list(evse_uids)?;
    store.update_charger(owner, charge_point_id, evse_uids).await.map_err(not_found_as("evse_uids"))
}

/// Removes a charger (`owner` `None`: the operator, from the command line).
pub async fn delete_charger(store: &Store, owner: Option<i64>, charge_point_id: &str) -> Result<(), ServiceError> {
    Ok(store.delete_charger(owner, existing(charge_point_id)?).await?)
}

/// The chargers of one of `owner`'s locations.
pub async fn chargers_of_location(
    store: &Store,
    owner: i64,
    location_id: i64,
) -> Result<Vec<ChargerRow>, ServiceError> {
    if store.location_owner(location_id).await? != Some(owner) {
        return Err(ServiceError::NotFound(format!("location {location_id} not found")));
    }
    Ok(store.chargers(Some(location_id)).await?)
}

/// A new key for the charger; the old one stops working. Shown once: only its digest is kept.
pub async fn new_key(store: &Store, owner: Option<i64>, charge_point_id: &str) -> Result<SecretString, ServiceError> {
    let (key, digest) = charger_key::generate();
    store.set_charger_key(owner, existing(charge_point_id)?, &digest).await?;
    Ok(key)
}

/// Stores a key the charger already holds (Argon2id, since it may not be random).
pub async fn import_key(
    store: &Store,
    owner: Option<i64>,
    charge_point_id: &str,
    key: &SecretString,
) -> Result<(), ServiceError> {
    use crate::secret::ExposeSecret;
    let charge_point_id = existing(charge_point_id)?;
    charger_key::imported_rule(key.expose_secret()).map_err(|m| ServiceError::invalid("key", m))?;
    let digest = charger_key::digest_imported(key.expose_secret()).await.map_err(ServiceError::internal)?;
    Ok(store.set_charger_key(owner, charge_point_id, &digest).await?)
}

/// An OCPP idTag: 1–20 characters (OCPP's CiString20), no control characters.
pub const ID_TAG_MAX: usize = 20;

/// The rule for an idTag wherever one comes from (the owner's list, a remote start).
pub(crate) fn id_tag(value: &str) -> Result<&str, ServiceError> {
    let len = value.chars().count();
    if !(1..=ID_TAG_MAX).contains(&len) || value.chars().any(char::is_control) {
        return Err(ServiceError::invalid("id_tag", format!("must be 1 to {ID_TAG_MAX} characters")));
    }
    Ok(value)
}

/// Accepts `tag` at the owner's chargers from now on.
pub async fn add_id_tag(store: &Store, owner: i64, tag: &str) -> Result<(), ServiceError> {
    Ok(store.add_id_tag(owner, id_tag(tag)?).await?)
}

pub async fn remove_id_tag(store: &Store, owner: i64, tag: &str) -> Result<(), ServiceError> {
    Ok(store.remove_id_tag(owner, id_tag(tag)?).await?)
}
