//! `Authorization: Token <token>`: Base64 of the token as 2.2.1 says, or the raw token that
//! many peers still send. A TOKEN_A is good for versions and credentials only.
use super::envelope::OcpiError;
use super::OcpiState;
use app::store::OcpiCaller;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// The longest token value we look up (ours are 64 characters; Base64 grows it by a third).
const MAX_HEADER: usize = 256;

/// A caller with a live token: TOKEN_A of an open peer or the token of a registered one.
pub struct AnyToken {
    pub caller: OcpiCaller,
    /// The token as the caller knows it (decoded), for echoing in GET credentials.
    pub token: String,
}

/// A registered peer (TOKEN_A is refused with 401): the functional modules.
pub struct Registered(pub OcpiCaller);

/// The token candidates in a header value: the Base64-decoded form first, then the raw one.
fn candidates(headers: &HeaderMap) -> Vec<String> {
    let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else { return Vec::new() };
    if value.len() > MAX_HEADER {
        return Vec::new();
    }
    let Some((scheme, token)) = value.split_once(' ') else { return Vec::new() };
    if !scheme.eq_ignore_ascii_case("Token") || token.trim().is_empty() {
        return Vec::new();
    }
    let token = token.trim();
    let mut found = Vec::with_capacity(2);
    if let Some(decoded) = STANDARD.decode(token).ok().and_then(|bytes| String::from_utf8(bytes).ok()) {
        if is_token(&decoded) {
            found.push(decoded);
        }
    }
    found.push(token.to_owned());
    found
}

/// Printable ASCII without spaces, at most 64 characters: the 2.2.1 credentials token.
pub fn is_token(text: &str) -> bool {
    !text.is_empty() && text.len() <= 64 && text.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

impl<S: Send + Sync> FromRequestParts<S> for AnyToken
where
    OcpiState: FromRef<S>,
{
    type Rejection = OcpiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = OcpiState::from_ref(state);
        for token in candidates(&parts.headers) {
            if let Some(caller) = state.store.ocpi_caller(&token).await? {
                return Ok(Self { caller, token });
            }
        }
        Err(OcpiError::unauthorized())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Registered
where
    OcpiState: FromRef<S>,
{
    type Rejection = OcpiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let AnyToken { caller, .. } = AnyToken::from_request_parts(parts, state).await?;
        if caller.token_a || !caller.registered {
            return Err(OcpiError::unauthorized());
        }
        Ok(Self(caller))
    }
}

/// The header value we send a peer: Base64 unless the peer is marked for plain tokens.
pub fn authorization(token: &str, plain: bool) -> String {
    if plain {
        format!("Token {token}")
    } else {
        format!("Token {}", STANDARD.encode(token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).expect("header"));
        headers
    }

    #[test]
    fn base64_and_raw_tokens_are_both_candidates() {
        assert_eq!(candidates(&headers("Token ZXhhbXBsZS10b2tlbg==")), ["example-token", "ZXhhbXBsZS10b2tlbg=="]);
        assert_eq!(candidates(&headers("Token ocpi_abc-def")), ["ocpi_abc-def"]);
        assert!(candidates(&headers("Bearer x")).is_empty());
        assert!(candidates(&headers("Token ")).is_empty());
        assert_eq!(authorization("example-token", false), "Token ZXhhbXBsZS10b2tlbg==");
        assert_eq!(authorization("example-token", true), "Token example-token");
    }
}
