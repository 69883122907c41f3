//! Batch loaders: one statement per relation for any number of keys. The query roots call them
//! for a whole page ahead of the fields (prefetch.rs); fields the prefetch does not cover (e.g.
//! in mutation results) go through async-graphql's DataLoader, which gathers keys per level.
use app::domain::views::{CodeRow, ConnectorRow, EvseRow, LocationRow, OwnerRow};
use app::store::{Link, Store, StoreError};
use async_graphql::dataloader::Loader;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

pub struct Db(pub Store);

/// Loader errors must be `Clone`; the cause is logged where the error is turned into a response.
pub type LoadError = Arc<StoreError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LocationById(pub i64);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OwnerById(pub i64);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PhotosOf(pub i64);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EvsesOf(pub i64);
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConnectorsOf(pub String);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LocationCodes(pub Link, pub i64);
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EvseCodes(pub Link, pub String);

/// Groups `(key, value)` pairs into lists per key, every requested key present.
fn grouped<K: Eq + Hash + Clone, V>(keys: &[K], pairs: impl IntoIterator<Item = (K, V)>) -> HashMap<K, Vec<V>> {
    let mut map: HashMap<K, Vec<V>> = keys.iter().map(|k| (k.clone(), Vec::new())).collect();
    for (key, value) in pairs {
        map.entry(key).or_default().push(value);
    }
    map
}

impl Loader<LocationById> for Db {
    type Value = LocationRow;
    type Error = LoadError;

    async fn load(&self, keys: &[LocationById]) -> Result<HashMap<LocationById, LocationRow>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        Ok(self.0.locations_by_ids(&ids).await?.into_iter().map(|row| (LocationById(row.id), row)).collect())
    }
}

impl Loader<OwnerById> for Db {
    type Value = OwnerRow;
    type Error = LoadError;

    async fn load(&self, keys: &[OwnerById]) -> Result<HashMap<OwnerById, OwnerRow>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        Ok(self.0.owners_by_ids(&ids).await?.into_iter().map(|row| (OwnerById(row.id), row)).collect())
    }
}

impl Loader<PhotosOf> for Db {
    type Value = Vec<String>;
    type Error = LoadError;

    async fn load(&self, keys: &[PhotosOf]) -> Result<HashMap<PhotosOf, Vec<String>>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let photos = self.0.photos_of_locations(&ids).await?;
        Ok(grouped(keys, photos.into_iter().map(|(id, photo)| (PhotosOf(id), photo.url()))))
    }
}

impl Loader<EvsesOf> for Db {
    type Value = Vec<EvseRow>;
    type Error = LoadError;

    async fn load(&self, keys: &[EvsesOf]) -> Result<HashMap<EvsesOf, Vec<EvseRow>>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let evses = self.0.evses_of_locations(&ids).await?;
        Ok(grouped(keys, evses.into_iter().map(|e| (EvsesOf(e.cpo_location_id), e))))
    }
}

impl Loader<ConnectorsOf> for Db {
    type Value = Vec<ConnectorRow>;
    type Error = LoadError;

    async fn load(&self, keys: &[ConnectorsOf]) -> Result<HashMap<ConnectorsOf, Vec<ConnectorRow>>, LoadError> {
        let uids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let connectors = self.0.connectors_of_evses(&uids).await?;
        Ok(grouped(keys, connectors.into_iter().map(|c| (ConnectorsOf(c.evse_uid.clone()), c))))
    }
}

/// Each value once, in order.
fn distinct<T: Ord>(values: impl Iterator<Item = T>) -> Vec<T> {
    values.collect::<std::collections::BTreeSet<T>>().into_iter().collect()
}

/// The kinds of link present among the keys (all fetched in one statement).
fn links<K>(keys: &[K], link_of: impl Fn(&K) -> Link) -> Vec<Link> {
    let mut links: Vec<Link> = keys.iter().map(link_of).collect();
    links.sort_by_key(|l| *l as u8);
    links.dedup();
    links
}

impl Loader<LocationCodes> for Db {
    type Value = Vec<CodeRow>;
    type Error = LoadError;

    async fn load(&self, keys: &[LocationCodes]) -> Result<HashMap<LocationCodes, Vec<CodeRow>>, LoadError> {
        let ids = distinct(keys.iter().map(|k| k.1));
        let codes = self.0.codes_of_locations(&links(keys, |k| k.0), &ids).await?;
        let pairs = codes.into_iter().map(|(link, id, code)| (LocationCodes(link, id), code));
        // Pairs of links × owners nobody asked for are still right, so they may be cached too.
        Ok(grouped(keys, pairs))
    }
}

impl Loader<EvseCodes> for Db {
    type Value = Vec<CodeRow>;
    type Error = LoadError;

    async fn load(&self, keys: &[EvseCodes]) -> Result<HashMap<EvseCodes, Vec<CodeRow>>, LoadError> {
        let uids = distinct(keys.iter().map(|k| k.1.clone()));
        let codes = self.0.codes_of_evses(&links(keys, |k| k.0), &uids).await?;
        let pairs = codes.into_iter().map(|(link, uid, code)| (EvseCodes(link, uid), code));
        // Pairs of links × owners nobody asked for are still right, so they may be cached too.
        Ok(grouped(keys, pairs))
    }
}
