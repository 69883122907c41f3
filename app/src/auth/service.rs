//! Sign-in, token refresh, logout and access-token checks: the one implementation behind the
//! REST API, GraphQL and the portal.
use super::jwt::{Claims, Keys, TokenType};
use super::password;
use crate::clock::now_ms;
use crate::domain::role::Role;
use crate::error::ServiceError;
use crate::store::{Rotation, Store, StoreError, UserAccount};
use serde::Serialize;
use std::net::IpAddr;

/// Failed sign-ins allowed per account within `WINDOW_MS` (at most 40 an hour: ASVS asks ≤ 100),
/// and per client address. The window is short so an attacker cannot lock the owner out for long.
pub const ACCOUNT_FAILURE_LIMIT: i64 = 10;
pub const ADDRESS_FAILURE_LIMIT: i64 = 100;
pub const WINDOW_MS: i64 = 15 * 60 * 1000;

/// The contract's login/refresh `data`.
#[derive(Debug, Clone, Serialize)]
pub struct TokenPair {
    pub access_token: String,
    pub access_expires_in: i64,
    pub refresh_token: String,
    pub refresh_expires_in: i64,
    pub role: Role,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("invalid credentials")]
    Unauthorized,
    #[error("refresh token reused; all tokens of this sign-in are revoked")]
    RefreshReused,
    #[error("too many failed sign-ins; try again in {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    /// The database could not say who the caller is: never "unauthorized", since the caller's
    /// credentials may be perfectly good.
    #[error("the accounts could not be read")]
    Store(#[from] StoreError),
    #[error("signing a token failed")]
    Signing(#[from] jsonwebtoken::errors::Error),
}

impl From<AuthError> for ServiceError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Unauthorized => ServiceError::Unauthorized,
            AuthError::RefreshReused => ServiceError::Forbidden(e.to_string()),
            AuthError::Throttled { retry_after_secs } => ServiceError::Throttled(retry_after_secs),
            AuthError::Store(_) => ServiceError::Unavailable(Box::new(e)),
            AuthError::Signing(_) => ServiceError::internal(e),
        }
    }
}

/// A request authenticated by a live access token.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub user: UserAccount,
    pub claims: Claims,
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn sign_pair(
    keys: &Keys,
    user: &UserAccount,
    family: &str,
    refresh_jti: &str,
    now_secs: i64,
) -> Result<TokenPair, AuthError> {
    let role = user.role.as_str();
    let (access_token, access) = keys.sign(TokenType::Access, user.id, role, family, &new_id(), now_secs)?;
    let (refresh_token, refresh) = keys.sign(TokenType::Refresh, user.id, role, family, refresh_jti, now_secs)?;
    Ok(TokenPair {
        access_token,
        access_expires_in: access.exp,
        refresh_token,
        refresh_expires_in: refresh.exp,
        role: user.role,
    })
}

/// Seconds until the oldest failure of a throttled subject leaves the window.
fn retry_after(oldest_ms: Option<i64>, now: i64) -> u64 {
    let until = oldest_ms.unwrap_or(now) + WINDOW_MS;
    u64::try_from(((until - now) / 1000).max(1)).unwrap_or(1)
}

async fn check_throttle(store: &Store, subject: &str, limit: i64) -> Result<(), AuthError> {
    let now = now_ms();
    let (failures, oldest) = store.login_failures_since(subject, now - WINDOW_MS).await?;
    if failures >= limit {
        return Err(AuthError::Throttled { retry_after_secs: retry_after(oldest, now) });
    }
    Ok(())
}

/// Checks a username and password, throttling failures per account and per client address.
/// Unknown users and wrong passwords fail identically (same error, same Argon2 work). Shared by
/// the REST login and the portal's sign-in.
pub async fn check_credentials(
    store: &Store,
    username: &str,
    password: &str,
    client: IpAddr,
) -> Result<UserAccount, AuthError> {
    let account_key = format!("user:{}", username.to_lowercase());
    let address_key = format!("addr:{client}");
    check_throttle(store, &address_key, ADDRESS_FAILURE_LIMIT).await?;
    check_throttle(store, &account_key, ACCOUNT_FAILURE_LIMIT).await?;
    let user = store.user_by_username(username).await?;
    let stored_hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let valid = password::verify(password.to_owned(), stored_hash).await;
    let Some(user) = user.filter(|_| valid) else {
        store.record_login_failure(&[&account_key, &address_key]).await?;
        return Err(AuthError::Unauthorized);
    };
    store.clear_login_failures(&account_key).await?;
    Ok(user)
}

/// Checks the credentials and starts a token family: the contract's login.
pub async fn login(
    store: &Store,
    keys: &Keys,
    username: &str,
    password: &str,
    client: IpAddr,
) -> Result<TokenPair, AuthError> {
    let user = check_credentials(store, username, password, client).await?;
    let (family, refresh_jti, now) = (new_id(), new_id(), now_ms() / 1000);
    let pair = sign_pair(keys, &user, &family, &refresh_jti, now)?;
    store.start_token_family(user.id, &family, &refresh_jti, pair.refresh_expires_in * 1000).await?;
    Ok(pair)
}

/// Exchanges a live refresh token for a new pair, retiring it. A retired token presented again
/// revokes its whole family.
pub async fn refresh(store: &Store, keys: &Keys, refresh_token: &str) -> Result<TokenPair, AuthError> {
    let claims = keys.verify(refresh_token, TokenType::Refresh).ok_or(AuthError::Unauthorized)?;
    let user_id = claims.user_id().ok_or(AuthError::Unauthorized)?;
    let user = store.user_by_id(user_id).await?.ok_or(AuthError::Unauthorized)?;
    let (new_jti, now) = (new_id(), now_ms() / 1000);
    let pair = sign_pair(keys, &user, &claims.fam, &new_jti, now)?;
    match store.rotate_refresh_token(&claims.fam, &claims.jti, &new_jti, pair.refresh_expires_in * 1000).await? {
        Rotation::Rotated => Ok(pair),
        Rotation::Reused => Err(AuthError::RefreshReused),
        Rotation::Invalid => Err(AuthError::Unauthorized),
    }
}

/// The user behind a live, unrevoked access token.
pub async fn authenticate_access(store: &Store, keys: &Keys, access_token: &str) -> Result<Authenticated, AuthError> {
    let claims = keys.verify(access_token, TokenType::Access).ok_or(AuthError::Unauthorized)?;
    if store.access_revoked(&claims.fam, &claims.jti).await? {
        return Err(AuthError::Unauthorized);
    }
    let user_id = claims.user_id().ok_or(AuthError::Unauthorized)?;
    let user = store.user_by_id(user_id).await?.ok_or(AuthError::Unauthorized)?;
    Ok(Authenticated { user, claims })
}

/// Revokes the access token and its refresh family.
pub async fn logout(store: &Store, session: &Authenticated) -> Result<(), AuthError> {
    store.revoke_session(&session.claims.fam, &session.claims.jti, session.claims.exp * 1000).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::retry_after;

    #[test]
    fn retry_after_counts_down_the_window() {
        assert_eq!(retry_after(Some(0), 60_000), 840);
        assert_eq!(retry_after(None, 5), 900);
        assert_eq!(retry_after(Some(0), 899_999), 1);
    }
}
