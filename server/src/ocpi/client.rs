//! Calls to peers: their versions and version details, and the credentials we send them. Every
//! answer is read to at most 1 MiB and must carry an OCPI success status.
use super::auth::authorization;
use super::types::{Credentials, Endpoint, Version, VersionDetails, VERSION};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The most of a peer's answer we read.
const MAX_ANSWER: usize = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("{url} answered HTTP {status}")]
    Http { url: String, status: u16 },
    #[error("{url} answered OCPI status {code}: {message}")]
    Refused { url: String, code: u16, message: String },
    #[error("{url} answered something that is not an OCPI {what}")]
    Malformed { url: String, what: &'static str },
    #[error("the peer offers no OCPI {VERSION}")]
    NoVersion,
    #[error("the peer lacks the endpoints we need: {0}")]
    MissingEndpoints(String),
}

#[derive(Deserialize)]
struct Envelope<T> {
    data: Option<T>,
    status_code: u16,
    #[serde(default)]
    status_message: Option<String>,
}

/// One peer's address and the token we call it with.
pub struct Peer<'a> {
    pub token: &'a str,
    pub plain_token: bool,
}

#[derive(Clone)]
pub struct PeerClient {
    http: reqwest::Client,
}

impl Default for PeerClient {
    fn default() -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self { http }
    }
}

impl PeerClient {
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        peer: &Peer<'_>,
        body: Option<&(impl Serialize + ?Sized)>,
        what: &'static str,
    ) -> Result<Option<T>, ClientError> {
        self.call_with(method, url, peer, body, &[], what).await
    }

    async fn call_with<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        peer: &Peer<'_>,
        body: Option<&(impl Serialize + ?Sized)>,
        headers: &[(&'static str, String)],
        what: &'static str,
    ) -> Result<Option<T>, ClientError> {
        let id = uuid::Uuid::new_v4().to_string();
        let mut request = self
            .http
            .request(method, url)
            .header("Authorization", authorization(peer.token, peer.plain_token))
            .header("X-Request-ID", &id)
            .header("X-Correlation-ID", &id);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let unreachable = |e: reqwest::Error| ClientError::Unreachable { url: url.to_owned(), reason: e.to_string() };
        let mut response = request.send().await.map_err(unreachable)?;
        let status = response.status();
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
            if bytes.len() + chunk.len() > MAX_ANSWER {
                return Err(ClientError::Malformed { url: url.to_owned(), what });
            }
            bytes.extend_from_slice(&chunk);
        }
        let envelope: Envelope<T> = match serde_json::from_slice(&bytes) {
            Ok(envelope) => envelope,
            Err(_) if !status.is_success() => {
                return Err(ClientError::Http { url: url.to_owned(), status: status.as_u16() })
            }
            Err(_) => return Err(ClientError::Malformed { url: url.to_owned(), what }),
        };
        if !(1000..2000).contains(&envelope.status_code) {
            return Err(ClientError::Refused {
                url: url.to_owned(),
                code: envelope.status_code,
                message: envelope.status_message.unwrap_or_default(),
            });
        }
        if !status.is_success() {
            return Err(ClientError::Http { url: url.to_owned(), status: status.as_u16() });
        }
        Ok(envelope.data)
    }

    /// The peer's 2.2.1 endpoints, read from its versions URL with `peer`'s token.
    pub async fn endpoints(&self, versions_url: &str, peer: &Peer<'_>) -> Result<Vec<Endpoint>, ClientError> {
        let versions: Vec<Version> = self
            .call(Method::GET, versions_url, peer, None::<&()>, "version list")
            .await?
            .ok_or(ClientError::Malformed { url: versions_url.to_owned(), what: "version list" })?;
        let details_url = versions.into_iter().find(|v| v.version == VERSION).ok_or(ClientError::NoVersion)?.url;
        let details: VersionDetails = self
            .call(Method::GET, &details_url, peer, None::<&()>, "version details")
            .await?
            .ok_or(ClientError::Malformed { url: details_url.clone(), what: "version details" })?;
        Ok(details.endpoints)
    }

    /// POSTs (register) or PUTs (renew) our credentials; returns the peer's.
    pub async fn send_credentials(
        &self,
        method: Method,
        url: &str,
        peer: &Peer<'_>,
        ours: &Credentials,
    ) -> Result<Credentials, ClientError> {
        let theirs: Credentials = self
            .call(method, url, peer, Some(ours), "credentials object")
            .await?
            .ok_or(ClientError::Malformed { url: url.to_owned(), what: "credentials object" })?;
        theirs.check().map_err(|_| ClientError::Malformed { url: url.to_owned(), what: "credentials object" })?;
        Ok(theirs)
    }

    /// Unregisters at the peer.
    pub async fn delete_credentials(&self, url: &str, peer: &Peer<'_>) -> Result<(), ClientError> {
        self.call::<serde_json::Value>(Method::DELETE, url, peer, None::<&()>, "answer").await.map(|_| ())
    }

    /// PUTs or PATCHes a Locations object at the peer's Receiver, with the routing headers
    /// (`from` = the owning CPO party, `to` = the peer's party).
    pub async fn push(
        &self,
        method: Method,
        url: &str,
        peer: &Peer<'_>,
        routing: &[(&'static str, String)],
        body: &serde_json::Value,
    ) -> Result<(), ClientError> {
        self.call_with::<serde_json::Value>(method, url, peer, Some(body), routing, "answer").await.map(|_| ())
    }
}

/// The URL of the peer's endpoint `identifier` (any role when `role` is None).
pub fn endpoint<'a>(endpoints: &'a [Endpoint], identifier: &str, role: Option<&str>) -> Option<&'a str> {
    endpoints.iter().find(|e| e.identifier == identifier && role.is_none_or(|r| e.role == r)).map(|e| e.url.as_str())
}

/// What a peer must offer: credentials, and locations in either role (a CPO sends, an eMSP receives).
pub fn check_endpoints(endpoints: &[Endpoint]) -> Result<(), ClientError> {
    let missing: Vec<&str> =
        ["credentials", "locations"].into_iter().filter(|id| endpoint(endpoints, id, None).is_none()).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ClientError::MissingEndpoints(missing.join(", ")))
    }
}
