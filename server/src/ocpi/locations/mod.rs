//! The Locations module as Sender (`/ocpi/2.2.1/cpo/locations`) for every hosted CPO party.
mod mapping;
mod routing;
mod sender;
pub mod wire;

use super::OcpiState;
use axum::extract::FromRef;
use axum::routing::get;
use axum::Router;

pub use mapping::exposed_location;

pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    OcpiState: FromRef<S>,
{
    Router::new()
        .route("/ocpi/2.2.1/cpo/locations", get(sender::list))
        .route("/ocpi/2.2.1/cpo/locations/{location_id}", get(sender::location))
        .route("/ocpi/2.2.1/cpo/locations/{location_id}/{evse_uid}", get(sender::evse))
        .route("/ocpi/2.2.1/cpo/locations/{location_id}/{evse_uid}/{connector_id}", get(sender::connector))
}
