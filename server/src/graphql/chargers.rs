//! Chargers over GraphQL: the `Charger` type, an EVSE's charger-side fields (readings, sessions,
//! status history), and the owner's queries and mutations for chargers, keys and id tags. Owner
//! only: another owner's charger or location is "not found".
use super::errors::{service, ServiceErrorWrapper};
use super::mutation::owner;
use super::types::Evse;
use crate::auth::Caller;
use app::clock::rfc3339;
use app::domain::views::{ChargeSession, ChargerRow, StatusChange};
use app::error::ServiceError;
use app::secret::ExposeSecret;
use app::services::charger_commands::{self as commands, ChargerControl};
use app::services::chargers;
use app::store::Store;
use async_graphql::{Context, Object, Result};
use std::sync::Arc;

/// Most rows `sessions` and `status_history` return.
pub const HISTORY_MAX: i32 = 100;

pub struct Charger(pub ChargerRow);

#[Object(rename_fields = "snake_case")]
impl Charger {
    /// Its OCPP identity: the last segment of the URL it connects to, and its Basic user name.
    async fn charge_point_id(&self) -> &str {
        &self.0.charge_point_id
    }
    async fn location_id(&self) -> i64 {
        self.0.location_id
    }
    /// Its EVSEs in OCPP connector order: connectorId n is the n-th.
    async fn evses(&self, ctx: &Context<'_>) -> Result<Vec<Evse>> {
        let store = ctx.data_unchecked::<Store>();
        let rows = store.evses_of_locations(&[self.0.location_id]).await.map_err(ServiceErrorWrapper::from)?;
        Ok(self.0.evse_uids.iter().filter_map(|uid| rows.iter().find(|e| &e.uid == uid).cloned().map(Evse)).collect())
    }
    async fn connected(&self) -> bool {
        self.0.connected
    }
    /// RFC 3339, UTC; null while offline.
    async fn connected_since(&self) -> Option<String> {
        self.0.connected_since.map(rfc3339)
    }
    /// When it was last heard from (RFC 3339, UTC).
    async fn last_seen(&self) -> Option<String> {
        self.0.last_seen.map(rfc3339)
    }
    /// Whether a key is set (the key itself is never shown again).
    async fn has_key(&self) -> bool {
        self.0.has_key
    }
    async fn vendor(&self) -> Option<&str> {
        self.0.vendor.as_deref()
    }
    async fn model(&self) -> Option<&str> {
        self.0.model.as_deref()
    }
    async fn firmware_version(&self) -> Option<&str> {
        self.0.firmware_version.as_deref()
    }
    async fn serial_number(&self) -> Option<&str> {
        self.0.serial_number.as_deref()
    }
    async fn meter_type(&self) -> Option<&str> {
        self.0.meter_type.as_deref()
    }
    /// The main meter's register in Wh (MeterValues on connectorId 0).
    async fn main_meter_wh(&self) -> Option<f64> {
        self.0.main_meter_wh
    }
}

pub struct Session(pub ChargeSession);

#[Object(name = "ChargingSession", rename_fields = "snake_case")]
impl Session {
    async fn transaction_id(&self) -> i64 {
        self.0.transaction_id
    }
    async fn id_tag(&self) -> &str {
        &self.0.id_tag
    }
    /// `Accepted` or `Invalid`: the id tag's standing when the session started.
    async fn authorization(&self) -> &str {
        &self.0.authorization
    }
    async fn started_at(&self) -> String {
        rfc3339(self.0.started_at)
    }
    async fn stopped_at(&self) -> Option<String> {
        self.0.stopped_at.map(rfc3339)
    }
    async fn meter_start_wh(&self) -> i64 {
        self.0.meter_start_wh
    }
    async fn meter_stop_wh(&self) -> Option<i64> {
        self.0.meter_stop_wh
    }
    async fn energy_wh(&self) -> Option<i64> {
        self.0.energy_wh
    }
    /// OCPP stop reason; `Local` when the charger gave none.
    async fn stop_reason(&self) -> Option<&str> {
        self.0.stop_reason.as_deref()
    }
}

