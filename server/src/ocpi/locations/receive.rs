//! The 2.2.1 rules of Locations objects a partner pushes, checked on the JSON as received (fields
//! we do not model are allowed and kept). The wider lengths of the 2.2.1 bug-fix release are
//! accepted on receipt (address 255, state 45). The error names the first broken field.
use super::super::types::{is_ci_string, is_coordinate, is_string, parse_date_time};
use app::domain::codes::{self, Code};
use serde_json::{Map, Value};

type Checked = Result<(), String>;

fn field<'a>(
    object: &'a Map<String, Value>,
    path: &str,
    name: &str,
    required: bool,
) -> Result<Option<&'a Value>, String> {
    match object.get(name) {
        None | Some(Value::Null) if required => Err(format!("{path}{name}: required")),
        None | Some(Value::Null) => Ok(None),
        Some(value) => Ok(Some(value)),
    }
}

fn string(object: &Map<String, Value>, path: &str, name: &str, max: usize, required: bool) -> Checked {
    let Some(value) = field(object, path, name, required)? else { return Ok(()) };
    let text = value.as_str().ok_or_else(|| format!("{path}{name}: not a string"))?;
    if !is_string(text, max) {
        return Err(format!("{path}{name}: at most {max} printable characters"));
    }
    Ok(())
}

fn ci_string(object: &Map<String, Value>, path: &str, name: &str, max: usize, required: bool) -> Checked {
    let Some(value) = field(object, path, name, required)? else { return Ok(()) };
    let text = value.as_str().ok_or_else(|| format!("{path}{name}: not a string"))?;
    if !is_ci_string(text, max) {
        return Err(format!("{path}{name}: 1 to {max} printable ASCII characters"));
    }
    Ok(())
}

fn code(object: &Map<String, Value>, path: &str, name: &str, list: &[Code], required: bool) -> Checked {
    let Some(value) = field(object, path, name, required)? else { return Ok(()) };
    let text = value.as_str().ok_or_else(|| format!("{path}{name}: not a string"))?;
    if !codes::is_known(list, text) {
        return Err(format!("{path}{name}: {text:?} is not a 2.2.1 value"));
    }
    Ok(())
}

fn codes_list(object: &Map<String, Value>, path: &str, name: &str, list: &[Code]) -> Checked {
    let Some(value) = field(object, path, name, false)? else { return Ok(()) };
    let items = value.as_array().ok_or_else(|| format!("{path}{name}: not a list"))?;
    for (i, item) in items.iter().enumerate() {
        let text = item.as_str().ok_or_else(|| format!("{path}{name}[{i}]: not a string"))?;
        if !codes::is_known(list, text) {
            return Err(format!("{path}{name}[{i}]: {text:?} is not a 2.2.1 value"));
        }
    }
    Ok(())
}

fn integer(object: &Map<String, Value>, path: &str, name: &str, required: bool) -> Checked {
    let Some(value) = field(object, path, name, required)? else { return Ok(()) };
    value.as_i64().map(|_| ()).ok_or_else(|| format!("{path}{name}: not a whole number"))
}

/// An OCPI DateTime as received: UTC, with or without `Z`, fractions allowed.
pub fn date_time(text: &str) -> Option<i64> {
    if text.len() > 32 {
        return None;
    }
    parse_date_time(text)
}

fn last_updated(object: &Map<String, Value>, path: &str) -> Checked {
    let value = field(object, path, "last_updated", true)?.and_then(Value::as_str);
    value.and_then(date_time).map(|_| ()).ok_or_else(|| format!("{path}last_updated: not an RFC 3339 DateTime"))
}

fn object<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, String> {
    value.as_object().ok_or_else(|| format!("{}: not an object", path.trim_end_matches('.')))
}

fn coordinate(text: Option<&str>, integer_digits: usize) -> bool {
    text.is_some_and(|text| is_coordinate(text, integer_digits))
}

pub fn check_connector(value: &Value, path: &str) -> Checked {
    let c = object(value, path)?;
    ci_string(c, path, "id", 36, true)?;
    code(c, path, "standard", codes::CONNECTOR_STANDARDS, true)?;
    code(c, path, "format", codes::CONNECTOR_FORMATS, true)?;
    code(c, path, "power_type", codes::POWER_TYPES, true)?;
    integer(c, path, "max_voltage", true)?;
    integer(c, path, "max_amperage", true)?;
    integer(c, path, "max_electric_power", false)?;
    string(c, path, "terms_and_conditions", 255, false)?;
    last_updated(c, path)
}

