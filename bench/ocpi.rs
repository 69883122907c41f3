//! The OCPI rows of issue 14, on the main dataset: the Sender list's deepest full page reached through
//! the Link chain beside its first page, a full sync of every page, and the latency from a
//! GraphQL change to a roaming peer's receipt of the push while 50 changes a second are made.
//! The peer is played by an axum server in this process: versions, 2.2.1 details and a Locations
//! Receiver that notes when each pushed location name first arrives.
use crate::dataset::Dataset;
use crate::load::Request;
use crate::processes::Service;
use crate::report::Line;
use crate::scenarios::{percentile_ms, Bench, Subject};
use anyhow::{ensure, Context};
use app::store::Store;
use axum::extract::State;
use axum::http::{Method, Uri};
use axum::routing::any;
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TOKEN_A: &str = "bench-ocpi-token-a";
const PEER_TOKEN: &str = "bench-ocpi-peer-token";
const LIST: &str = "/ocpi/2.2.1/cpo/locations";
/// Changes a second in the push scenario (the figure).
const CHANGES_PER_SECOND: u64 = 50;

/// When each pushed location name first reached the peer.
type Arrivals = Arc<Mutex<HashMap<String, Instant>>>;

struct Peer {
    base: String,
    arrivals: Arrivals,
}

impl Peer {
    async fn start() -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let arrivals = Arrivals::default();
        let state = (base.clone(), arrivals.clone());
        let router = Router::new().fallback(any(answer)).with_state(state);
        tokio::spawn(async move { axum::serve(listener, router).await });
        Ok(Peer { base, arrivals })
    }

    fn arrived(&self, names: impl Iterator<Item = String>) -> Vec<Option<Instant>> {
        let arrivals = self.arrivals.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        names.map(|name| arrivals.get(&name).copied()).collect()
    }
}

async fn answer(
    State((base, arrivals)): State<(String, Arrivals)>,
    method: Method,
    uri: Uri,
    body: String,
) -> Json<Value> {
    let data = match (method.as_str(), uri.path()) {
        ("GET", "/ocpi/versions") => json!([{ "version": "2.2.1", "url": format!("{base}/ocpi/2.2.1") }]),
        ("GET", "/ocpi/2.2.1") => json!({ "version": "2.2.1", "endpoints": [
            { "identifier": "credentials", "role": "SENDER", "url": format!("{base}/ocpi/2.2.1/credentials") },
            { "identifier": "locations", "role": "RECEIVER", "url": format!("{base}/ocpi/2.2.1/emsp/locations") },
        ]}),
        _ => {
            let name = serde_json::from_str::<Value>(&body).ok().and_then(|b| b["name"].as_str().map(str::to_owned));
            if let Some(name) = name {
                let now = Instant::now();
                arrivals.lock().unwrap_or_else(std::sync::PoisonError::into_inner).entry(name).or_insert(now);
            }
            Value::Null
        }
    };
    Json(json!({ "data": data, "status_code": 1000, "timestamp": "2026-01-01T00:00:00Z" }))
}

fn token_header(token: &str) -> String {
    format!("Token {}", STANDARD.encode(token))
}

/// Gives every dataset owner a party (NL-B00, NL-B01, …).
async fn give_parties(store: &Store) -> anyhow::Result<()> {
    let owners: Vec<i64> = sqlx::query_scalar("SELECT id FROM cpo_owners WHERE party_id IS NULL ORDER BY id")
        .fetch_all(store.pool())
        .await?;
    for (n, owner) in owners.into_iter().enumerate() {
        store.set_party(owner, Some(("NL", &format!("B{n:02}")))).await?;
    }
    Ok(())
}

