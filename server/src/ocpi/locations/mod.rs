//! The Locations module: Sender (`/ocpi/2.2.1/cpo/locations`) for every hosted CPO party, and
//! Receiver (`/ocpi/2.2.1/emsp/locations`) for partner CPOs.
mod mapping;
mod receive;
mod receiver;
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
        .route(
            "/ocpi/2.2.1/emsp/locations/{country_code}/{party_id}/{location_id}",
            get(receiver::get_location)
                .put(receiver::put_location)
                .patch(receiver::patch_location)
                .fallback(receiver::not_allowed),
        )
        .route(
            "/ocpi/2.2.1/emsp/locations/{country_code}/{party_id}/{location_id}/{evse_uid}",
            get(receiver::get_evse).put(receiver::put_evse).patch(receiver::patch_evse).fallback(receiver::not_allowed),
        )
        .route(
            "/ocpi/2.2.1/emsp/locations/{country_code}/{party_id}/{location_id}/{evse_uid}/{connector_id}",
            get(receiver::get_connector)
                .put(receiver::put_connector)
                .patch(receiver::patch_connector)
                .fallback(receiver::not_allowed),
        )
}
