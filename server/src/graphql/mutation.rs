//! Mutations for CPO owners: locations, EVSEs, connectors and photos, on their own objects only.
//! Validation is the shared domain code; ownership is checked by the store inside the transaction.
use super::errors::{service, ServiceErrorWrapper};
use super::types::{Connector, Evse, Location};
use super::Caller;
use app::domain::inputs::{NewConnector, NewEvse, NewLocation};
use app::error::ServiceError;
use app::store::Store;
use app::uploads::{thumbnail_name, StoredImage, UploadDir};
use async_graphql::{Context, InputObject, Object, Result};

#[derive(InputObject)]
#[graphql(rename_fields = "snake_case")]
pub struct LocationInput {
    name: String,
    address: String,
    address_lat: f64,
    address_lng: f64,
    city: String,
    region: Option<String>,
    postal_code: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. NL.
    country_code: String,
    #[graphql(default)]
    publish: bool,
    /// Facility codes, e.g. ["CAFE", "WIFI"].
    #[graphql(default)]
    facilities: Vec<String>,
    #[graphql(default)]
    parking_restrictions: Vec<String>,
    #[graphql(default)]
    parking_types: Vec<String>,
}

impl From<LocationInput> for NewLocation {
    fn from(i: LocationInput) -> Self {
        NewLocation {
            name: i.name,
            address: i.address,
            address_lat: i.address_lat,
            address_lng: i.address_lng,
            city: i.city,
            region: i.region,
            postal_code: i.postal_code,
            country_code: i.country_code,
            publish: i.publish,
            facilities: i.facilities,
            parking_restrictions: i.parking_restrictions,
            parking_types: i.parking_types,
        }
    }
}

#[derive(InputObject)]
#[graphql(rename_fields = "snake_case")]
pub struct EvseInput {
    evse_id: String,
    serial_number: Option<String>,
    meter_type: Option<String>,
    /// OCPI status, e.g. AVAILABLE.
    status: String,
    current_ws_connection_id: Option<String>,
    server_id: Option<String>,
    #[graphql(default)]
    capabilities: Vec<String>,
    #[graphql(default)]
    payment_types: Vec<String>,
}

impl From<EvseInput> for NewEvse {
    fn from(i: EvseInput) -> Self {
        NewEvse {
            evse_id: i.evse_id,
            serial_number: i.serial_number,
            meter_type: i.meter_type,
            status: i.status,
            current_ws_connection_id: i.current_ws_connection_id,
            server_id: i.server_id,
            capabilities: i.capabilities,
            payment_types: i.payment_types,
        }
    }
}

#[derive(InputObject)]
#[graphql(rename_fields = "snake_case")]
pub struct ConnectorInput {
    connector_id: String,
    /// OCPI ConnectorType, e.g. IEC_62196_T2.
    standard: String,
    /// SOCKET or CABLE.
    format: String,
    power_type: String,
    max_voltage: i64,
    max_amperage: i64,
    max_electric_power: Option<i64>,
    connector_type: Option<String>,
    rate_setting: Option<String>,
    status: String,
}

impl From<ConnectorInput> for NewConnector {
    fn from(i: ConnectorInput) -> Self {
        NewConnector {
            connector_id: i.connector_id,
            standard: i.standard,
            format: i.format,
            power_type: i.power_type,
            max_voltage: i.max_voltage,
            max_amperage: i.max_amperage,
            max_electric_power: i.max_electric_power,
            connector_type: i.connector_type,
            rate_setting: i.rate_setting,
            status: i.status,
        }
    }
}

/// The store and the CPO owner the caller acts for; mutations need an owner's access token.
fn owner<'a>(ctx: &Context<'a>) -> Result<(&'a Store, i64)> {
    let owner = ctx
        .data_unchecked::<Caller>()
        .owner_id
        .ok_or_else(|| service(ServiceError::Forbidden("mutations need the access token of a CPO owner".into())))?;
    Ok((ctx.data_unchecked::<Store>(), owner))
}

fn valid<T>(checked: Result<(), Vec<app::domain::validation::FieldError>>, value: T) -> Result<T> {
    checked.map_err(|fields| service(ServiceError::Invalid(fields)))?;
    Ok(value)
}

async fn reload_location(store: &Store, id: i64) -> Result<Location> {
    let row = store.locations_by_ids(&[id]).await.map_err(ServiceErrorWrapper::from)?.pop();
    row.map(Location).ok_or_else(|| service(ServiceError::NotFound("location not found".into())))
}

async fn reload_evse(store: &Store, location_id: i64, uid: &str) -> Result<Evse> {
    let rows = store.evses_of_locations(&[location_id]).await.map_err(ServiceErrorWrapper::from)?;
    rows.into_iter()
        .find(|e| e.uid == uid)
        .map(Evse)
        .ok_or_else(|| service(ServiceError::NotFound("EVSE not found".into())))
}

