//! The OCPI 2.2.1 lengths of the fields we send roaming partners. Our own limits are wider
//! (`TEXT_MAX`), so a longer value is cut at a character boundary on output; the portal shows
//! the owner which fields will be cut, from these same numbers.

pub const LOCATION_NAME: usize = 255;
pub const ADDRESS: usize = 45;
pub const CITY: usize = 45;
pub const POSTAL_CODE: usize = 10;
/// OCPI `state`, our `region`.
pub const STATE: usize = 20;
pub const OPERATOR_NAME: usize = 100;
pub const EVSE_UID: usize = 36;
pub const EVSE_ID: usize = 48;
pub const CONNECTOR_ID: usize = 36;
/// Image `width` and `height` are int(5).
pub const IMAGE_SIDE: u32 = 99_999;

/// The OCPI length of a portal form field, by the field's name.
pub fn limit_of(field: &str) -> Option<usize> {
    Some(match field {
        "name" => LOCATION_NAME,
        "address" => ADDRESS,
        "city" => CITY,
        "postal_code" => POSTAL_CODE,
        "region" => STATE,
        "cpo_owner_name" => OPERATOR_NAME,
        "evse_id" => EVSE_ID,
        "connector_id" => CONNECTOR_ID,
        _ => return None,
    })
}

/// What the owner is told when `value` of `field` is longer than roaming partners accept.
pub fn cut_warning(field: &str, value: &str) -> Option<String> {
    let max = limit_of(field)?;
    (value.trim().chars().count() > max)
        .then(|| format!("Roaming partners (OCPI) will see only the first {max} characters."))
}

/// `text` cut to at most `max` characters at a character boundary.
pub fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_at_character_boundaries_and_warned_about() {
        assert_eq!(cut("Dorpsstraße", 10), "Dorpsstraß");
        assert_eq!(cut("é", 5), "é");
        assert_eq!(cut_warning("postal_code", "1234 AB"), None);
        assert_eq!(
            cut_warning("postal_code", "12345678901").as_deref(),
            Some("Roaming partners (OCPI) will see only the first 10 characters.")
        );
        assert_eq!(cut_warning("address", &"ß".repeat(45)), None);
        assert!(cut_warning("address", &"ß".repeat(46)).is_some());
        assert_eq!(cut_warning("country_code", &"x".repeat(300)), None);
    }
}