pub struct StatusEntry(pub StatusChange);

#[Object(name = "StatusChange", rename_fields = "snake_case")]
impl StatusEntry {
    /// The OCPI status the EVSE showed after this report.
    async fn status(&self) -> &str {
        &self.0.status
    }
    /// The OCPP status the charger reported (connector 0: the whole charger).
    async fn ocpp_status(&self) -> &str {
        &self.0.ocpp_status
    }
    async fn connector_id(&self) -> i64 {
        self.0.connector_id
    }
    async fn error_code(&self) -> &str {
        &self.0.error_code
    }
    async fn info(&self) -> Option<&str> {
        self.0.info.as_deref()
    }
    async fn vendor_error_code(&self) -> Option<&str> {
        self.0.vendor_error_code.as_deref()
    }
    /// The charger's timestamp as sent, if it sent one.
    async fn timestamp(&self) -> Option<&str> {
        self.0.timestamp.as_deref()
    }
    async fn received_at(&self) -> String {
        rfc3339(self.0.received_at)
    }
}

/// The owner of the location (or an administrator) may read what its chargers record.
pub fn may_see_records(caller: Caller, location_owner: i64) -> bool {
    match caller {
        Caller::Admin => true,
        Caller::Owner(owner) => owner == location_owner,
        Caller::ApiClient => false,
    }
}

pub fn history_limit(limit: Option<i32>) -> Result<i64> {
    let limit = limit.unwrap_or(20);
    if !(0..=HISTORY_MAX).contains(&limit) {
        return Err(super::errors::bad_input("limit", format!("must be between 0 and {HISTORY_MAX}")));
    }
    Ok(i64::from(limit))
}

async fn reload(store: &Store, charge_point_id: &str) -> Result<Charger> {
    let row = store.charger(charge_point_id).await.map_err(ServiceErrorWrapper::from)?;
    row.map(Charger).ok_or_else(|| service(ServiceError::NotFound("charger not found".into())))
}

#[derive(Default)]
pub struct ChargerQuery;

#[Object(rename_args = "snake_case")]
impl ChargerQuery {
    /// The chargers of one of the caller's locations.
    async fn chargers(&self, ctx: &Context<'_>, location_id: i64) -> Result<Vec<Charger>> {
        let (store, owner) = owner(ctx)?;
        let rows = chargers::chargers_of_location(store, owner, location_id).await.map_err(service)?;
        Ok(rows.into_iter().map(Charger).collect())
    }

    /// The RFID tags the caller's chargers accept.
    async fn id_tags(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        let (store, owner) = owner(ctx)?;
        Ok(store.id_tags(owner).await.map_err(ServiceErrorWrapper::from)?)
    }
}

#[derive(Default)]
pub struct ChargerMutation;

#[Object(rename_args = "snake_case")]
impl ChargerMutation {
    /// Adds a charger to one of the caller's locations with its EVSEs in connector order.
    async fn create_charger(
        &self,
        ctx: &Context<'_>,
        location_id: i64,
        charge_point_id: String,
        evse_uids: Vec<String>,
    ) -> Result<Charger> {
        let (store, owner) = owner(ctx)?;
        chargers::create_charger(store, owner, location_id, &charge_point_id, &evse_uids).await.map_err(service)?;
        reload(store, &charge_point_id).await
    }

    /// Replaces the charger's EVSE list.
    async fn update_charger(
        &self,
        ctx: &Context<'_>,
        charge_point_id: String,
        evse_uids: Vec<String>,
    ) -> Result<Charger> {
        let (store, owner) = owner(ctx)?;
        chargers::update_charger(store, owner, &charge_point_id, &evse_uids).await.map_err(service)?;
        reload(store, &charge_point_id).await
    }

