//! Access and refresh JWTs: HS256 only, with issuer, audience and a `typ` claim so that one kind
//! can never be used as the other.
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

pub const ISSUER: &str = "emsp";
pub const AUDIENCE: &str = "emsp-api";
pub const ACCESS_TTL_SECS: i64 = 15 * 60;
pub const REFRESH_TTL_SECS: i64 = 30 * 24 * 60 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenType {
    Access,
    Refresh,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub typ: TokenType,
    /// The user id.
    pub sub: String,
    pub jti: String,
    /// The refresh-token family this token belongs to (revoked together at logout or reuse).
    pub fam: String,
    pub role: String,
    pub iat: i64,
    pub exp: i64,
}

impl Claims {
    pub fn user_id(&self) -> Option<i64> {
        self.sub.parse().ok()
    }
}

#[derive(Clone)]
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

impl Keys {
    pub fn new(secret: &[u8]) -> Self {
        // Pinning the algorithm list rejects `alg: none` and every other algorithm.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 0;
        Self { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret), validation }
    }

    /// Signs claims of `typ` for `user_id`, valid `ttl` seconds from `now` (Unix seconds).
    pub fn sign(
        &self,
        typ: TokenType,
        user_id: i64,
        role: &str,
        family: &str,
        jti: &str,
        now: i64,
    ) -> Result<(String, Claims), jsonwebtoken::errors::Error> {
        let ttl = match typ {
            TokenType::Access => ACCESS_TTL_SECS,
            TokenType::Refresh => REFRESH_TTL_SECS,
        };
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            typ,
            sub: user_id.to_string(),
            jti: jti.into(),
            fam: family.into(),
            role: role.into(),
            iat: now,
            exp: now + ttl,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok((token, claims))
    }

    /// The claims of a valid, unexpired token of kind `typ`; `None` for anything else.
    pub fn verify(&self, token: &str, typ: TokenType) -> Option<Claims> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        (data.claims.typ == typ).then_some(data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    fn now() -> i64 {
        crate::clock::now_ms() / 1000
    }

    #[test]
    fn tokens_verify_only_as_their_own_kind() {
        let keys = Keys::new(b"0123456789abcdef0123456789abcdef");
        let (access, _) = keys.sign(TokenType::Access, 7, "CPO_OWNER", "fam", "j1", now()).expect("sign");
        let claims = keys.verify(&access, TokenType::Access).expect("valid access token");
        assert_eq!((claims.user_id(), claims.role.as_str()), (Some(7), "CPO_OWNER"));
        assert!(keys.verify(&access, TokenType::Refresh).is_none());
        assert!(Keys::new(b"another secret another secret !!").verify(&access, TokenType::Access).is_none());
    }

    #[test]
    fn expired_tampered_and_unsigned_tokens_are_refused() {
        let keys = Keys::new(b"0123456789abcdef0123456789abcdef");
        let (expired, _) =
            keys.sign(TokenType::Access, 1, "ADMIN", "f", "j", now() - ACCESS_TTL_SECS - 1).expect("sign");
        assert!(keys.verify(&expired, TokenType::Access).is_none());

        let (token, claims) = keys.sign(TokenType::Access, 1, "CPO_OWNER", "f", "j", now()).expect("sign");
        let parts: Vec<&str> = token.split('.').collect();
        let forged = Claims { role: "ADMIN".into(), ..claims.clone() };
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).expect("json"));
        assert!(keys.verify(&format!("{}.{}.{}", parts[0], forged_payload, parts[2]), TokenType::Access).is_none());

        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(keys.verify(&format!("{none_header}.{}.", parts[1]), TokenType::Access).is_none());
    }
}
