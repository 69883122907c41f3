//! The contract's two queries, `evse` and `locations`, with their arguments as documented.
use super::errors::{bad_input, ServiceErrorWrapper};
use super::prefetch;
use super::types::{Evse, Location};
use crate::auth::Caller;
use app::clock::parse_rfc3339;
use app::store::{LocationFilter, Store, EVSE_ORDERS};
use async_graphql::{Context, Object, Result};

pub const DEFAULT_LIMIT: i32 = 10;
pub const MAX_LIMIT: i32 = 100;

/// Checked `(limit, offset)`: limit 0–100 (default 10), offset ≥ 0.
fn page(limit: Option<i32>, offset: Option<i32>) -> Result<(i64, i64)> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(0..=MAX_LIMIT).contains(&limit) {
        return Err(bad_input("limit", format!("must be between 0 and {MAX_LIMIT}")));
    }
    let offset = offset.unwrap_or(0);
    if offset < 0 {
        return Err(bad_input("offset", "must not be negative"));
    }
    Ok((i64::from(limit), i64::from(offset)))
}

/// The documented maximum length of each string argument (README, "Input limits").
pub const NAME_MAX: usize = 200;
const COUNTRY_CODE_MAX: usize = 3;
const TIME_MAX: usize = 64;
const KEYWORD_MAX: usize = 32;

/// A non-empty string argument within its maximum, or an error naming the argument.
fn bounded(field: &str, value: Option<String>, max: usize) -> Result<Option<String>> {
    match value {
        Some(v) if v.chars().count() > max => Err(bad_input(field, format!("must be at most {max} characters"))),
        other => Ok(other.filter(|v| !v.is_empty())),
    }
}

#[derive(Default)]
pub struct LocationQuery;

#[Object(rename_args = "snake_case")]
impl LocationQuery {
    /// EVSEs of visible locations. `location_name` matches part of the location name, ignoring
    /// case (`%`, `_` and quotes are literal); `order_by` is one of `location`, `evse_id`, `status`,
    /// `date_created`; `order` is `ASC` or `DESC`. Ties are broken by `uid`.
    async fn evse(
        &self,
        ctx: &Context<'_>,
        location_name: Option<String>,
        #[graphql(default_with = "String::from(\"location\")")] order_by: String,
        #[graphql(default_with = "String::from(\"ASC\")")] order: String,
        limit: Option<i32>,
        offset: Option<i32>,
    ) -> Result<Vec<Evse>> {
        let (limit, offset) = page(limit, offset)?;
        let location_name = bounded("location_name", location_name, NAME_MAX)?;
        let order_by = bounded("order_by", Some(order_by), KEYWORD_MAX)?.unwrap_or_default();
        let order = bounded("order", Some(order), KEYWORD_MAX)?.unwrap_or_default();
        if !EVSE_ORDERS.iter().any(|(key, _)| *key == order_by) {
            let allowed: Vec<&str> = EVSE_ORDERS.iter().map(|(key, _)| *key).collect();
            return Err(bad_input("order_by", format!("must be one of {}", allowed.join(", "))));
        }
        let descending = match order.to_ascii_uppercase().as_str() {
            "ASC" => false,
            "DESC" => true,
            _ => return Err(bad_input("order", "must be ASC or DESC")),
        };
        let store = ctx.data_unchecked::<Store>();
        let viewer = ctx.data_unchecked::<Caller>().viewer();
        let rows = store
            .evse_page(viewer, location_name.as_deref(), &order_by, descending, limit, offset)
            .await
            .map_err(ServiceErrorWrapper::from)?;
        prefetch::evses(ctx, ctx.look_ahead(), &rows).await?;
        Ok(rows.into_iter().map(Evse).collect())
    }

    /// Visible locations, oldest first. Filters: `name` (part of the name, ignoring case),
    /// `city` (exact, ignoring case), `country_code`, `modified_since` (RFC 3339).
    #[allow(clippy::too_many_arguments)] // each one is an argument of the GraphQL field
    async fn locations(
        &self,
        ctx: &Context<'_>,
        limit: Option<i32>,
        offset: Option<i32>,
        name: Option<String>,
        city: Option<String>,
        country_code: Option<String>,
        modified_since: Option<String>,
    ) -> Result<Vec<Location>> {
        let (limit, offset) = page(limit, offset)?;
        let modified_since_ms = match bounded("modified_since", modified_since, TIME_MAX)? {
            Some(text) => {
                Some(parse_rfc3339(&text).ok_or_else(|| bad_input("modified_since", "must be an RFC 3339 time"))?)
            }
            None => None,
        };
        let filter = LocationFilter {
            name: bounded("name", name, NAME_MAX)?,
            city: bounded("city", city, NAME_MAX)?,
            country_code: bounded("country_code", country_code, COUNTRY_CODE_MAX)?,
            modified_since_ms,
            ..LocationFilter::default()
        };
        let store = ctx.data_unchecked::<Store>();
        let viewer = ctx.data_unchecked::<Caller>().viewer();
        let rows = store.locations_page(viewer, &filter, limit, offset).await.map_err(ServiceErrorWrapper::from)?;
        prefetch::locations(ctx, ctx.look_ahead(), &rows).await?;
        Ok(rows.into_iter().map(Location).collect())
    }
}
