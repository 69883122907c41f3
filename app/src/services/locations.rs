//! The one write path for locations, EVSEs, connectors and their photos. Every entry point (the
//! portal's server functions and form posts, GraphQL, demo data, and later the OCPP status handler
//! and the OCPI receiver) comes through here: inputs are validated into `Valid` values (the only
//! thing the store's writes accept), ownership is checked by the store inside the transaction, and
//! files are removed only after the rows that named them are gone.
use crate::domain::inputs::{NewConnector, NewEvse, NewLocation, NewStatus, Rules, Valid};
use crate::error::ServiceError;
use crate::store::Store;
use crate::uploads::UploadDir;

/// The longest key a client may name an object by (an EVSE uid, a photo's URL).
pub const KEY_MAX: usize = 300;

/// A key (uid, URL) within `KEY_MAX`, or an error naming the field.
fn key<'a>(field: &str, value: &'a str) -> Result<&'a str, ServiceError> {
    if value.len() > KEY_MAX {
        return Err(ServiceError::invalid(field, format!("must be at most {KEY_MAX} characters")));
    }
    Ok(value)
}

fn checked<T: Rules>(input: T) -> Result<Valid<T>, ServiceError> {
    input.validated().map_err(ServiceError::Invalid)
}

/// Every input valid, or the errors of the first one that is not.
fn all_checked<T: Rules>(inputs: Vec<T>) -> Result<Vec<Valid<T>>, ServiceError> {
    inputs.into_iter().map(checked).collect()
}

/// Creates a location of `owner`; without a chosen time zone it gets the zone at its coordinates.
pub async fn create_location(store: &Store, owner: i64, location: NewLocation) -> Result<i64, ServiceError> {
    Ok(store.create_location(owner, &checked(location.with_time_zone())?).await?)
}

/// Replaces every field of one of `owner`'s locations (a time zone left out is taken from the
/// coordinates again, so that moving a site moves its zone).
pub async fn update_location(store: &Store, owner: i64, id: i64, location: NewLocation) -> Result<(), ServiceError> {
    Ok(store.update_location(owner, id, &checked(location.with_time_zone())?).await?)
}

pub async fn set_publish(store: &Store, owner: i64, id: i64, publish: bool) -> Result<(), ServiceError> {
    Ok(store.set_publish(owner, id, publish).await?)
}

/// Deletes a location with its EVSEs, connectors and photos (the files once the rows are gone).
pub async fn delete_location(store: &Store, uploads: &UploadDir, owner: i64, id: i64) -> Result<(), ServiceError> {
    let files = store.delete_location(owner, id).await?;
    uploads.remove_files(files).await;
    Ok(())
}

/// Creates an EVSE at one of `owner`'s locations with its connectors, all or nothing; returns its uid.
pub async fn create_evse(
    store: &Store,
    owner: i64,
    location_id: i64,
    evse: NewEvse,
    connectors: Vec<NewConnector>,
) -> Result<String, ServiceError> {
    let evse = checked(evse)?;
    let connectors = all_checked(connectors)?;
    Ok(store.create_evse(owner, location_id, &evse, &connectors).await?)
}

/// Replaces every field of one of `owner`'s EVSEs; returns its location id.
pub async fn update_evse(store: &Store, owner: i64, uid: &str, evse: NewEvse) -> Result<i64, ServiceError> {
    let uid = key("uid", uid)?;
    Ok(store.update_evse(owner, uid, &checked(evse)?).await?)
}

/// Sets the status of one of `owner`'s EVSEs and of its connectors.
pub async fn set_evse_status(store: &Store, owner: i64, uid: &str, status: &str) -> Result<(), ServiceError> {
    let uid = key("uid", uid)?;
    let status = checked(NewStatus(status.to_owned()))?;
    if let Some((_, charger)) = store.chargers_of_evses(&[uid.to_owned()]).await?.pop() {
        return Err(ServiceError::invalid(
            "status",
            format!("is reported by charger {charger}; it cannot be set by hand"),
        ));
    }
    Ok(store.set_evse_status(owner, uid, &status).await?)
}

pub async fn delete_evse(store: &Store, owner: i64, uid: &str) -> Result<(), ServiceError> {
    Ok(store.delete_evse(owner, key("uid", uid)?).await?)
}

/// Adds a connector to one of `owner`'s EVSEs; returns its id.
pub async fn create_connector(
    store: &Store,
    owner: i64,
    evse_uid: &str,
    connector: NewConnector,
) -> Result<i64, ServiceError> {
    Ok(store.create_connector(owner, key("evse_uid", evse_uid)?, &checked(connector)?).await?)
}

/// Replaces every field of one of `owner`'s connectors; returns its EVSE's uid.
pub async fn update_connector(
    store: &Store,
    owner: i64,
    id: i64,
    connector: NewConnector,
) -> Result<String, ServiceError> {
    Ok(store.update_connector(owner, id, &checked(connector)?).await?)
}

pub async fn delete_connector(store: &Store, owner: i64, id: i64) -> Result<(), ServiceError> {
    Ok(store.delete_connector(owner, id).await?)
}

/// Deletes one photo of one of `owner`'s locations, named by its URL as `images` lists it.
pub async fn delete_location_photo(
    store: &Store,
    uploads: &UploadDir,
    owner: i64,
    url: &str,
) -> Result<(), ServiceError> {
    let url = key("url", url)?;
    let file = url.strip_prefix(crate::uploads::PUBLIC_PREFIX).unwrap_or(url);
    let file = store.delete_location_photo(owner, file).await?;
    uploads.remove_files(vec![file]).await;
    Ok(())
}