/// Registers the peer (it starts: TOKEN_A, then its credentials); returns the token the peer
/// calls us with.
async fn register(server: &Service, store: &Store, peer: &Peer) -> anyhow::Result<String> {
    store.open_ocpi_peer("bench-peer", TOKEN_A, false).await?;
    let credentials = json!({
        "token": PEER_TOKEN,
        "url": format!("{}/ocpi/versions", peer.base),
        "roles": [{ "role": "EMSP", "party_id": "PEE", "country_code": "DE",
                    "business_details": { "name": "Bench peer" } }],
    });
    let answer: Value = reqwest::Client::new()
        .post(format!("{}/ocpi/2.2.1/credentials", server.base_url))
        .header("Authorization", token_header(TOKEN_A))
        .json(&credentials)
        .send()
        .await?
        .json()
        .await?;
    let token = answer["data"]["token"].as_str().with_context(|| format!("registration refused: {answer}"))?;
    Ok(token.to_owned())
}

/// The path and query of the next page from a `Link: <url>; rel="next"` header.
fn next_page(headers: &reqwest::header::HeaderMap, base_url: &str) -> Option<String> {
    let link = headers.get("link")?.to_str().ok()?;
    let url = link.strip_prefix('<')?.split_once('>')?.0;
    Some(url.strip_prefix(base_url).unwrap_or(url).to_owned())
}

struct Sync {
    pages: usize,
    locations: usize,
    total: usize,
    took: Duration,
    /// The deepest page holding as many locations as the first (the last page is usually
    /// partial, and a shorter page would flatter the comparison), and its number.
    deepest_full_page: (String, usize),
}

/// Follows the Link chain from the first page to the last, as a peer's full sync does.
async fn full_sync(server: &Service, token: &str) -> anyhow::Result<Sync> {
    let client = reqwest::Client::new();
    let started = Instant::now();
    let (mut next, mut deepest_full_page) = (Some(LIST.to_owned()), (LIST.to_owned(), 1));
    let (mut pages, mut locations, mut total, mut full_size) = (0, 0, 0, None);
    while let Some(path) = next.take() {
        let response = client
            .get(format!("{}{path}", server.base_url))
            .header("Authorization", token_header(token))
            .send()
            .await?;
        let headers = response.headers().clone();
        let body: Value = response.json().await?;
        ensure!(body["status_code"] == 1000, "page {path}: {body}");
        total = headers.get("x-total-count").and_then(|v| v.to_str().ok()?.parse().ok()).context("X-Total-Count")?;
        let size = body["data"].as_array().map_or(0, Vec::len);
        locations += size;
        pages += 1;
        if *full_size.get_or_insert(size) == size {
            deepest_full_page = (path, pages);
        }
        next = next_page(&headers, &server.base_url);
    }
    Ok(Sync { pages, locations, total, took: started.elapsed(), deepest_full_page })
}

