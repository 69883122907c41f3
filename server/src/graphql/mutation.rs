//! Mutations for CPO owners: locations, EVSEs, connectors and photos, on their own objects only.
//! Each goes through the one write path (`app::services::locations`), which validates, checks
//! ownership inside the transaction and removes files after the rows.
use super::errors::{service, ServiceErrorWrapper};
use super::types::{Connector, Evse, Location};
use crate::auth::Caller;
use app::domain::inputs::{NewConnector, NewEvse, NewLocation};
use app::error::ServiceError;
use app::services::locations;
use app::store::Store;
use app::uploads::UploadDir;
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
    /// IANA time zone, e.g. Europe/Amsterdam; left out, the zone at the coordinates.
    time_zone: Option<String>,
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
            time_zone: i.time_zone,
        }
    }
}

#[derive(InputObject)]
#[graphql(rename_fields = "snake_case")]
pub struct EvseInput {
    evse_id: String,
    /// OCPI status, e.g. AVAILABLE. Ignored for an EVSE with a charger: its charger reports it.
    status: String,
    #[graphql(default)]
    capabilities: Vec<String>,
    #[graphql(default)]
    payment_types: Vec<String>,
}

impl From<EvseInput> for NewEvse {
    fn from(i: EvseInput) -> Self {
        NewEvse { evse_id: i.evse_id, status: i.status, capabilities: i.capabilities, payment_types: i.payment_types }
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

/// The store and the CPO owner the caller acts for; mutations (and the owner's own queries)
/// need an owner's access token.
pub(super) fn owner<'a>(ctx: &Context<'a>) -> Result<(&'a Store, i64)> {
    let owner = ctx
        .data_unchecked::<Caller>()
        .owner_id()
        .ok_or_else(|| service(ServiceError::Forbidden("this needs the access token of a CPO owner".into())))?;
    Ok((ctx.data_unchecked::<Store>(), owner))
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

#[derive(Default)]
pub struct LocationMutation;

#[Object(rename_args = "snake_case")]
impl LocationMutation {
    async fn create_location(&self, ctx: &Context<'_>, input: LocationInput) -> Result<Location> {
        let (store, owner) = owner(ctx)?;
        let id = locations::create_location(store, owner, input.into()).await.map_err(service)?;
        reload_location(store, id).await
    }

    /// Replaces every field of one of the caller's locations.
    async fn update_location(&self, ctx: &Context<'_>, id: i64, input: LocationInput) -> Result<Location> {
        let (store, owner) = owner(ctx)?;
        locations::update_location(store, owner, id, input.into()).await.map_err(service)?;
        reload_location(store, id).await
    }

    /// Deletes a location with its EVSEs, connectors and photos.
    async fn delete_location(&self, ctx: &Context<'_>, id: i64) -> Result<bool> {
        let (store, owner) = owner(ctx)?;
        locations::delete_location(store, ctx.data_unchecked::<UploadDir>(), owner, id).await.map_err(service)?;
        Ok(true)
    }

    async fn create_evse(&self, ctx: &Context<'_>, location_id: i64, input: EvseInput) -> Result<Evse> {
        let (store, owner) = owner(ctx)?;
        let uid = locations::create_evse(store, owner, location_id, input.into(), Vec::new()).await.map_err(service)?;
        reload_evse(store, location_id, &uid).await
    }

    async fn update_evse(&self, ctx: &Context<'_>, uid: String, input: EvseInput) -> Result<Evse> {
        let (store, owner) = owner(ctx)?;
        let location_id = locations::update_evse(store, owner, &uid, input.into()).await.map_err(service)?;
        reload_evse(store, location_id, &uid).await
    }

    async fn delete_evse(&self, ctx: &Context<'_>, uid: String) -> Result<bool> {
        let (store, owner) = owner(ctx)?;
        locations::delete_evse(store, owner, &uid).await.map_err(service)?;
        Ok(true)
    }

    async fn create_connector(&self, ctx: &Context<'_>, evse_uid: String, input: ConnectorInput) -> Result<Connector> {
        let (store, owner) = owner(ctx)?;
        let id = locations::create_connector(store, owner, &evse_uid, input.into()).await.map_err(service)?;
        reload_connector(store, &evse_uid, id).await
    }

    async fn update_connector(&self, ctx: &Context<'_>, id: i64, input: ConnectorInput) -> Result<Connector> {
        let (store, owner) = owner(ctx)?;
        let evse_uid = locations::update_connector(store, owner, id, input.into()).await.map_err(service)?;
        reload_connector(store, &evse_uid, id).await
    }

    async fn delete_connector(&self, ctx: &Context<'_>, id: i64) -> Result<bool> {
        let (store, owner) = owner(ctx)?;
        locations::delete_connector(store, owner, id).await.map_err(service)?;
        Ok(true)
    }

    /// Deletes one photo of one of the caller's locations, by its URL as listed in `images`.
    async fn delete_location_photo(&self, ctx: &Context<'_>, url: String) -> Result<bool> {
        let (store, owner) = owner(ctx)?;
        locations::delete_location_photo(store, ctx.data_unchecked::<UploadDir>(), owner, &url)
            .await
            .map_err(service)?;
        Ok(true)
    }
}
