//! Reading locations, EVSEs and connectors for the APIs: one page query per root, then one batch
//! query per nested relation, so the statement count does not grow with the page size.
use super::sql::{Arg, Sql};
use super::{Store, StoreError};
use crate::domain::views::{CodeRow, ConnectorRow, EvseRow, LocationRow, OwnerRow};
use crate::uploads::StoredImage;
use sqlx::any::AnyRow;
use sqlx::Row;

/// Who is reading: decides which locations (and so which EVSEs) exist for the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// An API client: published locations only.
    Public,
    /// A CPO owner: published locations and its own unpublished ones.
    Owner(i64),
    /// A platform administrator: everything.
    Admin,
}

/// What the location readers add to a statement.
impl Sql {
    fn visible(&mut self, viewer: Viewer, alias: &str) -> &mut Self {
        match viewer {
            Viewer::Public => self.push(&format!("{alias}.publish = 1")),
            Viewer::Owner(id) => {
                self.push(&format!("({alias}.publish = 1 OR {alias}.cpo_owner_id = ")).bind(Arg::Int(id)).push(")")
            }
            Viewer::Admin => self.push("1 = 1"),
        }
    }

    /// `alias.name` contains `term`, ignoring case: narrowed through the bigram index, then checked.
    fn name_contains(&mut self, alias: &str, term: &str) -> &mut Self {
        // A cached PostgreSQL plan is generic: it cannot know whether this term's bigrams are rare
        // (start from the index) or common (start from the names); plan it with the values.
        self.one_off = true;
        for gram in super::name_index::search_grams(term) {
            self.push(&format!(" AND {alias}.id IN (SELECT location_id FROM location_name_grams WHERE gram = "))
                .bind(Arg::Text(gram))
                .push(")");
        }
        self.push(&format!(" AND LOWER({alias}.name) LIKE "))
            .bind(Arg::Text(contains_pattern(term)))
            .push(" ESCAPE '\\'")
    }

    /// ` AND alias.date_modified >= from_ms`, found through the index on `modified_minute`.
    pub(super) fn modified_from(&mut self, alias: &str, from_ms: i64) -> &mut Self {
        self.modified_bound(alias, ">=", ">=", from_ms)
    }

    /// ` AND alias.date_modified < to_ms`, found through the index on `modified_minute`.
    pub(super) fn modified_before(&mut self, alias: &str, to_ms: i64) -> &mut Self {
        self.modified_bound(alias, "<=", "<", to_ms)
    }

    /// The time bound `date_modified {time_op} ms`, after the same bound on the minute (inclusive:
    /// a time at the bound may share its minute) for the index to find the rows.
    fn modified_bound(&mut self, alias: &str, minute_op: &str, time_op: &str, ms: i64) -> &mut Self {
        self.push(&format!(" AND {alias}.modified_minute {minute_op} "))
            .bind(Arg::Int(minute_of(ms)))
            .push(&format!(" AND {alias}.date_modified {time_op} "))
            .bind(Arg::Int(ms))
    }
}

/// `locations.modified_minute` of a time, as the database computes it (migration 0015: the
/// integer quotient, truncated as Rust's `/` is). Monotonic, so a time bound on `date_modified`
/// gives the same bound on the minute.
fn minute_of(ms: i64) -> i64 {
    ms / 60_000
}

