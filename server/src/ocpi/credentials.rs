//! The credentials module and the registration handshake in both directions: a peer registers
//! with a TOKEN_A we handed out (POST), renews (PUT) or unregisters (DELETE); or we register at a
//! peer that handed us its TOKEN_A (`emsp ocpi peer register`).
use super::auth::AnyToken;
use super::client::{check_endpoints, endpoint, ClientError, Peer};
use super::envelope::{ok, OcpiError, CLIENT_API_UNUSABLE, NO_MATCHING_ENDPOINTS, UNSUPPORTED_VERSION};
use super::types::{image, BusinessDetails, Credentials, CredentialsRole};
use super::OcpiState;
use app::domain::ocpi_limits::{cut, OPERATOR_NAME};
use app::secret::{self, ExposeSecret, SecretString};
use app::store::{PeerRole, Registration};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use reqwest::Method;

/// A token we issue: at most 64 printable ASCII characters without spaces (2.2.1).
pub fn new_token() -> SecretString {
    secret::generate("ocpi_")
}

/// Our credentials object, carrying `token` (the token the peer calls us with).
pub async fn ours(state: &OcpiState, token: &str) -> Result<Credentials, OcpiError> {
    let mut roles: Vec<CredentialsRole> = state
        .store
        .hosted_parties()
        .await?
        .into_iter()
        .map(|party| CredentialsRole {
            role: "CPO".into(),
            business_details: BusinessDetails {
                name: cut(&party.name, OPERATOR_NAME),
                website: None,
                logo: party.logo.as_ref().and_then(|logo| image(&state.settings.public_url, logo, "OPERATOR")),
            },
            party_id: party.party_id,
            country_code: party.country_code,
        })
        .collect();
    if let Some((country_code, party_id)) = &state.settings.party {
        roles.push(CredentialsRole {
            role: "EMSP".into(),
            business_details: BusinessDetails {
                name: cut(&state.settings.name, OPERATOR_NAME),
                website: None,
                logo: None,
            },
            party_id: party_id.clone(),
            country_code: country_code.clone(),
        });
    }
    if roles.is_empty() {
        return Err(OcpiError::server("this platform has no OCPI party yet (set --ocpi-party)"));
    }
    Ok(Credentials { token: token.to_owned(), url: state.url("/ocpi/versions"), roles })
}

/// A peer's credentials from a request body: not JSON → HTTP 400; JSON that breaks a rule → 2001.
fn parse(body: &Bytes) -> Result<Credentials, OcpiError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| OcpiError::new(StatusCode::BAD_REQUEST, super::envelope::INVALID, "the body is not JSON"))?;
    let credentials: Credentials =
        serde_json::from_value(value).map_err(|e| OcpiError::invalid(format!("credentials: {e}")))?;
    credentials.check().map_err(OcpiError::invalid)?;
    Ok(credentials)
}

/// How a failure to use the peer's API is answered (and reported by the CLI).
impl From<ClientError> for OcpiError {
    fn from(e: ClientError) -> Self {
        let code = match e {
            ClientError::MissingEndpoints(_) => NO_MATCHING_ENDPOINTS,
            ClientError::NoVersion => UNSUPPORTED_VERSION,
            _ => CLIENT_API_UNUSABLE,
        };
        OcpiError::new(StatusCode::OK, code, e.to_string())
    }
}

fn roles_of(credentials: &Credentials) -> Vec<PeerRole> {
    credentials
        .roles
        .iter()
        .map(|role| PeerRole {
            role: role.role.clone(),
            country_code: role.country_code.to_uppercase(),
            party_id: role.party_id.to_uppercase(),
            business_details: serde_json::to_string(&role.business_details).unwrap_or_else(|_| "{}".into()),
        })
        .collect()
}

/// Keeps what a registration (either direction) agreed: the peer's token, versions URL, endpoints
/// and roles, and the digest of the token we handed it.
async fn store_registration(
    state: &OcpiState,
    peer_id: i64,
    theirs: &Credentials,
    versions_url: &str,
    endpoints: &[super::types::Endpoint],
    our_token: &SecretString,
) -> Result<(), OcpiError> {
    let endpoints = serde_json::to_string(endpoints).unwrap_or_else(|_| "[]".into());
    let registration = Registration {
        peer_token: &theirs.token,
        versions_url,
        endpoints: &endpoints,
        roles: &roles_of(theirs),
        our_token_hash: secret::digest(our_token.expose_secret()),
    };
    Ok(state.store.register_ocpi_peer(peer_id, &registration).await?)
}

