//! Nested relations fetched level by level before the fields resolve: one statement per relation
//! the query selects (the reference codes of all selected links share one), fed into the
//! request's DataLoader cache, where every field resolver then finds its value. Left to the
//! DataLoader alone, keys are gathered for a 1 ms window; a large page resolving slower than that
//! was split into several batches (67 statements instead of 9 for `locations(limit: 100)` in a
//! debug build), and every level waited out the window.
use super::errors::internal;
use super::loaders::{
    ConnectorsOf, Db, EvseCodes, EvsesOf, LoadError, LocationById, LocationCodes, OwnerById, PhotosOf,
};
use app::domain::views::{EvseRow, LocationRow};
use app::store::Link;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use async_graphql::futures_util::future::BoxFuture;
use async_graphql::{Context, Lookahead, Result};
use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;

/// The request's loader; its cache holds what was prefetched.
pub type RequestLoader = DataLoader<Db, HashMapCache>;

pub fn loader(store: app::store::Store) -> RequestLoader {
    DataLoader::with_cache(Db(store), tokio::spawn, HashMapCache::default())
}

/// Loads `keys` in one batch and caches the values for the field resolvers.
async fn fetch<K, V>(ctx: &Context<'_>, keys: Vec<K>) -> Result<HashMap<K, V>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
    Db: Loader<K, Value = V, Error = LoadError>,
{
    let loader = ctx.data_unchecked::<RequestLoader>();
    let values = loader.loader().load(&keys).await.map_err(|e| internal(e.as_ref()))?;
    loader.feed_many(values.clone()).await;
    Ok(values)
}

const LOCATION_LINKS: [(&str, Link); 3] = [
    ("facilities", Link::Facilities),
    ("parking_restrictions", Link::ParkingRestrictions),
    ("parking_types", Link::ParkingTypes),
];
const EVSE_LINKS: [(&str, Link); 2] = [("capabilities", Link::Capabilities), ("payment_types", Link::PaymentTypes)];

/// The links whose field `selection` asks for (their codes come in one statement).
fn selected(selection: &Lookahead<'_>, links: &[(&str, Link)]) -> Vec<Link> {
    links.iter().filter(|(field, _)| selection.field(field).exists()).map(|(_, link)| *link).collect()
}

/// What `selection` (a list of locations) asks for below `rows`.
pub fn locations<'a>(
    ctx: &'a Context<'_>,
    selection: Lookahead<'a>,
    rows: &'a [LocationRow],
) -> BoxFuture<'a, Result<()>> {
    Box::pin(async move {
        if rows.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        if selection.field("images").exists() {
            fetch(ctx, ids.iter().map(|id| PhotosOf(*id)).collect()).await?;
        }
        let links = selected(&selection, &LOCATION_LINKS);
        if !links.is_empty() {
            let keys = links.iter().flat_map(|link| ids.iter().map(|id| LocationCodes(*link, *id))).collect();
            fetch(ctx, keys).await?;
        }
        if selection.field("cpo_owner").exists() {
            let owners: BTreeSet<i64> = rows.iter().map(|r| r.cpo_owner_id).collect();
            fetch(ctx, owners.into_iter().map(OwnerById).collect()).await?;
        }
        let nested = selection.field("evses");
        if nested.exists() {
            let evses = fetch(ctx, ids.iter().map(|id| EvsesOf(*id)).collect()).await?;
            let rows: Vec<EvseRow> = evses.into_values().flatten().collect();
            self::evses(ctx, nested, &rows).await?;
        }
        Ok(())
    })
}

/// What `selection` (a list of EVSEs) asks for below `rows`.
pub fn evses<'a>(ctx: &'a Context<'_>, selection: Lookahead<'a>, rows: &'a [EvseRow]) -> BoxFuture<'a, Result<()>> {
    Box::pin(async move {
        if rows.is_empty() {
            return Ok(());
        }
        let uids: Vec<&String> = rows.iter().map(|r| &r.uid).collect();
        if selection.field("connectors").exists() {
            fetch(ctx, uids.iter().map(|uid| ConnectorsOf((*uid).clone())).collect()).await?;
        }
        let links = selected(&selection, &EVSE_LINKS);
        if !links.is_empty() {
            let keys = links.iter().flat_map(|link| uids.iter().map(|uid| EvseCodes(*link, (*uid).clone()))).collect();
            fetch(ctx, keys).await?;
        }
        let nested = selection.field("locations");
        if nested.exists() {
            let ids: BTreeSet<i64> = rows.iter().map(|r| r.cpo_location_id).collect();
            let locations = fetch(ctx, ids.into_iter().map(LocationById).collect()).await?;
            let rows: Vec<LocationRow> = locations.into_values().collect();
            self::locations(ctx, nested, &rows).await?;
        }
        Ok(())
    })
}
