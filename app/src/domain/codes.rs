//! OCPI 2.2.1 code lists. The reference tables are seeded from the same lists by the migrations;
//! a test checks that the two agree, so a code lives here and in exactly one migration row.

/// A reference code with the short human description shown in the portal.
pub type Code = (&'static str, &'static str);

pub const CAPABILITIES: &[Code] = &[
    ("CHARGING_PROFILE_CAPABLE", "Supports charging profiles"),
    ("CHARGING_PREFERENCES_CAPABLE", "Supports charging preferences"),
    ("CHIP_CARD_SUPPORT", "Payment terminal accepts chip cards"),
    ("CONTACTLESS_CARD_SUPPORT", "Payment terminal accepts contactless cards"),
    ("CREDIT_CARD_PAYABLE", "Payment terminal accepts credit cards"),
    ("DEBIT_CARD_PAYABLE", "Payment terminal accepts debit cards"),
    ("PED_TERMINAL", "Has a PIN entry device"),
    ("REMOTE_START_STOP_CAPABLE", "Can be started and stopped remotely"),
    ("RESERVABLE", "Can be reserved"),
    ("RFID_READER", "Charging can be authorised with an RFID token"),
    ("START_SESSION_CONNECTOR_REQUIRED", "Remote start needs a connector id"),
    ("TOKEN_GROUP_CAPABLE", "Supports token groups"),
    ("UNLOCK_CAPABLE", "Connector can be unlocked remotely"),
];

pub const FACILITIES: &[Code] = &[
    ("HOTEL", "Hotel"),
    ("RESTAURANT", "Restaurant"),
    ("CAFE", "Cafe"),
    ("MALL", "Shopping mall"),
    ("SUPERMARKET", "Supermarket"),
    ("SPORT", "Sport facilities"),
    ("RECREATION_AREA", "Recreation area"),
    ("NATURE", "Nature nearby"),
    ("MUSEUM", "Museum"),
    ("BIKE_SHARING", "Bike sharing station"),
    ("BUS_STOP", "Bus stop"),
    ("TAXI_STAND", "Taxi stand"),
    ("TRAM_STOP", "Tram stop"),
    ("METRO_STATION", "Metro station"),
    ("TRAIN_STATION", "Train station"),
    ("AIRPORT", "Airport"),
    ("PARKING_LOT", "Parking lot"),
    ("CARPOOL_PARKING", "Carpool parking"),
    ("FUEL_STATION", "Fuel station"),
    ("WIFI", "Wi-Fi available"),
];

pub const PARKING_RESTRICTIONS: &[Code] = &[
    ("EV_ONLY", "Reserved for electric vehicles"),
    ("PLUGGED", "Parking only while charging"),
    ("DISABLED", "Reserved for disabled people"),
    ("CUSTOMERS", "For customers of the location only"),
    ("MOTORCYCLES", "Suitable for electric motorcycles or scooters only"),
];

pub const PARKING_TYPES: &[Code] = &[
    ("ALONG_MOTORWAY", "Along a motorway or highway"),
    ("PARKING_GARAGE", "Multi-storey car park"),
    ("PARKING_LOT", "Open-air car park"),
    ("ON_DRIVEWAY", "On a driveway"),
    ("ON_STREET", "On-street parking"),
    ("UNDERGROUND_GARAGE", "Underground car park"),
];

/// OCPI 2.2.1 has no payment-type list of its own; these are the ways a driver can pay at an EVSE,
/// matching the payment-related capabilities above plus app and roaming contracts.
pub const PAYMENT_TYPES: &[Code] = &[
    ("APP", "Pay in a mobile app"),
    ("CONTRACT", "Charging card or roaming contract"),
    ("CREDIT_CARD", "Credit card"),
    ("DEBIT_CARD", "Debit card"),
    ("CONTACTLESS", "Contactless card or phone"),
    ("PLUG_AND_CHARGE", "Plug & Charge (ISO 15118)"),
    ("FREE", "Free of charge"),
];

/// OCPI 2.2.1 `Status` of an EVSE; connectors use the same list.
pub const STATUSES: &[Code] = &[
    ("AVAILABLE", "Available"),
    ("BLOCKED", "Blocked"),
    ("CHARGING", "Charging"),
    ("INOPERATIVE", "Inoperative"),
    ("OUTOFORDER", "Out of order"),
    ("PLANNED", "Planned"),
    ("REMOVED", "Removed"),
    ("RESERVED", "Reserved"),
    ("UNKNOWN", "Unknown"),
];