/// Reads the peer's endpoints with the token it gave, stores the registration and returns our
/// credentials with a new token (TOKEN_A, or the previous token, stops working).
async fn accept(state: &OcpiState, peer_id: i64, theirs: &Credentials) -> Result<Response, OcpiError> {
    let plain_token = state.store.ocpi_peer(peer_id).await?.is_some_and(|peer| peer.plain_token);
    let endpoints = state.client.endpoints(&theirs.url, &Peer { token: &theirs.token, plain_token }).await?;
    check_endpoints(&endpoints)?;
    let token = new_token();
    let answer = ours(state, token.expose_secret()).await?;
    store_registration(state, peer_id, theirs, &theirs.url, &endpoints, &token).await?;
    tracing::info!(peer_id, "OCPI peer registered");
    Ok(ok(answer))
}

pub async fn get(State(state): State<OcpiState>, caller: AnyToken) -> Result<Response, OcpiError> {
    Ok(ok(ours(&state, &caller.token).await?))
}

pub async fn post(State(state): State<OcpiState>, caller: AnyToken, body: Bytes) -> Result<Response, OcpiError> {
    if caller.caller.registered {
        return Err(OcpiError::method_not_allowed("already registered: use PUT to update the credentials"));
    }
    let theirs = parse(&body)?;
    accept(&state, caller.caller.peer_id, &theirs).await
}

pub async fn put(State(state): State<OcpiState>, caller: AnyToken, body: Bytes) -> Result<Response, OcpiError> {
    if !caller.caller.registered {
        return Err(OcpiError::method_not_allowed("not registered: use POST to register"));
    }
    let theirs = parse(&body)?;
    accept(&state, caller.caller.peer_id, &theirs).await
}

pub async fn delete(State(state): State<OcpiState>, caller: AnyToken) -> Result<Response, OcpiError> {
    if !caller.caller.registered {
        return Err(OcpiError::method_not_allowed("not registered"));
    }
    state.store.close_ocpi_peer(caller.caller.peer_id).await?;
    tracing::info!(peer_id = caller.caller.peer_id, "OCPI peer unregistered");
    Ok(ok(serde_json::Value::Null))
}

/// We start: reads the peer's endpoints with its TOKEN_A, POSTs our credentials with a new token
/// (already accepted on our versions, which the peer reads meanwhile) and stores the answer.
pub async fn register(
    state: &OcpiState,
    name: &str,
    versions_url: &str,
    token_a: &SecretString,
    plain_token: bool,
) -> Result<(), OcpiError> {
    let peer = Peer { token: token_a.expose_secret(), plain_token };
    let endpoints = state.client.endpoints(versions_url, &peer).await?;
    check_endpoints(&endpoints)?;
    let credentials_url = endpoint(&endpoints, "credentials", None).unwrap_or_default().to_owned();
    let token = new_token();
    // Our answer first: a platform without a party must not leave a half-made peer behind.
    let ours = ours(state, token.expose_secret()).await?;
    let peer_id = state.store.open_ocpi_peer(name, token.expose_secret(), plain_token).await.map_err(|e| match e {
        app::store::StoreError::Conflict(what) => OcpiError::invalid(format!("{what} already exists")),
        e => e.into(),
    })?;
    let theirs = match state.client.send_credentials(Method::POST, &credentials_url, &peer, &ours).await {
        Ok(theirs) => theirs,
        Err(e) => {
            state.store.delete_ocpi_peer(name).await?;
            return Err(e.into());
        }
    };
    store_registration(state, peer_id, &theirs, versions_url, &endpoints, &token).await
}

/// Unregisters at the peer where possible (DELETE with its token), then forgets it. Returns
/// whether the peer confirmed.
pub async fn remove(state: &OcpiState, name: &str) -> Result<bool, OcpiError> {
    let peer = state
        .store
        .ocpi_peer_named(name)
        .await?
        .ok_or_else(|| OcpiError::new(StatusCode::NOT_FOUND, 2000, format!("no peer named {name:?}")))?;
    let mut confirmed = false;
    let endpoints: Vec<super::types::Endpoint> = serde_json::from_str(&peer.endpoints).unwrap_or_default();
    if let (Some(url), Some(token)) =
        (endpoint(&endpoints, "credentials", None), state.store.ocpi_peer_token(peer.id).await?)
    {
        let call = Peer { token: token.expose_secret(), plain_token: peer.plain_token };
        match state.client.delete_credentials(url, &call).await {
            Ok(()) => confirmed = true,
            Err(e) => tracing::warn!(peer = name, error = %e, "the peer did not confirm the unregistration"),
        }
    }
    state.store.delete_ocpi_peer(name).await?;
    Ok(confirmed)
}
