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
    /// The OCPI party's country code, once set.
    async fn party_country_code(&self) -> Option<&str> {
        self.0.party_country_code.as_deref()
    }
    /// The OCPI party id, once set.
    async fn party_id(&self) -> Option<&str> {
        self.0.party_id.as_deref()
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
    /// IANA time zone, e.g. Europe/Amsterdam (chosen by the owner or taken from the coordinates).
    async fn time_zone(&self) -> &str {
        &self.0.time_zone
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
    /// The charger this EVSE belongs to; shown to the location's owner (and administrators).
    async fn charger(&self, ctx: &Context<'_>) -> Result<Option<super::chargers::Charger>> {
        if !self.owner_may_see(ctx).await? {
            return Ok(None);
        }
        let store = ctx.data_unchecked::<app::store::Store>();
        let found = store.chargers_of_evses(std::slice::from_ref(&self.0.uid)).await.map_err(internal_store)?;
        let Some((_, charge_point_id)) = found.into_iter().next() else { return Ok(None) };
        Ok(store.charger(&charge_point_id).await.map_err(internal_store)?.map(super::chargers::Charger))
    }
    /// The latest energy register reading in Wh, from the charger's MeterValues.
    async fn energy_wh(&self, ctx: &Context<'_>) -> Result<Option<f64>> {
        Ok(self.readings(ctx).await?.energy_wh)
    }
    /// The latest active power import in W.
    async fn power_w(&self, ctx: &Context<'_>) -> Result<Option<f64>> {
        Ok(self.readings(ctx).await?.power_w)
    }
    /// When the latest readings were taken (RFC 3339, UTC).
    async fn readings_at(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.readings(ctx).await?.readings_at.map(rfc3339))
    }
    /// Recent charging sessions, newest first (`limit` 0–100, default 20); the owner's only.
    async fn sessions(&self, ctx: &Context<'_>, limit: Option<i32>) -> Result<Vec<super::chargers::Session>> {
        let limit = super::chargers::history_limit(limit)?;
        self.require_owner(ctx).await?;
        let store = ctx.data_unchecked::<app::store::Store>();
        let rows = store.sessions_of_evse(&self.0.uid, limit).await.map_err(internal_store)?;
        Ok(rows.into_iter().map(super::chargers::Session).collect())
    }
    /// The charger's status reports for this EVSE, newest first (`limit` 0–100, default 20).
    async fn status_history(&self, ctx: &Context<'_>, limit: Option<i32>) -> Result<Vec<super::chargers::StatusEntry>> {
        let limit = super::chargers::history_limit(limit)?;
        self.require_owner(ctx).await?;
        let store = ctx.data_unchecked::<app::store::Store>();
        let rows = store.status_history(&self.0.uid, limit).await.map_err(internal_store)?;
        Ok(rows.into_iter().map(super::chargers::StatusEntry).collect())
    }
    /// The EVSE's location (one object; the contract names the field in the plural).
    async fn locations(&self, ctx: &Context<'_>) -> Result<Option<Location>> {
        Ok(load(ctx, LocationById(self.0.cpo_location_id)).await?.map(Location))
    }
}

impl Evse {
    async fn owner_may_see(&self, ctx: &Context<'_>) -> Result<bool> {
        let caller = *ctx.data_unchecked::<crate::auth::Caller>();
        let Some(location) = load(ctx, LocationById(self.0.cpo_location_id)).await? else { return Ok(false) };
        Ok(super::chargers::may_see_records(caller, location.cpo_owner_id))
    }

    async fn require_owner(&self, ctx: &Context<'_>) -> Result<()> {
        if self.owner_may_see(ctx).await? {
            return Ok(());
        }
        let refusal = app::error::ServiceError::Forbidden("only the location's owner sees its charging records".into());
        Err(super::errors::service(refusal))
    }

    async fn readings(&self, ctx: &Context<'_>) -> Result<app::domain::views::Readings> {
        let store = ctx.data_unchecked::<app::store::Store>();
        store.readings(&self.0.uid).await.map_err(internal_store)
    }
}

fn internal_store(e: app::store::StoreError) -> async_graphql::Error {
    super::errors::ServiceErrorWrapper::from(e).into()
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
