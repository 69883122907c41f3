//! What a CPO owner submits to create or change locations, EVSEs and connectors, with the rules
//! every entry point (portal, GraphQL, demo data) applies before the store is touched.
//!
//! The browser calls `validate()` for instant feedback. The server goes through `validated()`:
//! store writes take a [`Valid`], which nothing else can build, so no entry point can skip a rule.
use super::codes::{self, Code};
use super::time_zones::time_zone;
use super::validation::{self as rule, Checker, FieldError, TEXT_MAX};
use serde::{Deserialize, Serialize};

/// An input that passed its rules. Its field is private: `validated()` is the only way to get one.
#[derive(Debug, Clone, PartialEq)]
pub struct Valid<T>(T);

impl<T> std::ops::Deref for Valid<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// The rules of one kind of input.
pub trait Rules: Sized {
    /// Every broken rule, each naming its field.
    fn validate(&self) -> Result<(), Vec<FieldError>>;

    /// The input, proven valid.
    fn validated(self) -> Result<Valid<Self>, Vec<FieldError>> {
        self.validate()?;
        Ok(Valid(self))
    }
}

/// A new status for an EVSE (and its connectors), set by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewStatus(pub String);

impl Rules for NewStatus {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Checker::default().check("status", known(codes::STATUSES, &self.0)).finish()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewLocation {
    pub name: String,
    pub address: String,
    pub address_lat: f64,
    pub address_lng: f64,
    pub city: String,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country_code: String,
    pub publish: bool,
    pub facilities: Vec<String>,
    pub parking_restrictions: Vec<String>,
    pub parking_types: Vec<String>,
    /// The IANA zone; None (or empty) takes the zone at the coordinates (`with_time_zone`).
    #[serde(default)]
    pub time_zone: Option<String>,
}

impl NewLocation {
    /// The location with its zone filled from the coordinates when none was chosen.
    #[cfg(feature = "ssr")]
    pub fn with_time_zone(mut self) -> Self {
        if self.time_zone.as_deref().is_none_or(|z| z.trim().is_empty()) {
            self.time_zone = Some(super::time_zones::at(self.address_lat, self.address_lng));
        }
        self
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
/// What an owner sets on an EVSE. Its serial number, meter type, connection id and server id come
/// from its charger over OCPP, never from a form; its status too once it has a charger.
pub struct NewEvse {
    pub evse_id: String,
    pub status: String,
    pub capabilities: Vec<String>,
    pub payment_types: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewConnector {
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
}

fn optional_text(value: &Option<String>) -> Result<(), String> {
    match value {
        Some(v) if v.chars().count() > TEXT_MAX => Err(format!("must be at most {TEXT_MAX} characters")),
        Some(v) if v.chars().any(char::is_control) => Err("must not contain control characters".into()),
        _ => Ok(()),
    }
}

fn known(list: &[Code], value: &str) -> Result<(), String> {
    if codes::is_known(list, value) {
        Ok(())
    } else {
        Err(format!("unknown code {value:?}"))
    }
}

/// Known codes, at most as many as the list has.
fn all_known(list: &[Code], values: &[String]) -> Result<(), String> {
    if values.len() > list.len() {
        return Err(format!("at most {} codes", list.len()));
    }
    values.iter().try_for_each(|v| known(list, v))
}

fn positive(value: i64) -> Result<(), String> {
    if value > 0 {
        Ok(())
    } else {
        Err("must be a positive number".into())
    }
}

impl Rules for NewLocation {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Checker::default()
            .check("name", rule::required_text(&self.name, TEXT_MAX))
            .check("address", rule::required_text(&self.address, TEXT_MAX))
            .check("address_lat", rule::latitude(self.address_lat))
            .check("address_lng", rule::longitude(self.address_lng))
            .check("city", rule::required_text(&self.city, TEXT_MAX))
            .check("region", optional_text(&self.region))
            .check("postal_code", optional_text(&self.postal_code))
            .check("country_code", rule::country_code(&self.country_code))
            .check("facilities", all_known(codes::FACILITIES, &self.facilities))
            .check("parking_restrictions", all_known(codes::PARKING_RESTRICTIONS, &self.parking_restrictions))
            .check("parking_types", all_known(codes::PARKING_TYPES, &self.parking_types))
            .check("time_zone", self.time_zone.as_deref().filter(|z| !z.is_empty()).map_or(Ok(()), time_zone))
            .finish()
    }
}

impl Rules for NewEvse {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Checker::default()
            .check("evse_id", rule::required_text(&self.evse_id, 48))
            .check("status", known(codes::STATUSES, &self.status))
            .check("capabilities", all_known(codes::CAPABILITIES, &self.capabilities))
            .check("payment_types", all_known(codes::PAYMENT_TYPES, &self.payment_types))
            .finish()
    }
}

impl Rules for NewConnector {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Checker::default()
            .check("connector_id", rule::required_text(&self.connector_id, 36))
            .check("standard", known(codes::CONNECTOR_STANDARDS, &self.standard))
            .check("format", known(codes::CONNECTOR_FORMATS, &self.format))
            .check("power_type", known(codes::POWER_TYPES, &self.power_type))
            .check("max_voltage", positive(self.max_voltage))
            .check("max_amperage", positive(self.max_amperage))
            .check("max_electric_power", self.max_electric_power.map_or(Ok(()), positive))
            .check("connector_type", optional_text(&self.connector_type))
            .check("rate_setting", optional_text(&self.rate_setting))
            .check("status", known(codes::STATUSES, &self.status))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_valid_input_becomes_valid() {
        assert!(location().validated().is_ok());
        let bad = NewLocation { name: String::new(), ..location() };
        assert_eq!(bad.validated().map(|_| ()).unwrap_err()[0].field, "name");
        assert!(NewStatus("AVAILABLE".into()).validated().is_ok());
        assert!(NewStatus("SLEEPING".into()).validated().is_err());
    }