/// `%term%` for a case-insensitive substring match with `%`, `_` and `\` taken literally.
fn contains_pattern(term: &str) -> String {
    let mut out = String::from("%");
    for c in term.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

pub const LOCATION_COLUMNS: &str =
    "l.id, l.cpo_owner_id, l.name, l.address, l.address_lat, l.address_lng, l.city, l.region, \
     l.postal_code, l.country_code, l.publish, l.time_zone, l.date_created, l.date_modified";
const EVSE_COLUMNS: &str = "e.uid, e.evse_id, e.serial_number, e.meter_type, e.status, e.cpo_location_id, \
     e.current_ws_connection_id, e.server_id, e.date_created, e.date_modified";
const CONNECTOR_COLUMNS: &str = "c.id, c.evse_uid, c.connector_id, c.standard, c.format, c.power_type, c.max_voltage, \
     c.max_amperage, c.max_electric_power, c.connector_type, c.rate_setting, c.status, c.date_created, c.date_modified";

pub fn location_row(row: &AnyRow) -> Result<LocationRow, sqlx::Error> {
    Ok(LocationRow {
        id: row.try_get("id")?,
        cpo_owner_id: row.try_get("cpo_owner_id")?,
        name: row.try_get("name")?,
        address: row.try_get("address")?,
        address_lat: row.try_get("address_lat")?,
        address_lng: row.try_get("address_lng")?,
        city: row.try_get("city")?,
        region: row.try_get("region")?,
        postal_code: row.try_get("postal_code")?,
        country_code: row.try_get("country_code")?,
        publish: row.try_get::<i64, _>("publish")? != 0,
        time_zone: row.try_get::<Option<String>, _>("time_zone")?.unwrap_or_default(),
        date_created: row.try_get("date_created")?,
        date_modified: row.try_get("date_modified")?,
    })
}

fn evse_row(row: &AnyRow) -> Result<EvseRow, sqlx::Error> {
    Ok(EvseRow {
        uid: row.try_get("uid")?,
        evse_id: row.try_get("evse_id")?,
        serial_number: row.try_get("serial_number")?,
        meter_type: row.try_get("meter_type")?,
        status: row.try_get("status")?,
        cpo_location_id: row.try_get("cpo_location_id")?,
        current_ws_connection_id: row.try_get("current_ws_connection_id")?,
        server_id: row.try_get("server_id")?,
        date_created: row.try_get("date_created")?,
        date_modified: row.try_get("date_modified")?,
    })
}

fn connector_row(row: &AnyRow) -> Result<ConnectorRow, sqlx::Error> {
    Ok(ConnectorRow {
        id: row.try_get("id")?,
        evse_uid: row.try_get("evse_uid")?,
        connector_id: row.try_get("connector_id")?,
        standard: row.try_get("standard")?,
        format: row.try_get("format")?,
        power_type: row.try_get("power_type")?,
        max_voltage: row.try_get("max_voltage")?,
        max_amperage: row.try_get("max_amperage")?,
        max_electric_power: row.try_get("max_electric_power")?,
        connector_type: row.try_get("connector_type")?,
        rate_setting: row.try_get("rate_setting")?,
        status: row.try_get("status")?,
        date_created: row.try_get("date_created")?,
        date_modified: row.try_get("date_modified")?,
    })
}

fn all<T>(rows: &[AnyRow], convert: impl Fn(&AnyRow) -> Result<T, sqlx::Error>) -> Result<Vec<T>, StoreError> {
    rows.iter().map(convert).collect::<Result<_, _>>().map_err(Into::into)
}

/// Filters of the `locations` query.
#[derive(Debug, Clone, Default)]
pub struct LocationFilter {
    pub name: Option<String>,
    pub city: Option<String>,
    pub country_code: Option<String>,
    pub modified_since_ms: Option<i64>,
    /// Only this CPO owner's locations (the portal's "my locations").
    pub owner_id: Option<i64>,
    /// Locations with at least one connector of this standard.
    pub standard: Option<String>,
    /// Locations with at least one EVSE in this status.
    pub status: Option<String>,
    pub sort: LocationSort,
}

/// Orders of location lists; ties always fall back to the id so pages never overlap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LocationSort {
    /// Oldest first (the API's order).
    #[default]
    Created,
    Name,
    NameDescending,
    RecentlyModified,
}

impl LocationSort {
    pub fn parse(key: &str) -> Self {
        match key {
            "name" => LocationSort::Name,
            "-name" => LocationSort::NameDescending,
            "modified" => LocationSort::RecentlyModified,
            _ => LocationSort::Created,
        }
    }

    fn order_by(self) -> &'static str {
        match self {
            LocationSort::Created => "l.id",
            LocationSort::Name => "LOWER(l.name), l.id",
            LocationSort::NameDescending => "LOWER(l.name) DESC, l.id DESC",
            // By the minute of the last change, then newest location first: read from an index
            // (migration 0015). Exact times within the minute would sort every location changed
            // in it (after a bulk load 7 100 rows, 12 ms on PostgreSQL, for each page).
            LocationSort::RecentlyModified => "l.modified_minute DESC, l.id DESC",
        }
    }
}

/// Columns the `evse` query may sort by, named as in the API.
pub const EVSE_ORDERS: &[(&str, &str)] =
    &[("location", "l.name"), ("evse_id", "e.evse_id"), ("status", "e.status"), ("date_created", "e.date_created")];

/// Link tables from a location or an EVSE to a reference table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Link {
    Facilities,
    ParkingRestrictions,
    ParkingTypes,
    Capabilities,
    PaymentTypes,
}

impl Link {
    /// (link table, owner column, reference column, reference table)
    fn tables(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Link::Facilities => ("location_facilities", "location_id", "facility_id", "facilities"),
            Link::ParkingRestrictions => {
                ("location_parking_restrictions", "location_id", "parking_restriction_id", "parking_restrictions")
            }
            Link::ParkingTypes => ("location_parking_types", "location_id", "parking_type_id", "parking_types"),
            Link::Capabilities => ("evse_capabilities", "evse_uid", "capability_id", "capabilities"),
            Link::PaymentTypes => ("evse_payment_types", "evse_uid", "payment_type_id", "payment_types"),
        }
    }
}

