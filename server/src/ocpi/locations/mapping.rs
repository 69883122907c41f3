//! Our locations as OCPI 2.2.1 objects (the same mapping for pulls and pushes). Values longer
//! than a 2.2.1 limit are cut at a character boundary; `parking_type` is the first of the
//! location's parking types in the 2.2.1 list order; EVSEs take the location's parking
//! restrictions; a connector's `last_updated` moves its EVSE's.
use super::super::types::{image, BusinessDetails};
use super::wire::{Connector, Evse, GeoLocation, Location};
use app::clock::rfc3339;
use app::domain::ocpi_limits::{self as limit, cut};
use app::domain::views::{ConnectorRow, EvseRow, LocationRow};
use app::store::{HostedParty, Link, Store, StoreError};
use app::uploads::StoredImage;
use std::collections::HashMap;

/// ISO 3166-1 alpha-3 of an alpha-2 code (None for a code the standard does not list).
pub fn alpha3(alpha2: &str) -> Option<&'static str> {
    celes::Country::from_alpha2(alpha2).ok().map(|c| c.alpha3)
}

/// ISO 3166-1 alpha-2 of an alpha-3 code (None for a code the standard does not list).
pub fn alpha2(alpha3: &str) -> Option<&'static str> {
    celes::Country::from_alpha3(alpha3).ok().map(|c| c.alpha2)
}

fn coordinate(value: f64) -> String {
    format!("{value:.6}")
}

/// Maps `rows` (one page) with a fixed number of batch reads.
pub async fn map_locations(
    store: &Store,
    public_url: &str,
    parties: &HashMap<i64, HostedParty>,
    rows: Vec<LocationRow>,
) -> Result<Vec<Location>, StoreError> {
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let evses = store.evses_of_locations(&ids).await?;
    let uids: Vec<String> = evses.iter().map(|e| e.uid.clone()).collect();
    let mut connectors: HashMap<String, Vec<ConnectorRow>> = HashMap::new();
    for connector in store.connectors_of_evses(&uids).await? {
        connectors.entry(connector.evse_uid.clone()).or_default().push(connector);
    }
    let mut codes: HashMap<(Link, i64), Vec<(i64, String)>> = HashMap::new();
    let links = [Link::Facilities, Link::ParkingTypes, Link::ParkingRestrictions];
    for (link, id, code) in store.codes_of_locations(&links, &ids).await? {
        codes.entry((link, id)).or_default().push((code.id, code.code));
    }
    let mut capabilities: HashMap<String, Vec<String>> = HashMap::new();
    for (_, uid, code) in store.codes_of_evses(&[Link::Capabilities], &uids).await? {
        capabilities.entry(uid).or_default().push(code.code);
    }
    let mut photos: HashMap<i64, Vec<StoredImage>> = HashMap::new();
    for (id, photo) in store.photos_of_locations(&ids).await? {
        photos.entry(id).or_default().push(photo);
    }
    let mut evses_of: HashMap<i64, Vec<EvseRow>> = HashMap::new();
    for evse in evses {
        evses_of.entry(evse.cpo_location_id).or_default().push(evse);
    }
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(party) = parties.get(&row.cpo_owner_id) else { continue };
        let id = row.id;
        let mut sorted = |link| {
            let mut list = codes.remove(&(link, id)).unwrap_or_default();
            list.sort();
            list.into_iter().map(|(_, code)| code).collect::<Vec<_>>()
        };
        let (facilities, parking_types, restrictions) =
            (sorted(Link::Facilities), sorted(Link::ParkingTypes), sorted(Link::ParkingRestrictions));
        let evses = evses_of
            .remove(&id)
            .unwrap_or_default()
            .into_iter()
            .map(|evse| {
                let connectors = connectors.remove(&evse.uid).unwrap_or_default();
                let capabilities = capabilities.remove(&evse.uid).unwrap_or_default();
                map_evse(&evse, &connectors, capabilities, &restrictions)
            })
            .collect();
        let images = photos
            .remove(&id)
            .unwrap_or_default()
            .iter()
            .filter_map(|photo| image(public_url, photo, "LOCATION"))
            .collect();
        out.push(Location {
            country_code: party.country_code.clone(),
            party_id: party.party_id.clone(),
            id: id.to_string(),
            publish: true,
            name: cut(&row.name, limit::LOCATION_NAME),
            address: cut(&row.address, limit::ADDRESS),
            city: cut(&row.city, limit::CITY),
            postal_code: row.postal_code.as_deref().filter(|p| !p.is_empty()).map(|p| cut(p, limit::POSTAL_CODE)),
            state: row.region.as_deref().filter(|r| !r.is_empty()).map(|r| cut(r, limit::STATE)),
            country: alpha3(&row.country_code).unwrap_or("ZZZ").to_owned(),
            coordinates: GeoLocation { latitude: coordinate(row.address_lat), longitude: coordinate(row.address_lng) },
            parking_type: parking_types.into_iter().next(),
            evses,
            operator: BusinessDetails {
                name: cut(&party.name, limit::OPERATOR_NAME),
                website: None,
                logo: party.logo.as_ref().and_then(|logo| image(public_url, logo, "OPERATOR")),
            },
            facilities,
            time_zone: row.time_zone.clone(),
            images,
            last_updated: rfc3339(row.date_modified),
        });
    }
    Ok(out)
}

/// The exposed location `id` as OCPI (None when it is not exposed: unknown, unpublished, or of an
/// owner without a party).
pub async fn exposed_location(
    store: &Store,
    public_url: &str,
    parties: &HashMap<i64, HostedParty>,
    id: i64,
) -> Result<Option<Location>, StoreError> {
    let Some(row) = store.ocpi_location(id).await? else { return Ok(None) };
    Ok(map_locations(store, public_url, parties, vec![row]).await?.pop())
}

fn map_evse(evse: &EvseRow, connectors: &[ConnectorRow], capabilities: Vec<String>, restrictions: &[String]) -> Evse {
    let last_updated = connectors.iter().map(|c| c.date_modified).fold(evse.date_modified, i64::max);
    Evse {
        uid: cut(&evse.uid, limit::EVSE_UID),
        evse_id: cut(&evse.evse_id, limit::EVSE_ID),
        status: evse.status.clone(),
        capabilities,
        connectors: connectors.iter().map(map_connector).collect(),
        parking_restrictions: restrictions.to_vec(),
        last_updated: rfc3339(last_updated),
    }
}

fn map_connector(connector: &ConnectorRow) -> Connector {
    Connector {
        id: cut(&connector.connector_id, limit::CONNECTOR_ID),
        standard: connector.standard.clone(),
        format: connector.format.clone(),
        power_type: connector.power_type.clone(),
        max_voltage: connector.max_voltage,
        max_amperage: connector.max_amperage,
        max_electric_power: connector.max_electric_power,
        last_updated: rfc3339(connector.date_modified),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_get_their_country() {
        assert_eq!(alpha3("NL"), Some("NLD"));
        assert_eq!(alpha3("DE"), Some("DEU"));
        assert_eq!(alpha3("XX"), None);
        assert_eq!(alpha2("NLD"), Some("NL"));
        assert_eq!(coordinate(52.09073), "52.090730");
        assert_eq!(coordinate(-5.5), "-5.500000");
    }
}
