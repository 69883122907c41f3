//! Chargers as the platform sees them: the identity rule of a charge point, and how an OCPP 1.6
//! status becomes the OCPI status every API shows. Pure: used by the gateway, the services and
//! the portal's badges alike.

/// A charge point identity: 1–48 characters of `A–Z a–z 0–9 * - _ = + | @ .` (no `:`, which
/// HTTP Basic authentication splits on; nothing that needs percent-encoding in a URL).
pub const CHARGE_POINT_ID_MAX: usize = 48;

pub fn charge_point_id(value: &str) -> Result<(), String> {
    if value.is_empty() || value.len() > CHARGE_POINT_ID_MAX {
        return Err(format!("must be 1 to {CHARGE_POINT_ID_MAX} characters"));
    }
    if !value.bytes().all(|b| b.is_ascii_alphanumeric() || b"*-_=+|@.".contains(&b)) {
        return Err("may only contain A–Z, a–z, 0–9 and * - _ = + | @ .".into());
    }
    Ok(())
}

/// The EVSE status before any charger has reported it, and while its charger is offline.
pub const UNKNOWN: &str = "UNKNOWN";

/// OCPP 1.6 `ChargePointStatus` of a connector (connectorId ≥ 1) → OCPI EVSE status.
pub fn ocpi_status(ocpp: &str) -> Option<&'static str> {
    Some(match ocpp {
        "Available" => "AVAILABLE",
        "Preparing" | "Charging" | "SuspendedEV" | "SuspendedEVSE" | "Finishing" => "CHARGING",
        "Reserved" => "RESERVED",
        "Unavailable" => "INOPERATIVE",
        "Faulted" => "OUTOFORDER",
        _ => return None,
    })
}

/// What a StatusNotification for connectorId 0 (the charger as a whole) does to every EVSE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WholeCharger {
    /// Unavailable or Faulted: every EVSE shows this status until it clears.
    Override(&'static str),
    /// Available: the EVSEs show their own statuses again.
    Clear,
    /// Any other status has no meaning for connector 0 (OCPP 1.6 §4.9).
    Ignore,
}

pub fn whole_charger(ocpp: &str) -> WholeCharger {
    match ocpp {
        "Available" => WholeCharger::Clear,
        "Unavailable" => WholeCharger::Override("INOPERATIVE"),
        "Faulted" => WholeCharger::Override("OUTOFORDER"),
        _ => WholeCharger::Ignore,
    }
}

/// The status an EVSE of a charger shows: offline → UNKNOWN; else the charger-wide override,
/// else its own last report, else UNKNOWN.
pub fn shown_status<'a>(connected: bool, override_status: Option<&'a str>, own: Option<&'a str>) -> &'a str {
    if !connected {
        return UNKNOWN;
    }
    override_status.or(own).unwrap_or(UNKNOWN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_follow_the_character_rule() {
        assert!(charge_point_id("CP-01_a*=+|@.").is_ok());
        assert!(charge_point_id("").is_err());
        assert!(charge_point_id(&"x".repeat(49)).is_err());
        assert!(charge_point_id(&"x".repeat(48)).is_ok());
        assert!(charge_point_id("cp:1").is_err());
        assert!(charge_point_id("RDAM 123").is_err());
        assert!(charge_point_id("cp/1").is_err());
    }

    #[test]
    fn every_ocpp_status_maps_as_the_table_says() {
        let table = [
            ("Available", "AVAILABLE"),
            ("Preparing", "CHARGING"),
            ("Charging", "CHARGING"),
            ("SuspendedEV", "CHARGING"),
            ("SuspendedEVSE", "CHARGING"),
            ("Finishing", "CHARGING"),
            ("Reserved", "RESERVED"),
            ("Unavailable", "INOPERATIVE"),
            ("Faulted", "OUTOFORDER"),
        ];
        for (ocpp, ocpi) in table {
            assert_eq!(ocpi_status(ocpp), Some(ocpi), "{ocpp}");
        }
        assert_eq!(ocpi_status("available"), None);
    }

    #[test]
    fn connector_zero_overrides_and_clears() {
        assert_eq!(whole_charger("Faulted"), WholeCharger::Override("OUTOFORDER"));
        assert_eq!(whole_charger("Unavailable"), WholeCharger::Override("INOPERATIVE"));
        assert_eq!(whole_charger("Available"), WholeCharger::Clear);
        assert_eq!(whole_charger("Charging"), WholeCharger::Ignore);
        assert_eq!(shown_status(true, Some("OUTOFORDER"), Some("CHARGING")), "OUTOFORDER");
        assert_eq!(shown_status(true, None, Some("CHARGING")), "CHARGING");
        assert_eq!(shown_status(true, None, None), UNKNOWN);
        assert_eq!(shown_status(false, None, Some("CHARGING")), UNKNOWN);
    }
}
