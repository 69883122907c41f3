//! The push: every node fans the change journals out into the durable outbox (`store::ocpi_outbox`)
//! and runs one sender per peer with a Locations Receiver, so a peer that is down or slow delays
//! only itself. Each send reads the object's current state: a whole location is PUT (with EVSEs
//! the peer had and that are gone now as REMOVED, and every EVSE REMOVED once the location is
//! unpublished or deleted); an EVSE's status is PATCHed, and a failed PATCH falls back to a PUT
//! of the location. Failures retry with exponential backoff.
use super::client::{endpoint, ClientError, Peer};
use super::locations::exposed_location;
use super::locations::wire::Location;
use super::types::Endpoint;
use super::OcpiState;
use app::clock::{now_ms, rfc3339};
use app::secret::ExposeSecret;
use app::store::{HostedParty, PeerState, Pending, StoreError};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How often the journals are read and idle senders look for work (bounds the push latency).
const TICK: Duration = Duration::from_millis(200);
/// How long a leased row belongs to one sender (longer than a send with its timeout).
const LEASE_MS: i64 = 60_000;
const BATCH: i64 = 50;
/// Longest wait between two attempts.
const MAX_BACKOFF_MS: i64 = 300_000;

/// A peer we push to.
#[derive(Clone)]
struct Target {
    peer_id: i64,
    url: String,
    plain_token: bool,
    /// The peer's party for `OCPI-to-*` (its eMSP role, else its first).
    party: Option<(String, String)>,
}

async fn targets(state: &OcpiState) -> Result<Vec<Target>, StoreError> {
    let peers = state.store.ocpi_peers().await?;
    Ok(peers
        .into_iter()
        .filter(|peer| peer.state == PeerState::Registered)
        .filter_map(|peer| {
            let endpoints: Vec<Endpoint> = serde_json::from_str(&peer.endpoints).unwrap_or_default();
            let url = endpoint(&endpoints, "locations", Some("RECEIVER"))?.trim_end_matches('/').to_owned();
            let role = peer.roles.iter().find(|r| r.role == "EMSP").or(peer.roles.first());
            let party = role.map(|r| (r.country_code.clone(), r.party_id.clone()));
            Some(Target { peer_id: peer.id, url, plain_token: peer.plain_token, party })
        })
        .collect())
}

/// Runs the fan-out and the senders until the task is dropped.
pub async fn run(state: OcpiState) {
    // What this node was sending when it stopped is due again now, not when its leases run out.
    match state.store.ocpi_release_leases(&state.node_id).await {
        Ok(0) => {}
        Ok(released) => tracing::info!(released, "OCPI push: leases of the previous run released"),
        Err(e) => tracing::warn!(cause = %app::error::chain(&e), "OCPI push: cannot release old leases"),
    }
    let mut senders: HashMap<i64, JoinHandle<()>> = HashMap::new();
    let mut ticker = tokio::time::interval(TICK);
    loop {
        ticker.tick().await;
        let targets = match targets(&state).await {
            Ok(targets) => targets,
            Err(e) => {
                tracing::warn!(cause = %app::error::chain(&e), "OCPI push: cannot read the peers");
                continue;
            }
        };
        let ids: Vec<i64> = targets.iter().map(|t| t.peer_id).collect();
        // Without peers there is no one to queue for (a first peer then gets what the journals
        // still hold, at most their retention).
        if !ids.is_empty() {
            if let Err(e) = state.store.ocpi_fan_out(&ids, now_ms()).await {
                tracing::warn!(cause = %app::error::chain(&e), "OCPI push: cannot read the change journals");
            }
        }
        senders.retain(|peer_id, task| {
            let keep = ids.contains(peer_id) && !task.is_finished();
            if !keep {
                task.abort();
            }
            keep
        });
        for target in targets {
            senders.entry(target.peer_id).or_insert_with(|| tokio::spawn(send_loop(state.clone(), target)));
        }
    }
}