pub fn check_evse(value: &Value, path: &str) -> Checked {
    let e = object(value, path)?;
    ci_string(e, path, "uid", 36, true)?;
    ci_string(e, path, "evse_id", 48, false)?;
    code(e, path, "status", codes::STATUSES, true)?;
    codes_list(e, path, "capabilities", codes::CAPABILITIES)?;
    codes_list(e, path, "parking_restrictions", codes::PARKING_RESTRICTIONS)?;
    string(e, path, "floor_level", 4, false)?;
    string(e, path, "physical_reference", 16, false)?;
    let connectors = field(e, path, "connectors", true)?.and_then(Value::as_array);
    let connectors = connectors.filter(|c| !c.is_empty()).ok_or_else(|| format!("{path}connectors: at least one"))?;
    for (i, connector) in connectors.iter().enumerate() {
        check_connector(connector, &format!("{path}connectors[{i}]."))?;
    }
    last_updated(e, path)
}

pub fn check_location(value: &Value) -> Checked {
    let l = object(value, "location")?;
    ci_string(l, "", "country_code", 2, true)?;
    ci_string(l, "", "party_id", 3, true)?;
    ci_string(l, "", "id", 36, true)?;
    if !field(l, "", "publish", true)?.is_some_and(Value::is_boolean) {
        return Err("publish: not a boolean".into());
    }
    string(l, "", "name", 255, false)?;
    string(l, "", "address", 255, true)?;
    string(l, "", "city", 45, true)?;
    string(l, "", "postal_code", 10, false)?;
    string(l, "", "state", 45, false)?;
    string(l, "", "country", 3, true)?;
    if super::mapping::alpha2(l.get("country").and_then(Value::as_str).unwrap_or_default()).is_none() {
        return Err("country: not an ISO 3166-1 alpha-3 code".into());
    }
    let coordinates = object(field(l, "", "coordinates", true)?.unwrap_or(&Value::Null), "coordinates")?;
    if !coordinate(coordinates.get("latitude").and_then(Value::as_str), 2) {
        return Err("coordinates.latitude: not a 2.2.1 latitude such as \"52.09073\"".into());
    }
    if !coordinate(coordinates.get("longitude").and_then(Value::as_str), 3) {
        return Err("coordinates.longitude: not a 2.2.1 longitude such as \"5.12142\"".into());
    }
    code(l, "", "parking_type", codes::PARKING_TYPES, false)?;
    codes_list(l, "", "facilities", codes::FACILITIES)?;
    string(l, "", "time_zone", 255, true)?;
    if let Some(operator) = field(l, "", "operator", false)? {
        string(object(operator, "operator")?, "operator.", "name", 100, true)?;
    }
    if let Some(evses) = field(l, "", "evses", false)? {
        let evses = evses.as_array().ok_or("evses: not a list")?;
        for (i, evse) in evses.iter().enumerate() {
            check_evse(evse, &format!("evses[{i}]."))?;
        }
    }
    last_updated(l, "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn location() -> Value {
        json!({"country_code":"NL","party_id":"ABC","id":"1012","publish":true,"name":"Station",
            "address":"Gasthuisstraat 12","city":"Utrecht","postal_code":"3511AB","country":"NLD",
            "coordinates":{"latitude":"52.09073","longitude":"5.12142"},"time_zone":"Europe/Amsterdam",
            "tariff_ids_unknown_to_us": ["T1"],
            "evses":[{"uid":"3256","status":"AVAILABLE","last_updated":"2024-05-01T12:00:00",
              "connectors":[{"id":"1","standard":"IEC_62196_T2","format":"SOCKET","power_type":"AC_3_PHASE",
                "max_voltage":230,"max_amperage":32,"last_updated":"2024-05-01T12:00:00.5Z"}]}],
            "last_updated":"2024-05-01T12:00:00Z"})
    }

    #[test]
    fn received_locations_are_checked_field_by_field() {
        assert_eq!(check_location(&location()), Ok(()));
        let mut wide = location();
        wide["address"] = json!("a".repeat(200));
        assert_eq!(check_location(&wide), Ok(()), "the bug-fix release's 255 is accepted");
        let mut bad = location();
        bad["evses"][0]["connectors"][0]["standard"] = json!("PLUG");
        assert!(check_location(&bad).unwrap_err().starts_with("evses[0].connectors[0].standard"));
        let mut bad = location();
        bad["coordinates"]["latitude"] = json!("52.1");
        assert!(check_location(&bad).unwrap_err().starts_with("coordinates.latitude"));
        let mut bad = location();
        bad.as_object_mut().unwrap().remove("time_zone");
        assert_eq!(check_location(&bad), Err("time_zone: required".into()));
        let mut bad = location();
        bad["evses"][0]["connectors"] = json!([]);
        assert!(check_location(&bad).unwrap_err().starts_with("evses[0].connectors"));
    }
}
