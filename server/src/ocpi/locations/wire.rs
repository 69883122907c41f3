//! The 2.2.1 Location, EVSE and Connector as we emit them, and the 2.2.1 rules they must meet
//! (lengths, enums, required fields, coordinate formats): `check` runs in the tests over
//! everything we emit.
use super::super::types::{BusinessDetails, Image};
use app::domain::codes::{self, Code};
use app::domain::ocpi_limits as limit;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GeoLocation {
    pub latitude: String,
    pub longitude: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Connector {
    pub id: String,
    pub standard: String,
    pub format: String,
    pub power_type: String,
    pub max_voltage: i64,
    pub max_amperage: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_electric_power: Option<i64>,
    pub last_updated: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Evse {
    pub uid: String,
    pub evse_id: String,
    pub status: String,
    pub capabilities: Vec<String>,
    pub connectors: Vec<Connector>,
    pub parking_restrictions: Vec<String>,
    pub last_updated: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Location {
    pub country_code: String,
    pub party_id: String,
    pub id: String,
    pub publish: bool,
    pub name: String,
    pub address: String,
    pub city: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    pub country: String,
    pub coordinates: GeoLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parking_type: Option<String>,
    pub evses: Vec<Evse>,
    pub operator: BusinessDetails,
    pub facilities: Vec<String>,
    pub time_zone: String,
    pub images: Vec<Image>,
    pub last_updated: String,
}

pub const IMAGE_CATEGORIES: &[&str] = &["CHARGER", "ENTRANCE", "LOCATION", "NETWORK", "OPERATOR", "OTHER", "OWNER"];

/// The 2.2.1 rules an object breaks, each naming the field (empty = valid).
#[derive(Default)]
pub struct Problems(pub Vec<String>);

impl Problems {
    fn string(&mut self, field: &str, value: &str, max: usize, required: bool) {
        if required && value.is_empty() {
            self.0.push(format!("{field}: required"));
        }
        if !super::super::types::is_string(value, max) {
            self.0.push(format!("{field}: more than {max} characters or not printable"));
        }
    }

    fn ci_string(&mut self, field: &str, value: &str, max: usize) {
        if !super::super::types::is_ci_string(value, max) {
            self.0.push(format!("{field}: 1 to {max} printable ASCII characters"));
        }
    }

    fn one_of(&mut self, field: &str, value: &str, allowed: &[&str]) {
        if !allowed.contains(&value) {
            self.0.push(format!("{field}: {value:?} is not a 2.2.1 value"));
        }
    }

    /// One of the 2.2.1 code lists the platform shares with its own validation.
    fn code(&mut self, field: &str, value: &str, list: &[Code]) {
        if !codes::is_known(list, value) {
            self.0.push(format!("{field}: {value:?} is not a 2.2.1 value"));
        }
    }

    fn date_time(&mut self, field: &str, value: &str) {
        if value.len() > 25 || !value.ends_with('Z') || app::clock::parse_rfc3339(value).is_none() {
            self.0.push(format!("{field}: not an RFC 3339 UTC DateTime"));
        }
    }

    fn coordinate(&mut self, field: &str, value: &str, integer_digits: usize) {
        if !super::super::types::is_coordinate(value, integer_digits) {
            self.0.push(format!("{field}: {value:?} does not match the 2.2.1 coordinate format"));
        }
    }

    fn image(&mut self, field: &str, image: &Image) {
        self.string(&format!("{field}.url"), &image.url, 255, true);
        if let Some(thumbnail) = &image.thumbnail {
            self.string(&format!("{field}.thumbnail"), thumbnail, 255, true);
        }
        self.one_of(&format!("{field}.category"), &image.category, IMAGE_CATEGORIES);
        self.one_of(&format!("{field}.type"), &image.kind, &["gif", "jpeg", "png", "svg"]);
        for (side, value) in [("width", image.width), ("height", image.height)] {
            if value.is_some_and(|v| v > limit::IMAGE_SIDE) {
                self.0.push(format!("{field}.{side}: more than 5 digits"));
            }
        }
    }

    fn business_details(&mut self, field: &str, details: &BusinessDetails) {
        self.string(&format!("{field}.name"), &details.name, limit::OPERATOR_NAME, true);
        if let Some(logo) = &details.logo {
            self.image(&format!("{field}.logo"), logo);
        }
    }

    pub fn connector(&mut self, field: &str, connector: &Connector) {
        self.ci_string(&format!("{field}.id"), &connector.id, limit::CONNECTOR_ID);
        self.code(&format!("{field}.standard"), &connector.standard, codes::CONNECTOR_STANDARDS);
        self.code(&format!("{field}.format"), &connector.format, codes::CONNECTOR_FORMATS);
        self.code(&format!("{field}.power_type"), &connector.power_type, codes::POWER_TYPES);
        self.date_time(&format!("{field}.last_updated"), &connector.last_updated);
    }

    pub fn evse(&mut self, field: &str, evse: &Evse) {
        self.ci_string(&format!("{field}.uid"), &evse.uid, limit::EVSE_UID);
        self.ci_string(&format!("{field}.evse_id"), &evse.evse_id, limit::EVSE_ID);
        self.code(&format!("{field}.status"), &evse.status, codes::STATUSES);
        for (i, c) in evse.capabilities.iter().enumerate() {
            self.code(&format!("{field}.capabilities[{i}]"), c, codes::CAPABILITIES);
        }
        for (i, r) in evse.parking_restrictions.iter().enumerate() {
            self.code(&format!("{field}.parking_restrictions[{i}]"), r, codes::PARKING_RESTRICTIONS);
        }
        if evse.connectors.is_empty() {
            self.0.push(format!("{field}.connectors: at least one"));
        }
        for (i, c) in evse.connectors.iter().enumerate() {
            self.connector(&format!("{field}.connectors[{i}]"), c);
        }
        self.date_time(&format!("{field}.last_updated"), &evse.last_updated);
    }

    pub fn location(&mut self, location: &Location) {
        self.ci_string("country_code", &location.country_code, 2);
        self.ci_string("party_id", &location.party_id, 3);
        self.ci_string("id", &location.id, 36);
        self.string("name", &location.name, limit::LOCATION_NAME, false);
        self.string("address", &location.address, limit::ADDRESS, true);
        self.string("city", &location.city, limit::CITY, true);
        if let Some(postal_code) = &location.postal_code {
            self.string("postal_code", postal_code, limit::POSTAL_CODE, true);
        }
        if let Some(state) = &location.state {
            self.string("state", state, limit::STATE, true);
        }
        if location.country.len() != 3 || !location.country.bytes().all(|b| b.is_ascii_uppercase()) {
            self.0.push("country: not an ISO 3166-1 alpha-3 code".into());
        }
        self.coordinate("coordinates.latitude", &location.coordinates.latitude, 2);
        self.coordinate("coordinates.longitude", &location.coordinates.longitude, 3);
        if let Some(parking_type) = &location.parking_type {
            self.code("parking_type", parking_type, codes::PARKING_TYPES);
        }
        for (i, evse) in location.evses.iter().enumerate() {
            self.evse(&format!("evses[{i}]"), evse);
        }
        self.business_details("operator", &location.operator);
        for (i, f) in location.facilities.iter().enumerate() {
            self.code(&format!("facilities[{i}]"), f, codes::FACILITIES);
        }
        self.string("time_zone", &location.time_zone, 255, true);
        for (i, image) in location.images.iter().enumerate() {
            self.image(&format!("images[{i}]"), image);
        }
        self.date_time("last_updated", &location.last_updated);
    }
}

/// The 2.2.1 problems of a Location as JSON (one per broken rule; a body that is not a Location
/// at all is one problem naming serde's complaint).
pub fn location_problems(json: &serde_json::Value) -> Vec<String> {
    match serde_json::from_value::<Location>(json.clone()) {
        Ok(location) => {
            let mut problems = Problems::default();
            problems.location(&location);
            problems.0
        }
        Err(e) => vec![format!("not a Location: {e}")],
    }
}