async fn send_loop(state: OcpiState, target: Target) {
    loop {
        match send_due(&state, &target).await {
            Ok(0) => tokio::time::sleep(TICK).await,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(peer_id = target.peer_id, cause = %app::error::chain(&e), "OCPI push: store failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Sends what is due for one peer; returns how many rows it handled.
async fn send_due(state: &OcpiState, target: &Target) -> Result<usize, StoreError> {
    let rows = state.store.ocpi_lease(target.peer_id, &state.node_id, now_ms(), LEASE_MS, BATCH).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let Some(token) = state.store.ocpi_peer_token(target.peer_id).await? else { return Ok(0) };
    let peer = Peer { token: token.expose_secret(), plain_token: target.plain_token };
    let parties: HashMap<i64, HostedParty> =
        state.store.hosted_parties().await?.into_iter().map(|p| (p.owner_id, p)).collect();
    let mut put_now = Vec::new();
    for row in &rows {
        // An EVSE whose location was just PUT whole went with it.
        let outcome = if !row.evse_uid.is_empty() && put_now.contains(&row.location_id) {
            Ok(())
        } else {
            let push = Push { state, target, peer: &peer, parties: &parties };
            let outcome = push.send(row).await;
            if row.evse_uid.is_empty() && outcome.is_ok() {
                put_now.push(row.location_id);
            }
            outcome
        };
        match outcome {
            Ok(()) => state.store.ocpi_sent_ok(row).await?,
            Err(e) => {
                let backoff = (1000_i64 << row.attempts.clamp(0, 20)).min(MAX_BACKOFF_MS);
                tracing::warn!(peer_id = target.peer_id, location_id = row.location_id, evse_uid = row.evse_uid,
                    attempts = row.attempts + 1, retry_in_ms = backoff, error = %e, "OCPI push failed");
                state.store.ocpi_send_failed(row, now_ms() + backoff).await?;
            }
        }
    }
    Ok(rows.len())
}

#[derive(Debug, thiserror::Error)]
enum PushError {
    #[error(transparent)]
    Peer(#[from] ClientError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

struct Push<'a> {
    state: &'a OcpiState,
    target: &'a Target,
    peer: &'a Peer<'a>,
    parties: &'a HashMap<i64, HostedParty>,
}

impl Push<'_> {
    async fn send(&self, row: &Pending) -> Result<(), PushError> {
        let current =
            exposed_location(&self.state.store, &self.state.settings.public_url, self.parties, row.location_id).await?;
        if row.evse_uid.is_empty() {
            return self.put_location(row.location_id, current).await;
        }
        // Not exposed (any more): the whole-location row of the same change says REMOVED.
        let Some(location) = current else { return Ok(()) };
        let Some(evse) = location.evses.iter().find(|e| e.uid == row.evse_uid) else { return Ok(()) };
        // The journal also carries readings and connection changes: a status the peer already
        // has is not sent again.
        let store = &self.state.store;
        let mut last = self.last_sent(row.location_id).await?;
        let known = last
            .as_mut()
            .and_then(|l| l["evses"].as_array_mut())
            .and_then(|evses| evses.iter_mut().find(|e| e["uid"] == evse.uid.as_str()));
        if known.as_ref().is_some_and(|known| known["status"] == evse.status.as_str()) {
            return Ok(());
        }
        let url =
            format!("{}/{}/{}/{}/{}", self.target.url, location.country_code, location.party_id, location.id, evse.uid);
        let body = json!({"status": evse.status, "last_updated": evse.last_updated});
        let routing = self.routing(&location.country_code, &location.party_id);
        match self.state.client.push(Method::PATCH, &url, self.peer, &routing, &body).await {
            Ok(()) => {
                if let Some(known) = known {
                    known["status"] = body["status"].clone();
                    known["last_updated"] = body["last_updated"].clone();
                }
                if let Some(last) = last {
                    store.ocpi_remember_sent(self.target.peer_id, row.location_id, Some(&last.to_string())).await?;
                }
                Ok(())
            }
            Err(e) => {
                tracing::info!(peer_id = self.target.peer_id, error = %e, "OCPI PATCH failed; sending the whole location");
                self.put_location(row.location_id, Some(location)).await
            }
        }
    }

    /// PUTs the location as it is now, or with every EVSE REMOVED when it is no longer exposed.
    async fn put_location(&self, location_id: i64, current: Option<Location>) -> Result<(), PushError> {
        let store = &self.state.store;
        let last = self.last_sent(location_id).await?;
        let body = match (current, last) {
            (Some(location), last) => {
                with_removed(serde_json::to_value(&location).unwrap_or(Value::Null), last.as_ref())
            }
            (None, Some(last)) => all_removed(last),
            // Never sent and not exposed: nothing to tell.
            (None, None) => return Ok(()),
        };
        let (country, party, id) = (text(&body, "country_code"), text(&body, "party_id"), text(&body, "id"));
        let url = format!("{}/{country}/{party}/{id}", self.target.url);
        self.state.client.push(Method::PUT, &url, self.peer, &self.routing(&country, &party), &body).await?;
        let removed = body["evses"].as_array().is_some_and(|evses| evses.iter().all(|e| e["status"] == "REMOVED"));
        let keep = (!removed).then(|| body.to_string());
        store.ocpi_remember_sent(self.target.peer_id, location_id, keep.as_deref()).await?;
        Ok(())
    }

    /// The Location this peer last accepted for `location_id`.
    async fn last_sent(&self, location_id: i64) -> Result<Option<Value>, StoreError> {
        let body = self.state.store.ocpi_last_sent(self.target.peer_id, location_id).await?;
        Ok(body.and_then(|b| serde_json::from_str(&b).ok()))
    }

    fn routing(&self, country: &str, party: &str) -> Vec<(&'static str, String)> {
        let mut headers =
            vec![("OCPI-from-country-code", country.to_owned()), ("OCPI-from-party-id", party.to_owned())];
        if let Some((to_country, to_party)) = &self.target.party {
            headers.push(("OCPI-to-country-code", to_country.clone()));
            headers.push(("OCPI-to-party-id", to_party.clone()));
        }
        headers
    }
}

fn text(value: &Value, field: &str) -> String {
    value[field].as_str().unwrap_or_default().to_owned()
}

/// EVSEs the peer had (`last`) that are gone now go along as REMOVED: OCPI never deletes.
fn with_removed(mut body: Value, last: Option<&Value>) -> Value {
    let now = rfc3339(now_ms());
    let Some(gone) = last.and_then(|l| l["evses"].as_array()).map(|old| {
        let present: Vec<&Value> =
            body["evses"].as_array().map(|e| e.iter().map(|e| &e["uid"]).collect()).unwrap_or_default();
        old.iter().filter(|e| !present.contains(&&e["uid"])).cloned().collect::<Vec<_>>()
    }) else {
        return body;
    };
    if let Some(evses) = body["evses"].as_array_mut() {
        for mut evse in gone {
            if evse["status"] != "REMOVED" {
                evse["status"] = json!("REMOVED");
                evse["last_updated"] = json!(now);
            }
            evses.push(evse);
        }
    }
    body
}

/// The location as last sent with every EVSE REMOVED (unpublished or deleted).
fn all_removed(mut last: Value) -> Value {
    let now = rfc3339(now_ms());
    if let Some(evses) = last["evses"].as_array_mut() {
        for evse in evses {
            evse["status"] = json!("REMOVED");
            evse["last_updated"] = json!(now);
        }
    }
    last["last_updated"] = json!(now);
    last
}
