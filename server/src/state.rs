//! What every handler can reach, and the narrower states of the modules below it. Only the
//! modules above this one (rest, health, portal, bench routes, application) name `AppState`;
//! GraphQL and authentication (and later OCPP and OCPI) take their own state through `FromRef`.
use crate::auth::AuthState;
use crate::config::Config;
use crate::graphql::{GraphqlState, Schemas};
use crate::ocpi::OcpiState;
use crate::ocpp::OcppState;
use app::auth::jwt::Keys;
use app::mail::Mailer;
use app::store::Store;
use app::uploads::UploadDir;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub leptos_options: LeptosOptions,
    pub keys: Keys,
    pub mailer: Arc<Mailer>,
    pub uploads: UploadDir,
    pub graphql: Schemas,
    pub ocpp: OcppState,
    pub ocpi: OcpiState,
    /// Commands to chargers, for GraphQL and the portal.
    pub control: Arc<dyn app::services::charger_commands::ChargerControl>,
    /// Changes of EVSEs as every node sees them (subscriptions, the portal's live badges).
    pub events: crate::events::EvseEvents,
    /// Bounds the upgraded GraphQL subscription sockets.
    pub sockets: Arc<tokio::sync::Semaphore>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for AuthState {
    fn from_ref(state: &AppState) -> Self {
        AuthState { store: state.store.clone(), keys: state.keys.clone() }
    }
}

impl FromRef<AppState> for GraphqlState {
    fn from_ref(state: &AppState) -> Self {
        GraphqlState {
            schemas: state.graphql.clone(),
            control: state.control.clone(),
            events: state.events.clone(),
            sockets: state.sockets.clone(),
            store: state.store.clone(),
            uploads: state.uploads.clone(),
        }
    }
}

impl FromRef<AppState> for OcppState {
    fn from_ref(state: &AppState) -> Self {
        state.ocpp.clone()
    }
}

impl FromRef<AppState> for OcpiState {
    fn from_ref(state: &AppState) -> Self {
        state.ocpi.clone()
    }
}
