//! GET list and objects of the Sender interface. The list is paged in creation order; its
//! `Link: rel="next"` carries the caller's filters plus an opaque cursor (the last id) so that a
//! deep page costs what the first does; a plain `offset` works too.
use super::mapping::{exposed_location, map_locations};
use super::routing::{answer_headers, audience, Audience};
use super::wire::{Connector, Evse, Location};
use crate::ocpi::auth::Registered;
use crate::ocpi::envelope::{ok, OcpiError};
use crate::ocpi::OcpiState;
use app::store::{HostedParty, OcpiFilter, PageStart};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::collections::HashMap;

/// Our largest page (`X-Limit`), also the default.
pub const MAX_LIMIT: i64 = 100;

fn number(params: &HashMap<String, String>, name: &str) -> Result<Option<i64>, OcpiError> {
    params
        .get(name)
        .map(|v| {
            v.parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| OcpiError::invalid(format!("{name}: not a whole number ≥ 0")))
        })
        .transpose()
}

/// An OCPI DateTime as a query parameter: UTC with or without `Z`, fractions allowed.
fn date_time(params: &HashMap<String, String>, name: &str) -> Result<Option<i64>, OcpiError> {
    let Some(text) = params.get(name) else { return Ok(None) };
    crate::ocpi::types::parse_date_time(text)
        .map(Some)
        .ok_or_else(|| OcpiError::invalid(format!("{name}: not an RFC 3339 DateTime, e.g. 2026-01-01T00:00:00Z")))
}

fn parties_by_owner(parties: Vec<HostedParty>) -> HashMap<i64, HostedParty> {
    parties.into_iter().map(|p| (p.owner_id, p)).collect()
}

fn with_headers(mut response: Response, headers: Vec<(&'static str, HeaderValue)>) -> Response {
    for (name, value) in headers {
        response.headers_mut().insert(name, value);
    }
    response
}

struct Addressed {
    parties: HashMap<i64, HostedParty>,
    owner: Option<i64>,
    from: Option<(String, String)>,
}

async fn addressed(state: &OcpiState, headers: &HeaderMap) -> Result<Addressed, OcpiError> {
    let parties = parties_by_owner(state.store.hosted_parties().await?);
    let platform = state.settings.party.as_ref();
    Ok(match audience(headers, &parties, platform)? {
        Audience::Party(party) => {
            let from = Some((party.country_code.clone(), party.party_id.clone()));
            Addressed { owner: Some(party.owner_id), parties, from }
        }
        Audience::Platform => Addressed { owner: None, parties, from: platform.cloned() },
    })
}

impl Addressed {
    fn answer_headers(&self, request: &HeaderMap) -> Vec<(&'static str, HeaderValue)> {
        answer_headers(request, self.from.as_ref().map(|(c, p)| (c.as_str(), p.as_str())))
    }
}

pub async fn list(
    State(state): State<OcpiState>,
    _caller: Registered,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, OcpiError> {
    let addressed = addressed(&state, &headers).await?;
    let filter = OcpiFilter {
        from: date_time(&params, "date_from")?,
        to: date_time(&params, "date_to")?,
        owner: addressed.owner,
    };
    let offset = number(&params, "offset")?.unwrap_or(0);
    let limit = number(&params, "limit")?.unwrap_or(MAX_LIMIT).clamp(1, MAX_LIMIT);
    let start = match number(&params, "cursor")? {
        Some(after) => PageStart::After(after),
        None => PageStart::Offset(offset),
    };
    // One more than the page tells whether another page exists.
    let (mut rows, total) = state.store.ocpi_locations(filter, start, limit + 1).await?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let last_id = rows.last().map(|row| row.id);
    let returned = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let locations = map_locations(&state.store, &state.settings.public_url, &addressed.parties, rows).await?;
    let mut answer = addressed.answer_headers(&headers);
    answer.push(("x-total-count", HeaderValue::from(total)));
    answer.push(("x-limit", HeaderValue::from(MAX_LIMIT)));
    if let (true, Some(last_id)) = (more, last_id) {
        let mut query: Vec<(&str, String)> = Vec::new();
        for name in ["date_from", "date_to"] {
            if let Some(value) = params.get(name) {
                query.push((name, value.clone()));
            }
        }
        query.push(("offset", (offset + returned).to_string()));
        query.push(("limit", limit.to_string()));
        query.push(("cursor", last_id.to_string()));
        let query = serde_urlencoded::to_string(&query).unwrap_or_default();
        let link = format!("<{}?{query}>; rel=\"next\"", state.url("/ocpi/2.2.1/cpo/locations"));
        if let Ok(link) = HeaderValue::from_str(&link) {
            answer.push(("link", link));
        }
    }
    Ok(with_headers(ok(locations), answer))
}

/// The exposed location `location_id` (addressed to its party or to the platform), mapped.
async fn find(state: &OcpiState, headers: &HeaderMap, location_id: &str) -> Result<(Location, Addressed), OcpiError> {
    let unknown = || OcpiError::not_found(format!("no location {location_id:?}"));
    let addressed = addressed(state, headers).await?;
    let id = location_id.parse::<i64>().map_err(|_| unknown())?;
    let location = exposed_location(&state.store, &state.settings.public_url, &addressed.parties, id)
        .await?
        .ok_or_else(unknown)?;
    let owner =
        addressed.parties.values().find(|p| p.country_code == location.country_code && p.party_id == location.party_id);
    if addressed.owner.is_some_and(|wanted| owner.is_none_or(|o| o.owner_id != wanted)) {
        return Err(unknown());
    }
    Ok((location, addressed))
}

fn answer(object: impl Serialize, addressed: &Addressed, headers: &HeaderMap) -> Response {
    with_headers(ok(object).into_response(), addressed.answer_headers(headers))
}

fn find_evse(location: Location, evse_uid: &str) -> Result<Evse, OcpiError> {
    location
        .evses
        .into_iter()
        .find(|e| e.uid.eq_ignore_ascii_case(evse_uid))
        .ok_or_else(|| OcpiError::not_found(format!("no EVSE {evse_uid:?} at this location")))
}

fn find_connector(evse: Evse, connector_id: &str) -> Result<Connector, OcpiError> {
    evse.connectors
        .into_iter()
        .find(|c| c.id.eq_ignore_ascii_case(connector_id))
        .ok_or_else(|| OcpiError::not_found(format!("no connector {connector_id:?} on this EVSE")))
}

pub async fn location(
    State(state): State<OcpiState>,
    _caller: Registered,
    headers: HeaderMap,
    Path(location_id): Path<String>,
) -> Result<Response, OcpiError> {
    let (location, addressed) = find(&state, &headers, &location_id).await?;
    Ok(answer(location, &addressed, &headers))
}

pub async fn evse(
    State(state): State<OcpiState>,
    _caller: Registered,
    headers: HeaderMap,
    Path((location_id, evse_uid)): Path<(String, String)>,
) -> Result<Response, OcpiError> {
    let (location, addressed) = find(&state, &headers, &location_id).await?;
    Ok(answer(find_evse(location, &evse_uid)?, &addressed, &headers))
}

pub async fn connector(
    State(state): State<OcpiState>,
    _caller: Registered,
    headers: HeaderMap,
    Path((location_id, evse_uid, connector_id)): Path<(String, String, String)>,
) -> Result<Response, OcpiError> {
    let (location, addressed) = find(&state, &headers, &location_id).await?;
    Ok(answer(find_connector(find_evse(location, &evse_uid)?, &connector_id)?, &addressed, &headers))
}
