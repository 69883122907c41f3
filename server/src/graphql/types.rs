//! The GraphQL object types, with the contract's snake_case field names.
use super::errors::internal;
use super::loaders::{ConnectorsOf, Db, EvseCodes, EvsesOf, LocationById, LocationCodes, OwnerById, PhotosOf};
use app::clock::rfc3339;
use app::domain::views::OwnerRow;
use app::domain::views::{CodeRow, ConnectorRow, EvseRow, LocationRow};
use app::store::Link;
use async_graphql::dataloader::Loader;
use async_graphql::{Context, Object, Result};
use std::hash::Hash;

/// Loads one key through the request's DataLoader; a missing key is an empty/default value.
async fn load<K>(ctx: &Context<'_>, key: K) -> Result<Option<<Db as Loader<K>>::Value>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    Db: Loader<K, Error = super::loaders::LoadError>,
{
    ctx.data_unchecked::<super::prefetch::RequestLoader>().load_one(key).await.map_err(|e| internal(e.as_ref()))
}

/// A reference code (`{id, code, description}`).
pub struct RefCode(pub CodeRow);

#[Object(name = "ReferenceCode", rename_fields = "snake_case")]
impl RefCode {
    async fn id(&self) -> i64 {
        self.0.id
    }
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
}

fn codes(rows: Option<Vec<CodeRow>>) -> Vec<RefCode> {
    rows.unwrap_or_default().into_iter().map(RefCode).collect()
}

pub struct CpoOwner(pub OwnerRow);

#[Object(rename_fields = "snake_case")]
impl CpoOwner {
    async fn id(&self) -> i64 {
        self.0.id
    }
    async fn cpo_owner_name(&self) -> &str {
        &self.0.cpo_owner_name
    }
    /// URL of the logo, if one was uploaded.
    async fn logo(&self) -> Option<String> {
        self.0.logo.as_deref().map(app::uploads::public_url)
    }
}

pub struct Location(pub LocationRow);

#[Object(rename_fields = "snake_case")]
impl Location {
    async fn id(&self) -> i64 {
        self.0.id
    }
    async fn cpo_owner_id(&self) -> i64 {
        self.0.cpo_owner_id
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn address(&self) -> &str {
        &self.0.address
    }
    async fn address_lat(&self) -> f64 {
        self.0.address_lat
    }
    async fn address_lng(&self) -> f64 {
        self.0.address_lng
    }
    async fn city(&self) -> &str {
        &self.0.city
    }
    async fn region(&self) -> Option<&str> {
        self.0.region.as_deref()
    }
    async fn postal_code(&self) -> Option<&str> {
        self.0.postal_code.as_deref()
    }
    async fn country_code(&self) -> &str {
        &self.0.country_code
    }
    /// URLs of the location's photos, oldest first.
    async fn images(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(load(ctx, PhotosOf(self.0.id)).await?.unwrap_or_default())
    }
    async fn publish(&self) -> bool {
        self.0.publish
    }
    /// RFC 3339, UTC.
    async fn date_created(&self) -> String {
        rfc3339(self.0.date_created)
    }
    /// RFC 3339, UTC; moves with every change to the location, its EVSEs or their connectors.
    async fn date_modified(&self) -> String {
        rfc3339(self.0.date_modified)
    }
    async fn facilities(&self, ctx: &Context<'_>) -> Result<Vec<RefCode>> {
        Ok(codes(load(ctx, LocationCodes(Link::Facilities, self.0.id)).await?))
    }
    async fn parking_restrictions(&self, ctx: &Context<'_>) -> Result<Vec<RefCode>> {
        Ok(codes(load(ctx, LocationCodes(Link::ParkingRestrictions, self.0.id)).await?))
    }
    async fn parking_types(&self, ctx: &Context<'_>) -> Result<Vec<RefCode>> {
        Ok(codes(load(ctx, LocationCodes(Link::ParkingTypes, self.0.id)).await?))
    }
    async fn evses(&self, ctx: &Context<'_>) -> Result<Vec<Evse>> {
        Ok(load(ctx, EvsesOf(self.0.id)).await?.unwrap_or_default().into_iter().map(Evse).collect())
    }
    /// The CPO owner operating this location (with its logo).
    async fn cpo_owner(&self, ctx: &Context<'_>) -> Result<Option<CpoOwner>> {
        Ok(load(ctx, OwnerById(self.0.cpo_owner_id)).await?.map(CpoOwner))
    }
}

pub struct Evse(pub EvseRow);

#[Object(rename_fields = "snake_case")]
impl Evse {
    async fn uid(&self) -> &str {
        &self.0.uid
    }
    async fn evse_id(&self) -> &str {
        &self.0.evse_id
    }
    async fn serial_number(&self) -> Option<&str> {
        self.0.serial_number.as_deref()
    }
    async fn meter_type(&self) -> Option<&str> {
        self.0.meter_type.as_deref()
    }
    /// OCPI 2.2.1 status, e.g. AVAILABLE or CHARGING.
    async fn status(&self) -> &str {
        &self.0.status
    }
    async fn cpo_location_id(&self) -> i64 {
        self.0.cpo_location_id
    }
    async fn current_ws_connection_id(&self) -> Option<&str> {
        self.0.current_ws_connection_id.as_deref()
    }
    async fn server_id(&self) -> Option<&str> {
        self.0.server_id.as_deref()
    }
    async fn date_created(&self) -> String {
        rfc3339(self.0.date_created)
    }
    async fn date_modified(&self) -> String {
        rfc3339(self.0.date_modified)
    }
    async fn capabilities(&self, ctx: &Context<'_>) -> Result<Vec<RefCode>> {
        Ok(codes(load(ctx, EvseCodes(Link::Capabilities, self.0.uid.clone())).await?))
    }
    async fn payment_types(&self, ctx: &Context<'_>) -> Result<Vec<RefCode>> {
        Ok(codes(load(ctx, EvseCodes(Link::PaymentTypes, self.0.uid.clone())).await?))
    }
    async fn connectors(&self, ctx: &Context<'_>) -> Result<Vec<Connector>> {
        let rows = load(ctx, ConnectorsOf(self.0.uid.clone())).await?.unwrap_or_default();
        Ok(rows.into_iter().map(Connector).collect())
    }
    /// The EVSE's location (one object; the contract names the field in the plural).
    async fn locations(&self, ctx: &Context<'_>) -> Result<Option<Location>> {
        Ok(load(ctx, LocationById(self.0.cpo_location_id)).await?.map(Location))
    }
}

pub struct Connector(pub ConnectorRow);

#[Object(rename_fields = "snake_case")]
impl Connector {
    async fn id(&self) -> i64 {
        self.0.id
    }
    async fn evse_uid(&self) -> &str {
        &self.0.evse_uid
    }
    async fn connector_id(&self) -> &str {
        &self.0.connector_id
    }
    /// OCPI 2.2.1 ConnectorType, e.g. IEC_62196_T2.
    async fn standard(&self) -> &str {
        &self.0.standard
    }
    /// SOCKET or CABLE.
    async fn format(&self) -> &str {
        &self.0.format
    }
    async fn power_type(&self) -> &str {
        &self.0.power_type
    }
    async fn max_voltage(&self) -> i64 {
        self.0.max_voltage
    }
    async fn max_amperage(&self) -> i64 {
        self.0.max_amperage
    }
    /// Watts.
    async fn max_electric_power(&self) -> Option<i64> {
        self.0.max_electric_power
    }
    async fn connector_type(&self) -> Option<&str> {
        self.0.connector_type.as_deref()
    }
    async fn rate_setting(&self) -> Option<&str> {
        self.0.rate_setting.as_deref()
    }
    async fn status(&self) -> &str {
        &self.0.status
    }
    async fn date_created(&self) -> String {
        rfc3339(self.0.date_created)
    }
    async fn date_modified(&self) -> String {
        rfc3339(self.0.date_modified)
    }
}