/// OCPI 2.2.1 `ConnectorType`, the contract's connector `standard`.
pub const CONNECTOR_STANDARDS: &[Code] = &[
    ("CHADEMO", "CHAdeMO"),
    ("CHAOJI", "ChaoJi"),
    ("DOMESTIC_A", "Domestic type A (NEMA 1-15)"),
    ("DOMESTIC_B", "Domestic type B (NEMA 5-15)"),
    ("DOMESTIC_C", "Domestic type C (CEE 7/17)"),
    ("DOMESTIC_D", "Domestic type D (BS 546)"),
    ("DOMESTIC_E", "Domestic type E (CEE 7/5)"),
    ("DOMESTIC_F", "Domestic type F (Schuko)"),
    ("DOMESTIC_G", "Domestic type G (BS 1363)"),
    ("DOMESTIC_H", "Domestic type H (SI 32)"),
    ("DOMESTIC_I", "Domestic type I (AS/NZS 3112)"),
    ("DOMESTIC_J", "Domestic type J (SEV 1011)"),
    ("DOMESTIC_K", "Domestic type K (DS 60884-2-D1)"),
    ("DOMESTIC_L", "Domestic type L (CEI 23-16-VII)"),
    ("DOMESTIC_M", "Domestic type M (BS 546 15 A)"),
    ("DOMESTIC_N", "Domestic type N (NBR 14136)"),
    ("DOMESTIC_O", "Domestic type O (TIS 166-2549)"),
    ("GBT_AC", "GB/T AC"),
    ("GBT_DC", "GB/T DC"),
    ("IEC_60309_2_single_16", "IEC 60309-2 industrial, single phase 16 A"),
    ("IEC_60309_2_three_16", "IEC 60309-2 industrial, three phase 16 A"),
    ("IEC_60309_2_three_32", "IEC 60309-2 industrial, three phase 32 A"),
    ("IEC_60309_2_three_64", "IEC 60309-2 industrial, three phase 64 A"),
    ("IEC_62196_T1", "Type 1 (SAE J1772)"),
    ("IEC_62196_T1_COMBO", "CCS1 (Combo 1)"),
    ("IEC_62196_T2", "Type 2 (Mennekes)"),
    ("IEC_62196_T2_COMBO", "CCS2 (Combo 2)"),
    ("IEC_62196_T3A", "Type 3A (Scame)"),
    ("IEC_62196_T3C", "Type 3C (Scame)"),
    ("NEMA_5_20", "NEMA 5-20"),
    ("NEMA_6_30", "NEMA 6-30"),
    ("NEMA_6_50", "NEMA 6-50"),
    ("NEMA_10_30", "NEMA 10-30"),
    ("NEMA_10_50", "NEMA 10-50"),
    ("NEMA_14_30", "NEMA 14-30"),
    ("NEMA_14_50", "NEMA 14-50"),
    ("PANTOGRAPH_BOTTOM_UP", "Pantograph, bottom up"),
    ("PANTOGRAPH_TOP_DOWN", "Pantograph, top down"),
    ("TESLA_R", "Tesla Roadster"),
    ("TESLA_S", "Tesla Model S"),
];

/// OCPI 2.2.1 `ConnectorFormat`.
pub const CONNECTOR_FORMATS: &[Code] = &[("SOCKET", "Socket"), ("CABLE", "Attached cable")];

/// OCPI 2.2.1 `PowerType`.
pub const POWER_TYPES: &[Code] = &[
    ("AC_1_PHASE", "AC single phase"),
    ("AC_2_PHASE", "AC two phases"),
    ("AC_2_PHASE_SPLIT", "AC two phases, split"),
    ("AC_3_PHASE", "AC three phases"),
    ("DC", "Direct current"),
];

/// The database tables seeded from the lists above, with the list each one holds.
pub const REFERENCE_TABLES: &[(&str, &[Code])] = &[
    ("capabilities", CAPABILITIES),
    ("facilities", FACILITIES),
    ("parking_restrictions", PARKING_RESTRICTIONS),
    ("parking_types", PARKING_TYPES),
    ("payment_types", PAYMENT_TYPES),
];

/// Whether `code` is in `list` (codes are case-sensitive, as in OCPI).
pub fn is_known(list: &[Code], code: &str) -> bool {
    list.iter().any(|(c, _)| *c == code)
}

/// The description of `code`, for display.
pub fn describe(list: &[Code], code: &str) -> Option<&'static str> {
    list.iter().find(|(c, _)| *c == code).map(|(_, d)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ocpi_lists_have_their_documented_sizes() {
        assert_eq!(CAPABILITIES.len(), 13);
        assert_eq!(FACILITIES.len(), 20);
        assert_eq!(PARKING_RESTRICTIONS.len(), 5);
        assert_eq!(PARKING_TYPES.len(), 6);
        assert_eq!(STATUSES.len(), 9);
        assert_eq!(CONNECTOR_FORMATS.len(), 2);
        assert_eq!(POWER_TYPES.len(), 5);
    }

    #[test]
    fn codes_are_unique_within_each_list() {
        for list in [
            CAPABILITIES,
            FACILITIES,
            PARKING_RESTRICTIONS,
            PARKING_TYPES,
            PAYMENT_TYPES,
            STATUSES,
            CONNECTOR_STANDARDS,
        ] {
            let mut codes: Vec<_> = list.iter().map(|(c, _)| *c).collect();
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(codes.len(), list.len());
        }
    }

    #[test]
    fn lookups_are_case_sensitive() {
        assert!(is_known(FACILITIES, "WIFI"));
        assert!(!is_known(FACILITIES, "wifi"));
        assert_eq!(describe(STATUSES, "OUTOFORDER"), Some("Out of order"));
    }
}
