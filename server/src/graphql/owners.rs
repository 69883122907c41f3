//! The caller's own CPO owner record: its OCPI party.
use super::errors::{service, ServiceErrorWrapper};
use super::mutation::owner;
use super::types::CpoOwner;
use app::error::ServiceError;
use async_graphql::{Context, InputObject, Object, Result};

#[derive(InputObject)]
#[graphql(rename_fields = "snake_case")]
pub struct CpoOwnerInput {
    /// ISO 3166-1 alpha-2 of the OCPI party, e.g. NL (stored upper-case).
    party_country_code: Option<String>,
    /// The OCPI party id: three letters or digits (stored upper-case). Both null or empty: no party.
    party_id: Option<String>,
}

#[derive(Default)]
pub struct OwnerMutation;

#[Object(rename_args = "snake_case")]
impl OwnerMutation {
    /// Sets the caller's OCPI party; until it has one, none of its locations is roamed.
    async fn update_cpo_owner(&self, ctx: &Context<'_>, input: CpoOwnerInput) -> Result<CpoOwner> {
        let (store, owner) = owner(ctx)?;
        let (country, party) = (input.party_country_code.unwrap_or_default(), input.party_id.unwrap_or_default());
        app::services::parties::set_party(store, owner, &country, &party).await.map_err(service)?;
        let mut rows = store.owners_by_ids(&[owner]).await.map_err(ServiceErrorWrapper::from)?;
        rows.pop().map(CpoOwner).ok_or_else(|| service(ServiceError::NotFound("CPO owner not found".into())))
    }
}
