//! Detail and summary views assembled from the batch queries (a fixed number of statements).
use super::read::{Link, LocationFilter, Viewer};
use super::{Store, StoreError};
use crate::domain::views::{EvseDetails, LocationDetails, LocationRow, LocationSummary, Operator};
use crate::uploads::{public_url, thumbnail_name};
use std::collections::HashMap;

impl Store {
    /// The location `id` if `viewer` may see it, with photos, codes, EVSEs and connectors.
    pub async fn location_details(&self, viewer: Viewer, id: i64) -> Result<Option<LocationDetails>, StoreError> {
        let Some(location) = self.locations_by_ids(&[id]).await?.pop() else { return Ok(None) };
        let visible = match viewer {
            Viewer::Public => location.publish,
            Viewer::Owner(owner) => location.publish || location.cpo_owner_id == owner,
            Viewer::Admin => true,
        };
        if !visible {
            return Ok(None);
        }
        let photos = self.photos_of_locations(&[id]).await?;
        let operator = self.owners_by_ids(&[location.cpo_owner_id]).await?.pop().map(|owner| Operator {
            logo_thumbnail_url: owner.logo.as_deref().map(|file| public_url(&thumbnail_name(file))),
            name: owner.cpo_owner_name,
        });
        let location_links = [Link::Facilities, Link::ParkingRestrictions, Link::ParkingTypes];
        let mut codes = group(self.codes_of_locations(&location_links, &[id]).await?, |(link, _, _)| *link);
        let mut take = |link| codes.remove(&link).unwrap_or_default().into_iter().map(|(_, _, c)| c).collect();
        let (facilities, parking_restrictions, parking_types) =
            (take(Link::Facilities), take(Link::ParkingRestrictions), take(Link::ParkingTypes));
        let evses = self.evses_of_locations(&[id]).await?;
        let uids: Vec<String> = evses.iter().map(|e| e.uid.clone()).collect();
        let mut connectors = group(self.connectors_of_evses(&uids).await?, |c| c.evse_uid.clone());
        let evse_codes = self.codes_of_evses(&[Link::Capabilities, Link::PaymentTypes], &uids).await?;
        let (capabilities, payment_types): (Vec<_>, Vec<_>) =
            evse_codes.into_iter().partition(|(link, _, _)| *link == Link::Capabilities);
        let mut capabilities = group(capabilities, |(_, uid, _)| uid.clone());
        let mut payment_types = group(payment_types, |(_, uid, _)| uid.clone());
        let evses = evses
            .into_iter()
            .map(|evse| EvseDetails {
                connectors: connectors.remove(&evse.uid).unwrap_or_default(),
                capabilities: capabilities
                    .remove(&evse.uid)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(_, _, c)| c)
                    .collect(),
                payment_types: payment_types
                    .remove(&evse.uid)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(_, _, c)| c)
                    .collect(),
                evse,
            })
            .collect();
        Ok(Some(LocationDetails {
            location,
            photos: photos.into_iter().map(|(_, photo)| (photo.url(), public_url(&photo.thumbnail))).collect(),
            facilities,
            parking_restrictions,
            parking_types,
            evses,
            operator,
        }))
    }

    /// A page of location summaries for the browser and the owner's list.
    pub async fn location_summaries(
        &self,
        viewer: Viewer,
        filter: &LocationFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<LocationSummary>, StoreError> {
        let locations: Vec<LocationRow> = self.locations_page(viewer, filter, limit, offset).await?;
        let ids: Vec<i64> = locations.iter().map(|l| l.id).collect();
        let evses = self.evses_of_locations(&ids).await?;
        let uids: Vec<String> = evses.iter().map(|e| e.uid.clone()).collect();
        let connectors = self.connectors_of_evses(&uids).await?;
        let mut photos = group(self.photos_of_locations(&ids).await?, |(id, _)| *id);
        let location_of: HashMap<&str, i64> = evses.iter().map(|e| (e.uid.as_str(), e.cpo_location_id)).collect();
        let mut standards: HashMap<i64, Vec<String>> = HashMap::new();
        for connector in &connectors {
            if let Some(location) = location_of.get(connector.evse_uid.as_str()) {
                standards.entry(*location).or_default().push(connector.standard.clone());
            }
        }
        Ok(locations
            .into_iter()
            .map(|location| {
                let own: Vec<_> = evses.iter().filter(|e| e.cpo_location_id == location.id).collect();
                let mut kinds = standards.remove(&location.id).unwrap_or_default();
                kinds.sort();
                kinds.dedup();
                LocationSummary {
                    evse_count: own.len(),
                    available: own.iter().filter(|e| e.status == "AVAILABLE").count(),
                    known: own.iter().filter(|e| e.status != "UNKNOWN").count(),
                    standards: kinds,
                    thumbnail: photos
                        .remove(&location.id)
                        .and_then(|p| p.into_iter().next())
                        .map(|(_, photo)| public_url(&photo.thumbnail)),
                    location,
                }
            })
            .collect())
    }
}

fn group<K: std::hash::Hash + Eq, V>(items: Vec<V>, key: impl Fn(&V) -> K) -> HashMap<K, Vec<V>> {
    let mut map: HashMap<K, Vec<V>> = HashMap::new();
    for item in items {
        map.entry(key(&item)).or_default().push(item);
    }
    map
}