impl Store {
    /// A page of locations visible to `viewer`, oldest first.
    pub async fn locations_page(
        &self,
        viewer: Viewer,
        filter: &LocationFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<LocationRow>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {LOCATION_COLUMNS} FROM locations l WHERE "));
        sql.visible(viewer, "l");
        if let Some(name) = &filter.name {
            sql.name_contains("l", name);
        }
        if let Some(city) = &filter.city {
            sql.push(" AND LOWER(l.city) = ").bind(Arg::Text(city.to_lowercase()));
        }
        if let Some(country) = &filter.country_code {
            sql.push(" AND l.country_code = ").bind(Arg::Text(country.to_uppercase()));
        }
        if let Some(since) = filter.modified_since_ms {
            sql.modified_from("l", since);
        }
        if let Some(owner) = filter.owner_id {
            sql.push(" AND l.cpo_owner_id = ").bind(Arg::Int(owner));
        }
        if let Some(standard) = &filter.standard {
            sql.push(" AND EXISTS (SELECT 1 FROM evses fe JOIN connectors fc ON fc.evse_uid = fe.uid WHERE fe.cpo_location_id = l.id AND fc.standard = ")
                .bind(Arg::Text(standard.clone()))
                .push(")");
        }
        if let Some(status) = &filter.status {
            sql.push(" AND EXISTS (SELECT 1 FROM evses se WHERE se.cpo_location_id = l.id AND se.status = ")
                .bind(Arg::Text(status.clone()))
                .push(")");
        }
        sql.push(&format!(" ORDER BY {} LIMIT ", filter.sort.order_by()))
            .bind(Arg::Int(limit))
            .push(" OFFSET ")
            .bind(Arg::Int(offset));
        all(&sql.fetch(self).await?, location_row)
    }

    /// A page of EVSEs whose location is visible to `viewer` and whose name contains `name`,
    /// sorted by `order_by` (a key of `EVSE_ORDERS`) and then by uid so pages never overlap.
    pub async fn evse_page(
        &self,
        viewer: Viewer,
        name: Option<&str>,
        order_by: &str,
        descending: bool,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<EvseRow>, StoreError> {
        let column =
            EVSE_ORDERS.iter().find(|(key, _)| *key == order_by).map(|(_, column)| *column).unwrap_or("l.name");
        let direction = if descending { "DESC" } else { "ASC" };
        let mut sql = Sql::new(&format!(
            "SELECT {EVSE_COLUMNS} FROM evses e JOIN locations l ON l.id = e.cpo_location_id WHERE "
        ));
        sql.visible(viewer, "l");
        if let Some(name) = name {
            sql.name_contains("l", name);
        }
        sql.push(&format!(" ORDER BY {column} {direction}, e.uid {direction} LIMIT "))
            .bind(Arg::Int(limit))
            .push(" OFFSET ")
            .bind(Arg::Int(offset));
        all(&sql.fetch(self).await?, evse_row)
    }

    /// One EVSE, if its location is visible to `viewer`.
    pub async fn visible_evse(&self, viewer: Viewer, uid: &str) -> Result<Option<EvseRow>, StoreError> {
        let mut sql = Sql::new(&format!(
            "SELECT {EVSE_COLUMNS} FROM evses e JOIN locations l ON l.id = e.cpo_location_id WHERE "
        ));
        sql.visible(viewer, "l").push(" AND e.uid = ").bind(Arg::Text(uid.to_owned()));
        Ok(all(&sql.fetch(self).await?, evse_row)?.pop())
    }

    pub async fn locations_by_ids(&self, ids: &[i64]) -> Result<Vec<LocationRow>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(&format!("SELECT {LOCATION_COLUMNS} FROM locations l WHERE l.id IN "));
        sql.bind_list(ids.iter().map(|id| Arg::Int(*id)));
        all(&sql.fetch(self).await?, location_row)
    }

    pub async fn evses_of_locations(&self, location_ids: &[i64]) -> Result<Vec<EvseRow>, StoreError> {
        if location_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(&format!("SELECT {EVSE_COLUMNS} FROM evses e WHERE e.cpo_location_id IN "));
        sql.bind_list(location_ids.iter().map(|id| Arg::Int(*id))).push(" ORDER BY e.evse_id");
        all(&sql.fetch(self).await?, evse_row)
    }

    pub async fn connectors_of_evses(&self, uids: &[String]) -> Result<Vec<ConnectorRow>, StoreError> {
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(&format!("SELECT {CONNECTOR_COLUMNS} FROM connectors c WHERE c.evse_uid IN "));
        sql.bind_list(uids.iter().map(|uid| Arg::Text(uid.clone()))).push(" ORDER BY c.evse_uid, c.connector_id");
        all(&sql.fetch(self).await?, connector_row)
    }

