//! Register, login, refresh and logout, as the contract documents them.
use super::envelope::{success, ApiError};
use super::extract::ApiJson;
use crate::auth::{AccessSession, ApiClient, BearerToken};
use crate::state::AppState;
use app::auth::service;
use app::domain::inputs::Registration;
use app::services::registration;
use axum::extract::{ConnectInfo, State};
use axum::response::Response;
use serde::Deserialize;
use std::net::SocketAddr;

pub async fn register(
    State(state): State<AppState>,
    _client: ApiClient,
    ApiJson(body): ApiJson<Registration>,
) -> Result<Response, ApiError> {
    registration::register(&state.store, &state.mailer, &state.config.public_url, body).await?;
    Ok(success("SUCCESS", "Success"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    username: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    _client: ApiClient,
    ApiJson(body): ApiJson<Login>,
) -> Result<Response, ApiError> {
    app::domain::validation::sign_in(&body.username, &body.password)
        .map_err(|fields| ApiError(app::error::ServiceError::Invalid(fields)))?;
    let pair = service::login(&state.store, &state.keys, &body.username, &body.password, peer.ip()).await?;
    Ok(success(pair, "SUCCESS"))
}

pub async fn refresh(State(state): State<AppState>, BearerToken(token): BearerToken) -> Result<Response, ApiError> {
    let pair = service::refresh(&state.store, &state.keys, &token).await?;
    Ok(success(pair, "SUCCESS"))
}

pub async fn logout(
    State(state): State<AppState>,
    AccessSession(session): AccessSession,
) -> Result<Response, ApiError> {
    service::logout(&state.store, &session).await?;
    Ok(success(Vec::<()>::new(), "Logged out successfully"))
}
