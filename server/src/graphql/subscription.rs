//! GraphQL subscriptions over WebSocket at `/graphql` (`graphql-transport-ws`, and the older
//! `graphql-ws`): `evseStatus` yields an EVSE each time its status, connection or readings
//! change, with the same visibility as queries. The token goes in `connection_init`'s payload
//! (`{"Authorization": "Bearer …"}`), since browsers cannot set headers on a WebSocket.
use super::types::Evse;
use crate::auth::Caller;
use crate::events::EvseEvents;
use app::store::Store;
use async_graphql::futures_util::stream::{self, Stream};
use async_graphql::{Context, Result, Subscription};
use tokio::sync::broadcast::error::RecvError;

#[derive(Default)]
pub struct SubscriptionRoot;

#[Subscription(rename_args = "snake_case")]
impl SubscriptionRoot {
    /// The EVSE (as the `evse` query shows it, with its connectors) whenever its status,
    /// connection or readings change; only at `location_id` when given.
    async fn evse_status(&self, ctx: &Context<'_>, location_id: Option<i64>) -> Result<impl Stream<Item = Evse>> {
        let viewer = ctx.data::<Caller>()?.viewer();
        let store = ctx.data::<Store>()?.clone();
        let changes = ctx.data::<EvseEvents>()?.subscribe();
        Ok(stream::unfold((changes, store), move |(mut changes, store)| async move {
            loop {
                let change = match changes.recv().await {
                    Ok(change) => change,
                    Err(RecvError::Lagged(skipped)) => {
                        tracing::warn!(skipped, "a subscriber fell behind; it gets the next changes");
                        continue;
                    }
                    Err(RecvError::Closed) => return None,
                };
                if location_id.is_some_and(|wanted| wanted != change.location_id) {
                    continue;
                }
                match store.visible_evse(viewer, &change.evse_uid).await {
                    Ok(Some(row)) => return Some((Evse(row), (changes, store))),
                    Ok(None) => {}
                    Err(e) => tracing::warn!(cause = %app::error::chain(&e), "subscription could not read an EVSE"),
                }
            }
        }))
    }
}