pub async fn measure(bench: &mut Bench<'_>, server: &Service, data: &Dataset, quick: bool) -> anyhow::Result<()> {
    let store = Store::connect(&data.url).await?;
    let peer = Peer::start().await?;
    give_parties(&store).await?;
    let token = register(server, &store, &peer).await?;

    println!("-- OCPI: a full sync through the Link chain");
    let sync = full_sync(server, &token).await?;
    let took = sync.took.as_secs_f64();
    bench.report.line(Line {
        scenario: "OCPI Sender: full sync of every page through `Link`".into(),
        backend: bench.backend.into(),
        requests_per_second: Some(sync.pages as f64 / took),
        p50_ms: None,
        p99_ms: None,
        ceiling: format!("{} pages, {} of {} locations (X-Total-Count)", sync.pages, sync.locations, sync.total),
        ratio: Some(took),
        goal: "every location once (ratio column: s; req/s column: pages/s)".into(),
        pass: Some(sync.locations == sync.total),
    });

    println!("-- OCPI: the deepest full page (through Link) beside the first");
    let page = |name, path: &str| {
        let mut request = Request::get(path, None, "\"party_id\"");
        request.headers.push(("Authorization", token_header(&token)));
        Subject { name, service: server, request }
    };
    let (deepest, depth) = &sync.deepest_full_page;
    let s = bench.side_by_side(&[page("OCPI deepest full page", deepest), page("OCPI first page", LIST)])?;
    let ratio = s[0].p50_ms / s[1].p50_ms;
    let ceiling = format!("first page: p50 {:.2} ms (page {depth} of {})", s[1].p50_ms, sync.pages);
    let scenario = "OCPI Sender: deepest full page via the `Link` cursor";
    bench.line(scenario, s[0], ceiling, Some(ratio), "p50 ≤ 1.5 × first page", Some(ratio <= 1.5));

    let seconds = if quick { 4 } else { 30 };
    println!("-- OCPI: push latency at {CHANGES_PER_SECOND} GraphQL changes/s for {seconds} s");
    // Locations of their own to change (after the paging rows, which they would otherwise end);
    // their creation is pushed and drained first.
    let changes = (CHANGES_PER_SECOND * seconds) as usize;
    let who = ("bench-roaming", "Push target");
    let (access, targets) = data.owner_with_locations(&server.base_url, who, Some(("NL", "PSH")), changes).await?;
    wait_for(&peer, (0..changes).map(|i| format!("Push target {i}")), Duration::from_secs(120)).await?;
    let latencies = push_latencies(server, &peer, &access, &targets).await?;
    let mut sorted: Vec<Duration> = latencies.iter().flatten().copied().collect();
    sorted.sort();
    let missing = latencies.len() - sorted.len();
    let p99 = percentile_ms(&sorted, 99);
    bench.report.line(Line {
        scenario: format!("OCPI push: GraphQL change → peer receipt, {CHANGES_PER_SECOND}/s for {seconds} s"),
        backend: bench.backend.into(),
        requests_per_second: Some(CHANGES_PER_SECOND as f64),
        p50_ms: Some(percentile_ms(&sorted, 50)),
        p99_ms: Some(p99),
        ceiling: format!("{} changes, {missing} not received within 30 s", latencies.len()),
        ratio: Some(p99 / 1000.0),
        goal: "p99 ≤ 2 s, every change received (ratio column: s)".into(),
        pass: Some(p99 <= 2000.0 && missing == 0),
    });

    // Unregistered, so that later scenarios push nothing.
    reqwest::Client::new()
        .delete(format!("{}/ocpi/2.2.1/credentials", server.base_url))
        .header("Authorization", token_header(&token))
        .send()
        .await?;
    store.close().await;
    Ok(())
}

/// Waits until every name in `names` has reached the peer.
async fn wait_for(peer: &Peer, names: impl Iterator<Item = String> + Clone, limit: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        let missing = peer.arrived(names.clone()).iter().filter(|a| a.is_none()).count();
        if missing == 0 {
            return Ok(());
        }
        ensure!(started.elapsed() < limit, "{missing} pushes did not reach the peer within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Renames each target once, `CHANGES_PER_SECOND` a second, by GraphQL as its owner; each
/// change's time from sending the mutation to the peer's receipt (None: never received).
async fn push_latencies(
    server: &Service,
    peer: &Peer,
    access: &str,
    targets: &[i64],
) -> anyhow::Result<Vec<Option<Duration>>> {
    const MUTATION: &str =
        "mutation($id: Int!, $input: LocationInput!) { updateLocation(id: $id, input: $input) { id } }";
    let client = reqwest::Client::new();
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / CHANGES_PER_SECOND));
    let mut sent = Vec::with_capacity(targets.len());
    let mut requests = Vec::with_capacity(targets.len());
    for (i, id) in targets.iter().enumerate() {
        tick.tick().await;
        let input = json!({ "name": format!("push {i}"), "address": "Bench street 1", "address_lat": 52.37,
                            "address_lng": 4.9, "city": "Amsterdam", "country_code": "NL", "publish": true });
        let request = client
            .post(format!("{}/graphql", server.base_url))
            .bearer_auth(access)
            .json(&json!({ "query": MUTATION, "variables": { "id": id, "input": input } }));
        sent.push(Instant::now());
        requests.push(tokio::spawn(async move { request.send().await?.json::<Value>().await }));
    }
    for request in requests {
        let answer = request.await??;
        ensure!(answer["errors"].is_null(), "updateLocation failed: {answer}");
    }
    let names = || (0..targets.len()).map(|i| format!("push {i}"));
    let _ = wait_for(peer, names(), Duration::from_secs(30)).await;
    Ok(peer.arrived(names()).into_iter().zip(sent).map(|(arrived, sent)| arrived.map(|a| a - sent)).collect())
}
