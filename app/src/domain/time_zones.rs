//! A location's IANA time zone (OCPI requires one on every location). The browser checks the
//! shape; the server also knows every zone name and the zone at any point (tzf-rs with its
//! bundled boundary data, so it works offline), which is too large to ship to the browser.

/// The longest zone name accepted (the longest IANA name is 32 characters; OCPI allows 255).
pub const TIME_ZONE_MAX: usize = 64;

/// The zone a point gets when nothing else says (open sea, no data).
pub const FALLBACK: &str = "UTC";

/// The shape of an IANA name (`Europe/Amsterdam`, `America/Argentina/Buenos_Aires`, `UTC`).
fn shaped(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= TIME_ZONE_MAX
        && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'))
        && !value.starts_with('/')
        && !value.ends_with('/')
}

/// The rule of a chosen zone: an IANA name (on the server: one the zone data knows).
pub fn time_zone(value: &str) -> Result<(), String> {
    if !shaped(value) || !known(value) {
        return Err("must be an IANA time zone such as Europe/Amsterdam".into());
    }
    Ok(())
}

#[cfg(feature = "ssr")]
fn finder() -> &'static tzf_rs::EmbeddedFinder {
    static FINDER: std::sync::OnceLock<tzf_rs::EmbeddedFinder> = std::sync::OnceLock::new();
    FINDER.get_or_init(tzf_rs::EmbeddedFinder::new)
}

#[cfg(feature = "ssr")]
fn known(value: &str) -> bool {
    static NAMES: std::sync::OnceLock<std::collections::HashSet<&'static str>> = std::sync::OnceLock::new();
    value == FALLBACK || NAMES.get_or_init(|| finder().timezonenames().into_iter().collect()).contains(value)
}

#[cfg(not(feature = "ssr"))]
fn known(_value: &str) -> bool {
    true
}

/// The IANA zone at a point (the zone a location gets when its owner has not chosen one).
#[cfg(feature = "ssr")]
pub fn at(lat: f64, lng: f64) -> String {
    if !lat.is_finite() || !lng.is_finite() {
        return FALLBACK.to_owned();
    }
    match finder().get_tz_name(lng, lat) {
        "" => FALLBACK.to_owned(),
        name => name.to_owned(),
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn zones_come_from_coordinates() {
        assert_eq!(at(52.0907, 5.1214), "Europe/Amsterdam");
        assert_eq!(at(37.9838, 23.7275), "Europe/Athens");
        assert_eq!(at(f64::NAN, 0.0), FALLBACK);
    }

    #[test]
    fn only_known_names_are_accepted() {
        assert_eq!(time_zone("Europe/Amsterdam"), Ok(()));
        assert_eq!(time_zone("America/Argentina/Buenos_Aires"), Ok(()));
        assert_eq!(time_zone("UTC"), Ok(()));
        for bad in ["", "Europe/Atlantis", "Europe/Amsterdam ", "/Europe", "<script>"] {
            assert!(time_zone(bad).is_err(), "{bad:?}");
        }
    }
}