async fn reload_connector(store: &Store, evse_uid: &str, id: i64) -> Result<Connector> {
    let rows = store.connectors_of_evses(&[evse_uid.to_owned()]).await.map_err(ServiceErrorWrapper::from)?;
    rows.into_iter()
        .find(|c| c.id == id)
        .map(Connector)
        .ok_or_else(|| service(ServiceError::NotFound("connector not found".into())))
}

pub struct MutationRoot;

#[Object(rename_args = "snake_case")]
impl MutationRoot {
    async fn create_location(&self, ctx: &Context<'_>, input: LocationInput) -> Result<Location> {
        let (store, owner) = owner(ctx)?;
        let location: NewLocation = input.into();
        let location = valid(location.validate(), location)?;
        let id = store.create_location(owner, &location).await.map_err(ServiceErrorWrapper::from)?;
        reload_location(store, id).await
    }

    /// Replaces every field of one of the caller's locations.
    async fn update_location(&self, ctx: &Context<'_>, id: i64, input: LocationInput) -> Result<Location> {
        let (store, owner) = owner(ctx)?;
        let location: NewLocation = input.into();
        let location = valid(location.validate(), location)?;
        store.update_location(owner, id, &location).await.map_err(ServiceErrorWrapper::from)?;
        reload_location(store, id).await
    }

    /// Deletes a location with its EVSEs, connectors and photos.
    async fn delete_location(&self, ctx: &Context<'_>, id: i64) -> Result<bool> {
        let (store, owner) = owner(ctx)?;
        let files = store.delete_location(owner, id).await.map_err(ServiceErrorWrapper::from)?;
        let images: Vec<StoredImage> =
            files.into_iter().map(|file| StoredImage { thumbnail: thumbnail_name(&file), file }).collect();
        ctx.data_unchecked::<UploadDir>().remove(&images).await;
        Ok(true)
    }

    async fn create_evse(&self, ctx: &Context<'_>, location_id: i64, input: EvseInput) -> Result<Evse> {
        let (store, owner) = owner(ctx)?;
        let evse: NewEvse = input.into();
        let evse = valid(evse.validate(), evse)?;
        let uid = store.create_evse(owner, location_id, &evse).await.map_err(ServiceErrorWrapper::from)?;
        reload_evse(store, location_id, &uid).await
    }

    async fn update_evse(&self, ctx: &Context<'_>, uid: String, input: EvseInput) -> Result<Evse> {
        let (store, owner) = owner(ctx)?;
        let evse: NewEvse = input.into();
        let evse = valid(evse.validate(), evse)?;
        let location_id = store.update_evse(owner, &uid, &evse).await.map_err(ServiceErrorWrapper::from)?;
        reload_evse(store, location_id, &uid).await
    }

    async fn delete_evse(&self, ctx: &Context<'_>, uid: String) -> Result<bool> {
        let (store, owner) = owner(ctx)?;
        store.delete_evse(owner, &uid).await.map_err(ServiceErrorWrapper::from)?;
        Ok(true)
    }

    async fn create_connector(&self, ctx: &Context<'_>, evse_uid: String, input: ConnectorInput) -> Result<Connector> {
        let (store, owner) = owner(ctx)?;
        let connector: NewConnector = input.into();
        let connector = valid(connector.validate(), connector)?;
        let id = store.create_connector(owner, &evse_uid, &connector).await.map_err(ServiceErrorWrapper::from)?;
        reload_connector(store, &evse_uid, id).await
    }

    async fn update_connector(&self, ctx: &Context<'_>, id: i64, input: ConnectorInput) -> Result<Connector> {
        let (store, owner) = owner(ctx)?;
        let connector: NewConnector = input.into();
        let connector = valid(connector.validate(), connector)?;
        let evse_uid = store.update_connector(owner, id, &connector).await.map_err(ServiceErrorWrapper::from)?;
        reload_connector(store, &evse_uid, id).await
    }

    async fn delete_connector(&self, ctx: &Context<'_>, id: i64) -> Result<bool> {
        let (store, owner) = owner(ctx)?;
        store.delete_connector(owner, id).await.map_err(ServiceErrorWrapper::from)?;
        Ok(true)
    }

    /// Deletes one photo of one of the caller's locations, by its URL as listed in `images`.
    async fn delete_location_photo(&self, ctx: &Context<'_>, url: String) -> Result<bool> {
        let (store, owner) = owner(ctx)?;
        let file = url.strip_prefix("/uploads/").unwrap_or(&url);
        let file = store.delete_location_photo(owner, file).await.map_err(ServiceErrorWrapper::from)?;
        let image = StoredImage { thumbnail: thumbnail_name(&file), file };
        ctx.data_unchecked::<UploadDir>().remove(&[image]).await;
        Ok(true)
    }
}
