//! The locations OCPI exposes as Sender: published locations of hosted CPO owners with a party,
//! in creation order (by id), so that a location changed during a crawl does not shift the
//! pages after it. A page may start after an id (keyset) instead of at an offset.
use super::read::{location_row, LOCATION_COLUMNS};
use super::sql::{Arg, Sql};
use super::{Store, StoreError};
use crate::domain::views::LocationRow;
use sqlx::Row;

/// Which exposed locations: `last_updated` from (inclusive) and to (exclusive), in ms, and
/// optionally one owner's only (a request addressed to that party).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OcpiFilter {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub owner: Option<i64>,
}

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStart {
    Offset(i64),
    /// After this location id (the cursor of a `Link: rel="next"`).
    After(i64),
}

const EXPOSED: &str = "l.publish = 1 AND l.cpo_owner_id IN \
     (SELECT id FROM cpo_owners WHERE party_id IS NOT NULL AND roaming_partner = 0)";

fn filtered(select: &str, filter: OcpiFilter) -> Sql {
    let mut sql = Sql::new(&format!("{select} FROM locations l WHERE {EXPOSED}"));
    if let Some(from) = filter.from {
        sql.modified_from("l", from);
    }
    if let Some(to) = filter.to {
        sql.modified_before("l", to);
    }
    if let Some(owner) = filter.owner {
        sql.push(" AND l.cpo_owner_id = ").bind(Arg::Int(owner));
    }
    sql
}

impl Store {
    /// One page and the number of all matches.
    pub async fn ocpi_locations(
        &self,
        filter: OcpiFilter,
        start: PageStart,
        limit: i64,
    ) -> Result<(Vec<LocationRow>, i64), StoreError> {
        let mut sql = filtered(&format!("SELECT {LOCATION_COLUMNS}"), filter);
        match start {
            PageStart::After(id) => {
                sql.push(" AND l.id > ").bind(Arg::Int(id)).push(" ORDER BY l.id LIMIT ").bind(Arg::Int(limit));
            }
            PageStart::Offset(offset) => {
                sql.push(" ORDER BY l.id LIMIT ").bind(Arg::Int(limit)).push(" OFFSET ").bind(Arg::Int(offset));
            }
        }
        let page = sql.fetch(self).await?.iter().map(location_row).collect::<Result<Vec<_>, _>>()?;
        let total: i64 = filtered("SELECT COUNT(*) AS total", filter)
            .fetch(self)
            .await?
            .first()
            .map_or(Ok(0), |row| row.try_get("total"))?;
        Ok((page, total))
    }

    /// One exposed location.
    pub async fn ocpi_location(&self, id: i64) -> Result<Option<LocationRow>, StoreError> {
        let mut sql = filtered(&format!("SELECT {LOCATION_COLUMNS}"), OcpiFilter::default());
        sql.push(" AND l.id = ").bind(Arg::Int(id));
        Ok(sql.fetch(self).await?.first().map(location_row).transpose()?)
    }
}
