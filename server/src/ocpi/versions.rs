//! The versions module: the versions we speak and the 2.2.1 endpoints we offer. Any live token,
//! TOKEN_A included, may read both.
use super::auth::AnyToken;
use super::envelope::ok;
use super::types::{Endpoint, Version, VersionDetails, VERSION};
use super::OcpiState;
use axum::extract::State;
use axum::response::Response;

pub async fn versions(State(state): State<OcpiState>, _caller: AnyToken) -> Response {
    ok([Version { version: VERSION.into(), url: state.url(&format!("/ocpi/{VERSION}")) }])
}

pub async fn details(State(state): State<OcpiState>, _caller: AnyToken) -> Response {
    ok(our_details(&state))
}

pub fn our_details(state: &OcpiState) -> VersionDetails {
    let endpoint = |identifier: &str, role: &str, path: &str| Endpoint {
        identifier: identifier.into(),
        role: role.into(),
        url: state.url(&format!("/ocpi/{VERSION}/{path}")),
    };
    VersionDetails {
        version: VERSION.into(),
        endpoints: vec![
            // Listed once: the role of `credentials` means nothing, SENDER is the advised value.
            endpoint("credentials", "SENDER", "credentials"),
            endpoint("locations", "SENDER", "cpo/locations"),
            endpoint("locations", "RECEIVER", "emsp/locations"),
        ],
    }
}
