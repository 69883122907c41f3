//! The one authentication edge of the REST API and GraphQL: `Authorization: Bearer …` is parsed
//! here only, each kind of caller is an extractor, and one rule holds for all of them: a database
//! failure while checking credentials answers 503 ("unavailable"), never 401, so clients do not
//! throw away good tokens. Charger (HTTP Basic) and OCPI (`Token`) credentials get extractors of
//! their own in their modules.
//!
//! A refusal is an [`AuthRejection`]; REST renders it as the contract's envelope (see
//! `rest::envelope`); GraphQL calls [`Caller::authenticate`] once its cheap document check has
//! passed, and renders its own errors.
use app::auth::jwt::Keys;
use app::auth::service::{self, Authenticated};
use app::domain::role::Role;
use app::error::ServiceError;
use app::store::{Store, Viewer};
use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::HeaderMap;

/// What authentication needs from the application's state.
#[derive(Clone)]
pub struct AuthState {
    pub store: Store,
    pub keys: Keys,
}

/// Why a request was not let through: `Unauthorized` (401), `Forbidden` (403) or
/// `Unavailable` (503).
#[derive(Debug)]
pub struct AuthRejection(pub ServiceError);

impl From<ServiceError> for AuthRejection {
    fn from(e: ServiceError) -> Self {
        AuthRejection(e)
    }
}

fn unauthorized() -> AuthRejection {
    AuthRejection(ServiceError::Unauthorized)
}

/// The bearer token of the request, if any.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

/// True when `token` is a live API client token; a database failure is "unavailable".
async fn is_api_token(store: &Store, token: &str) -> Result<bool, AuthRejection> {
    match store.verify_api_token(token).await {
        Ok(found) => Ok(found.is_some()),
        Err(e) => Err(AuthRejection(ServiceError::Unavailable(Box::new(e)))),
    }
}

async fn access_session(auth: &AuthState, token: &str) -> Result<Authenticated, AuthRejection> {
    Ok(service::authenticate_access(&auth.store, &auth.keys, token).await.map_err(ServiceError::from)?)
}

/// A raw bearer token (the refresh endpoint verifies it itself).
pub struct BearerToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for BearerToken {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AuthRejection> {
        bearer(&parts.headers).map(|t| BearerToken(t.to_owned())).ok_or_else(unauthorized)
    }
}

/// A live API client token (the contract's `TOKEN`).
pub struct ApiClient;

impl<S: Send + Sync> FromRequestParts<S> for ApiClient
where
    AuthState: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AuthRejection> {
        let token = bearer(&parts.headers).ok_or_else(unauthorized)?;
        if is_api_token(&AuthState::from_ref(state).store, token).await? {
            Ok(ApiClient)
        } else {
            Err(unauthorized())
        }
    }
}

/// A live, unrevoked access token (the contract's `ACCESS_TOKEN`) of any user.
pub struct AccessSession(pub Authenticated);

impl<S: Send + Sync> FromRequestParts<S> for AccessSession
where
    AuthState: FromRef<S>,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AuthRejection> {
        let token = bearer(&parts.headers).ok_or_else(unauthorized)?;
        Ok(AccessSession(access_session(&AuthState::from_ref(state), token).await?))
    }
}

impl AccessSession {
    /// The CPO owner this session acts for; administrators own no CPO.
    pub fn cpo_owner_id(&self) -> Result<i64, AuthRejection> {
        self.0
            .user
            .cpo_owner_id
            .ok_or_else(|| AuthRejection(ServiceError::Forbidden("only CPO owners can do this".into())))
    }
}

/// Who is asking, by an API token or an access token: the three kinds of caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// An API client (or a user that owns no CPO): published data only.
    ApiClient,
    /// A CPO owner's user: published data, its own drafts, and writes to its own objects.
    Owner(i64),
    /// A platform administrator: everything, writes to nothing it does not own.
    Admin,
}

impl Caller {
    fn of(session: &Authenticated) -> Self {
        match (session.user.role, session.user.cpo_owner_id) {
            (Role::Admin, _) => Caller::Admin,
            (Role::CpoOwner, Some(owner)) => Caller::Owner(owner),
            (Role::CpoOwner, None) => Caller::ApiClient,
        }
    }

    /// Which locations this caller may read.
    pub fn viewer(self) -> Viewer {
        match self {
            Caller::ApiClient => Viewer::Public,
            Caller::Owner(owner) => Viewer::Owner(owner),
            Caller::Admin => Viewer::Admin,
        }
    }

    /// The CPO owner this caller acts for, if any.
    pub fn owner_id(self) -> Option<i64> {
        match self {
            Caller::Owner(owner) => Some(owner),
            Caller::ApiClient | Caller::Admin => None,
        }
    }
}

impl Caller {
    /// The caller of a request with these headers (for handlers that check something cheaper
    /// first, before this costs a database round trip).
    pub async fn authenticate(auth: &AuthState, headers: &HeaderMap) -> Result<Self, AuthRejection> {
        let token = bearer(headers).ok_or_else(unauthorized)?;
        if is_api_token(&auth.store, token).await? {
            return Ok(Caller::ApiClient);
        }
        Ok(Caller::of(&access_session(auth, token).await?))
    }
}
