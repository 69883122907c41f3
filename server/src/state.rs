//! What every handler can reach.
use crate::config::Config;
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
    pub graphql: crate::graphql::Schemas,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
