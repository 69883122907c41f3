//! OCPI 2.2.1 wire types of the configuration modules (versions, credentials) and the classes
//! Locations shares with them (BusinessDetails, Image), with the 2.2.1 checks of what we receive.
use app::domain::ocpi_limits::IMAGE_SIDE;
use app::uploads::StoredImage;
use serde::{Deserialize, Serialize};

pub const VERSION: &str = "2.2.1";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Version {
    pub version: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Endpoint {
    pub identifier: String,
    pub role: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct VersionDetails {
    pub version: String,
    pub endpoints: Vec<Endpoint>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Image {
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub thumbnail: Option<String>,
    pub category: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub height: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BusinessDetails {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub logo: Option<Image>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CredentialsRole {
    pub role: String,
    pub business_details: BusinessDetails,
    pub party_id: String,
    pub country_code: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Credentials {
    pub token: String,
    pub url: String,
    pub roles: Vec<CredentialsRole>,
}

const ROLES: &[&str] = &["CPO", "EMSP", "HUB", "NAP", "NSP", "OTHER", "SCSP"];

/// Printable UTF-8 (no control characters) of at most `max` characters.
pub fn is_string(text: &str, max: usize) -> bool {
    text.chars().count() <= max && !text.chars().any(char::is_control)
}

/// A CiString: 1 to `max` printable ASCII characters.
pub fn is_ci_string(text: &str, max: usize) -> bool {
    !text.is_empty() && text.len() <= max && text.bytes().all(|b| (0x20..=0x7e).contains(&b))
}

/// A GeoLocation latitude (`integer_digits` 2) or longitude (3): `-?[0-9]{1,n}\.[0-9]{5,7}`.
pub fn is_coordinate(text: &str, integer_digits: usize) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    digits.split_once('.').is_some_and(|(int, frac)| {
        (1..=integer_digits).contains(&int.len())
            && (5..=7).contains(&frac.len())
            && int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    })
}

/// An OCPI DateTime as others send it: UTC with or without `Z`, fractions allowed.
pub fn parse_date_time(text: &str) -> Option<i64> {
    app::clock::parse_rfc3339(text).or_else(|| app::clock::parse_rfc3339(&format!("{text}Z")))
}

/// Printable ASCII of exactly `len` letters or digits (country codes, party ids).
fn is_code(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn is_url(text: &str) -> bool {
    is_string(text, 255) && (text.starts_with("http://") || text.starts_with("https://"))
}

impl Credentials {
    /// The 2.2.1 rules of a credentials object a peer sends; the error names the field.
    pub fn check(&self) -> Result<(), String> {
        if !super::auth::is_token(&self.token) {
            return Err("token: 1 to 64 printable ASCII characters without spaces".into());
        }
        if !is_url(&self.url) {
            return Err("url: an absolute http(s) URL of at most 255 characters".into());
        }
        if self.roles.is_empty() {
            return Err("roles: at least one role".into());
        }
        for (i, role) in self.roles.iter().enumerate() {
            if !ROLES.contains(&role.role.as_str()) {
                return Err(format!("roles[{i}].role: one of {}", ROLES.join(", ")));
            }
            if !is_code(&role.country_code, 2) {
                return Err(format!("roles[{i}].country_code: 2 letters"));
            }
            if !is_code(&role.party_id, 3) {
                return Err(format!("roles[{i}].party_id: 3 letters or digits"));
            }
            if role.business_details.name.is_empty() || !is_string(&role.business_details.name, 100) {
                return Err(format!("roles[{i}].business_details.name: 1 to 100 characters"));
            }
        }
        Ok(())
    }
}

/// An OCPI Image of a stored upload, or None when its type is not one OCPI names. Its size is
/// given when it was recorded at upload and fits OCPI's int(5).
pub fn image(public_url: &str, stored: &StoredImage, category: &str) -> Option<Image> {
    let extension = stored.file.rsplit_once('.')?.1.to_ascii_lowercase();
    let kind = match extension.as_str() {
        "png" => "png",
        "jpg" | "jpeg" => "jpeg",
        "gif" => "gif",
        "svg" => "svg",
        _ => return None,
    };
    let absolute =
        |relative: &str| format!("{}{}", public_url.trim_end_matches('/'), app::uploads::public_url(relative));
    let url = absolute(&stored.file);
    let thumbnail = absolute(&stored.thumbnail);
    let size = stored.size.filter(|&(w, h)| w <= IMAGE_SIDE && h <= IMAGE_SIDE);
    if !is_url(&url) || !is_url(&thumbnail) {
        return None;
    }
    Some(Image {
        url,
        thumbnail: Some(thumbnail),
        category: category.into(),
        kind: kind.into(),
        width: size.map(|(width, _)| width),
        height: size.map(|(_, height)| height),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials() -> Credentials {
        Credentials {
            token: "abc".into(),
            url: "https://peer.example/ocpi/versions".into(),
            roles: vec![CredentialsRole {
                role: "CPO".into(),
                business_details: BusinessDetails { name: "Peer".into(), website: None, logo: None },
                party_id: "PEE".into(),
                country_code: "NL".into(),
            }],
        }
    }

    #[test]
    fn credentials_are_checked_field_by_field() {
        assert_eq!(credentials().check(), Ok(()));
        let mut bad = credentials();
        bad.token = "has space".into();
        assert!(bad.check().unwrap_err().starts_with("token"));
        let mut bad = credentials();
        bad.roles[0].party_id = "TOOLONG".into();
        assert!(bad.check().unwrap_err().starts_with("roles[0].party_id"));
        let mut bad = credentials();
        bad.roles.clear();
        assert!(bad.check().unwrap_err().starts_with("roles"));
    }
}