    fn location() -> NewLocation {
        NewLocation {
            name: "Fira Plaza".into(),
            address: "Main square 1".into(),
            address_lat: 36.41,
            address_lng: 25.43,
            city: "Fira".into(),
            country_code: "GR".into(),
            facilities: vec!["CAFE".into()],
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_location_is_valid() {
        assert_eq!(location().validate(), Ok(()));
    }

    #[test]
    fn errors_name_their_fields() {
        let bad = NewLocation { address_lat: 123.0, facilities: vec!["SAUNA".into()], ..location() };
        let fields: Vec<_> = bad.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["address_lat", "facilities"]);
    }

    #[test]
    fn connectors_need_known_codes_and_positive_ratings() {
        let bad = NewConnector {
            connector_id: "1".into(),
            standard: "IEC_62196_T2".into(),
            format: "SOCKET".into(),
            power_type: "AC_3_PHASE".into(),
            max_voltage: 0,
            max_amperage: 32,
            status: "AVAILABLE".into(),
            ..Default::default()
        };
        let fields: Vec<_> = bad.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["max_voltage"]);
    }
}

/// The contract's registration body: a CPO owner and the username of its first user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    pub username: String,
    pub cpo_owner_name: String,
    pub contact_name: String,
    pub contact_number: String,
    pub contact_email: String,
    pub ocpp_ready: bool,
    #[serde(default)]
    pub logo: Option<String>,
}

impl Rules for Registration {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        Checker::default()
            .check("username", rule::username(&self.username))
            .check("cpo_owner_name", rule::required_text(&self.cpo_owner_name, TEXT_MAX))
            .check("contact_name", rule::required_text(&self.contact_name, TEXT_MAX))
            .check("contact_number", rule::phone(&self.contact_number))
            .check("contact_email", rule::email(&self.contact_email))
            .check("logo", optional_text(&self.logo))
            .finish()
    }
}
