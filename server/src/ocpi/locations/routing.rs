//! The routing headers of functional modules on a platform that hosts many parties: a request
//! addressed (`OCPI-to-*`) to one of our CPO parties is answered for that party only, and every
//! answer names who it is from and to.
use super::super::envelope::OcpiError;
use app::store::HostedParty;
use axum::http::{HeaderMap, HeaderValue};
use std::collections::HashMap;

/// Who a request is for.
pub enum Audience {
    /// One hosted CPO party.
    Party(HostedParty),
    /// The platform as a whole (no `OCPI-to-*`, or our own eMSP party).
    Platform,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

/// Reads `OCPI-to-*`; a party that is neither hosted here nor ours is refused (2001).
pub fn audience(
    headers: &HeaderMap,
    parties: &HashMap<i64, HostedParty>,
    platform: Option<&(String, String)>,
) -> Result<Audience, OcpiError> {
    let (Some(country), Some(party)) = (header(headers, "ocpi-to-country-code"), header(headers, "ocpi-to-party-id"))
    else {
        return Ok(Audience::Platform);
    };
    if platform.is_some_and(|(c, p)| c.eq_ignore_ascii_case(country) && p.eq_ignore_ascii_case(party)) {
        return Ok(Audience::Platform);
    }
    parties
        .values()
        .find(|p| p.country_code.eq_ignore_ascii_case(country) && p.party_id.eq_ignore_ascii_case(party))
        .map(|p| Audience::Party(p.clone()))
        .ok_or_else(|| {
            OcpiError::invalid(format!("OCPI-to-* names {country}-{party}, which is no party of this platform"))
        })
}

/// `OCPI-from-*` = the party answering, `OCPI-to-*` = the caller's party as its request named it.
pub fn answer_headers(request: &HeaderMap, from: Option<(&str, &str)>) -> Vec<(&'static str, HeaderValue)> {
    let mut out = Vec::new();
    let mut add = |name: &'static str, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            out.push((name, value));
        }
    };
    if let Some((country, party)) = from {
        add("ocpi-from-country-code", country);
        add("ocpi-from-party-id", party);
    }
    if let (Some(country), Some(party)) =
        (header(request, "ocpi-from-country-code"), header(request, "ocpi-from-party-id"))
    {
        add("ocpi-to-country-code", country);
        add("ocpi-to-party-id", party);
    }
    out
}
