//! Request extractors that refuse bad input in the contract's envelope.
use super::envelope::ApiError;
use crate::state::AppState;
use app::auth::service::{self, Authenticated};
use app::error::ServiceError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use serde::de::DeserializeOwned;

/// A JSON body; wrong content type → 415, too large → 413, malformed or wrong shape → 400.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(ApiError(match rejection {
                JsonRejection::MissingJsonContentType(_) => {
                    ServiceError::UnsupportedMedia("Content-Type must be application/json".into())
                }
                JsonRejection::JsonSyntaxError(_) => ServiceError::invalid("body", "is not valid JSON"),
                JsonRejection::JsonDataError(e) => ServiceError::invalid("body", data_error(&e.body_text())),
                other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    ServiceError::TooLarge("the body exceeds 64 KiB".into())
                }
                _ => ServiceError::invalid("body", "cannot be read"),
            })),
        }
    }
}

/// serde's own words ("missing field `username`", "unknown field `role`"), without axum's prefix.
fn data_error(text: &str) -> String {
    text.rsplit_once("type: ").map_or(text, |(_, detail)| detail).to_owned()
}

/// The bearer token of the request, if any.
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

/// A raw bearer token (the refresh endpoint verifies it itself).
pub struct BearerToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for BearerToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        bearer(parts).map(|t| BearerToken(t.to_owned())).ok_or(ApiError(ServiceError::Unauthorized))
    }
}

/// A live API client token (the contract's `TOKEN`).
pub struct ApiClient;

impl FromRequestParts<AppState> for ApiClient {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or(ApiError(ServiceError::Unauthorized))?;
        match state.store.verify_api_token(token).await? {
            Some(_) => Ok(ApiClient),
            None => Err(ApiError(ServiceError::Unauthorized)),
        }
    }
}

/// A live, unrevoked access token (the contract's `ACCESS_TOKEN`).
pub struct AccessSession(pub Authenticated);

impl FromRequestParts<AppState> for AccessSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or(ApiError(ServiceError::Unauthorized))?;
        Ok(AccessSession(service::authenticate_access(&state.store, &state.keys, token).await?))
    }
}

impl AccessSession {
    /// The CPO owner this session acts for; administrators own no CPO.
    pub fn cpo_owner_id(&self) -> Result<i64, ApiError> {
        self.0.user.cpo_owner_id.ok_or_else(|| ApiError(ServiceError::Forbidden("only CPO owners can do this".into())))
    }
}