    async fn delete_charger(&self, ctx: &Context<'_>, charge_point_id: String) -> Result<bool> {
        let (store, owner) = owner(ctx)?;
        chargers::delete_charger(store, Some(owner), &charge_point_id).await.map_err(service)?;
        Ok(true)
    }

    /// A new key (40 hex characters) for the charger's Basic authentication; shown only now.
    async fn new_charger_key(&self, ctx: &Context<'_>, charge_point_id: String) -> Result<String> {
        let (store, owner) = owner(ctx)?;
        let key = chargers::new_key(store, Some(owner), &charge_point_id).await.map_err(service)?;
        Ok(key.expose_secret().to_owned())
    }

    async fn add_id_tag(&self, ctx: &Context<'_>, id_tag: String) -> Result<bool> {
        let (store, owner) = owner(ctx)?;
        chargers::add_id_tag(store, owner, &id_tag).await.map_err(service)?;
        Ok(true)
    }

    async fn remove_id_tag(&self, ctx: &Context<'_>, id_tag: String) -> Result<bool> {
        let (store, owner) = owner(ctx)?;
        chargers::remove_id_tag(store, owner, &id_tag).await.map_err(service)?;
        Ok(true)
    }
}

/// Commands to the caller's chargers: each returns the charger's answer status ("Accepted",
/// "Rejected", "Scheduled", "Unlocked", "UnlockFailed", "NotSupported", …).
#[derive(Default)]
pub struct CommandMutation;

fn control<'a>(ctx: &Context<'a>) -> &'a dyn ChargerControl {
    ctx.data_unchecked::<Arc<dyn ChargerControl>>().as_ref()
}

#[Object(rename_args = "snake_case")]
impl CommandMutation {
    /// `type`: Soft or Hard.
    async fn reset_charger(&self, ctx: &Context<'_>, charge_point_id: String, r#type: String) -> Result<String> {
        let (store, owner) = owner(ctx)?;
        commands::reset(store, control(ctx), owner, &charge_point_id, &r#type).await.map_err(service)
    }

    /// `type`: Operative or Inoperative; without an EVSE, the whole charger.
    async fn change_availability(
        &self,
        ctx: &Context<'_>,
        charge_point_id: String,
        evse_uid: Option<String>,
        r#type: String,
    ) -> Result<String> {
        let (store, owner) = owner(ctx)?;
        commands::change_availability(store, control(ctx), owner, &charge_point_id, evse_uid.as_deref(), &r#type)
            .await
            .map_err(service)
    }

    async fn unlock_connector(&self, ctx: &Context<'_>, evse_uid: String) -> Result<String> {
        let (store, owner) = owner(ctx)?;
        commands::unlock_connector(store, control(ctx), owner, &evse_uid).await.map_err(service)
    }

    async fn remote_start_transaction(&self, ctx: &Context<'_>, evse_uid: String, id_tag: String) -> Result<String> {
        let (store, owner) = owner(ctx)?;
        commands::remote_start(store, control(ctx), owner, &evse_uid, &id_tag).await.map_err(service)
    }

    async fn remote_stop_transaction(
        &self,
        ctx: &Context<'_>,
        charge_point_id: String,
        transaction_id: i64,
    ) -> Result<String> {
        let (store, owner) = owner(ctx)?;
        commands::remote_stop(store, control(ctx), owner, &charge_point_id, transaction_id).await.map_err(service)
    }

    /// Without an EVSE: connector 0 and every EVSE of the charger.
    async fn trigger_status_notification(
        &self,
        ctx: &Context<'_>,
        charge_point_id: String,
        evse_uid: Option<String>,
    ) -> Result<String> {
        let (store, owner) = owner(ctx)?;
        commands::trigger_status(store, control(ctx), owner, &charge_point_id, evse_uid.as_deref())
            .await
            .map_err(service)
    }
}
