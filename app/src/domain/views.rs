//! Rows as the APIs and pages show them. Times are Unix milliseconds; `clock::rfc3339` formats them.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeRow {
    pub id: i64,
    pub code: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationRow {
    pub id: i64,
    pub cpo_owner_id: i64,
    pub name: String,
    pub address: String,
    pub address_lat: f64,
    pub address_lng: f64,
    pub city: String,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country_code: String,
    pub publish: bool,
    /// The IANA zone (every row has one: chosen, taken from the coordinates, or a partner's).
    pub time_zone: String,
    pub date_created: i64,
    pub date_modified: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvseRow {
    pub uid: String,
    pub evse_id: String,
    pub serial_number: Option<String>,
    pub meter_type: Option<String>,
    pub status: String,
    pub cpo_location_id: i64,
    pub current_ws_connection_id: Option<String>,
    pub server_id: Option<String>,
    pub date_created: i64,
    pub date_modified: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectorRow {
    pub id: i64,
    pub evse_uid: String,
    pub connector_id: String,
    pub standard: String,
    pub format: String,
    pub power_type: String,
    pub max_voltage: i64,
    pub max_amperage: i64,
    pub max_electric_power: Option<i64>,
    pub connector_type: Option<String>,
    pub rate_setting: Option<String>,
    pub status: String,
    pub date_created: i64,
    pub date_modified: i64,
}

/// An EVSE with its connectors and reference codes, for detail pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvseDetails {
    pub evse: EvseRow,
    pub connectors: Vec<ConnectorRow>,
    pub capabilities: Vec<CodeRow>,
    pub payment_types: Vec<CodeRow>,
}

/// A location with everything a detail page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationDetails {
    pub location: LocationRow,
    /// `(photo URL, thumbnail URL)`, oldest first.
    pub photos: Vec<(String, String)>,
    pub facilities: Vec<CodeRow>,
    pub parking_restrictions: Vec<CodeRow>,
    pub parking_types: Vec<CodeRow>,
    pub evses: Vec<EvseDetails>,
    /// The CPO owner that operates the location.
    pub operator: Option<Operator>,
}

/// A row of the public browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationSummary {
    pub location: LocationRow,
    pub evse_count: usize,
    pub available: usize,
    /// EVSEs whose status is known (not `UNKNOWN`).
    pub known: usize,
    pub standards: Vec<String>,
    pub thumbnail: Option<String>,
}

/// Who operates a location, as its public page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operator {
    pub name: String,
    pub logo_thumbnail_url: Option<String>,
}

/// A CPO owner as the public APIs show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnerRow {
    pub id: i64,
    pub cpo_owner_name: String,
    pub logo: Option<String>,
    /// The OCPI party (country code, party id), once set.
    pub party_country_code: Option<String>,
    pub party_id: Option<String>,
}

/// A CPO owner as its own dashboard shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnerProfile {
    pub id: i64,
    pub cpo_owner_name: String,
    pub contact_name: String,
    pub contact_number: String,
    pub contact_email: String,
    pub ocpp_ready: bool,
    pub logo_url: Option<String>,
    pub logo_thumbnail_url: Option<String>,
    /// The OCPI party (country code, party id), once set: until then nothing is roamed.
    pub party_country_code: Option<String>,
    pub party_id: Option<String>,
}

/// A charger as its owner sees it. The key itself is never stored, so never shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargerRow {
    pub id: i64,
    pub charge_point_id: String,
    pub location_id: i64,
    /// Its EVSEs in OCPP connector order (connectorId n is the n-th).
    pub evse_uids: Vec<String>,
    pub has_key: bool,
    pub connected: bool,
    pub connected_since: Option<i64>,
    pub last_seen: Option<i64>,
    pub vendor: Option<String>,
    pub model: Option<String>,
    pub firmware_version: Option<String>,
    pub serial_number: Option<String>,
    pub meter_type: Option<String>,
    pub server_id: Option<String>,
    /// The main meter's register (MeterValues on connectorId 0), Wh.
    pub main_meter_wh: Option<f64>,
}

/// One StatusNotification as an EVSE's history shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: String,
    pub ocpp_status: String,
    pub connector_id: i64,
    pub error_code: String,
    pub info: Option<String>,
    pub vendor_error_code: Option<String>,
    /// The charger's timestamp as sent, if it sent one.
    pub timestamp: Option<String>,
    pub received_at: i64,
}

/// A charging session (an OCPP transaction) as its owner sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChargeSession {
    pub transaction_id: i64,
    pub id_tag: String,
    /// `Accepted` or `Invalid`: what the id tag was when the session started.
    pub authorization: String,
    pub started_at: i64,
    pub stopped_at: Option<i64>,
    pub meter_start_wh: i64,
    pub meter_stop_wh: Option<i64>,
    pub energy_wh: Option<i64>,
    pub stop_reason: Option<String>,
}

/// The latest meter readings of an EVSE.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Readings {
    pub energy_wh: Option<f64>,
    pub power_w: Option<f64>,
    pub readings_at: Option<i64>,
}