    /// `(location id, photo file)` of the given locations, oldest photo first.
    pub async fn photos_of_locations(&self, location_ids: &[i64]) -> Result<Vec<(i64, StoredImage)>, StoreError> {
        if location_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql =
            Sql::new("SELECT location_id, file_name, width, height FROM location_photos WHERE location_id IN ");
        sql.bind_list(location_ids.iter().map(|id| Arg::Int(*id))).push(" ORDER BY id");
        let rows = sql.fetch(self).await?;
        all(&rows, |r| {
            let image = StoredImage::from_columns(r.try_get("file_name")?, r.try_get("width")?, r.try_get("height")?);
            Ok((r.try_get("location_id")?, image))
        })
    }

    /// `(link, owner key, code)` of several link tables for location ids (`Int`) or EVSE uids
    /// (`Text`), in one statement (`UNION ALL`), codes of each link in id order.
    async fn linked_codes(&self, links: &[Link], keys: Vec<Arg>) -> Result<Vec<(Link, AnyRow, CodeRow)>, StoreError> {
        if keys.is_empty() || links.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::default();
        for (index, link) in links.iter().enumerate() {
            let (table, owner, reference, codes) = link.tables();
            if index > 0 {
                sql.push(" UNION ALL ");
            }
            sql.push(&format!(
                "SELECT CAST({index} AS BIGINT) AS link_index, k.{owner} AS owner_key, r.id, r.code, r.description \
                 FROM {table} k JOIN {codes} r ON r.id = k.{reference} WHERE k.{owner} IN "
            ))
            .bind_list(keys.clone());
        }
        sql.push(" ORDER BY link_index, id");
        let rows = sql.fetch(self).await?;
        rows.into_iter()
            .map(|row| {
                let index: i64 = row.try_get("link_index")?;
                let link = usize::try_from(index).ok().and_then(|i| links.get(i)).copied().unwrap_or(links[0]);
                let code = CodeRow {
                    id: row.try_get("id")?,
                    code: row.try_get("code")?,
                    description: row.try_get("description")?,
                };
                Ok((link, row, code))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Codes of `links` (location link tables) for the given locations.
    pub async fn codes_of_locations(
        &self,
        links: &[Link],
        location_ids: &[i64],
    ) -> Result<Vec<(Link, i64, CodeRow)>, StoreError> {
        let rows = self.linked_codes(links, location_ids.iter().map(|id| Arg::Int(*id)).collect()).await?;
        rows.into_iter()
            .map(|(link, row, code)| Ok((link, row.try_get("owner_key")?, code)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Codes of `links` (EVSE link tables) for the given EVSEs.
    pub async fn codes_of_evses(
        &self,
        links: &[Link],
        uids: &[String],
    ) -> Result<Vec<(Link, String, CodeRow)>, StoreError> {
        let rows = self.linked_codes(links, uids.iter().map(|uid| Arg::Text(uid.clone())).collect()).await?;
        rows.into_iter()
            .map(|(link, row, code)| Ok((link, row.try_get("owner_key")?, code)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }
}

impl Store {
    pub async fn owners_by_ids(&self, ids: &[i64]) -> Result<Vec<OwnerRow>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql =
            Sql::new("SELECT id, cpo_owner_name, logo, party_country_code, party_id FROM cpo_owners WHERE id IN ");
        sql.bind_list(ids.iter().map(|id| Arg::Int(*id)));
        let rows = sql.fetch(self).await?;
        all(&rows, |r| {
            Ok(OwnerRow {
                id: r.try_get("id")?,
                cpo_owner_name: r.try_get("cpo_owner_name")?,
                logo: r.try_get("logo")?,
                party_country_code: r.try_get("party_country_code")?,
                party_id: r.try_get("party_id")?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_wildcards_literally() {
        assert_eq!(contains_pattern("Fi"), "%fi%");
        assert_eq!(contains_pattern("100%_a\\b"), "%100\\%\\_a\\\\b%");
        assert_eq!(contains_pattern("' OR 1=1 --"), "%' or 1=1 --%");
    }

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut sql = Sql::new("SELECT 1 FROM locations l WHERE ");
        sql.visible(Viewer::Owner(7), "l").push(" AND l.id IN ").bind_list([Arg::Int(1), Arg::Int(2)]);
        assert_eq!(
            sql.text,
            "SELECT 1 FROM locations l WHERE (l.publish = 1 OR l.cpo_owner_id = $1) AND l.id IN ($2, $3)"
        );
    }
}
