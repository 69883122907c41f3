//! The OCPP rows of `make bench`: simulated chargers (the repo's simulator) connecting in a
//! crowd, a status storm beside the contract's query, and the memory of idle connections.
use crate::processes::Service;
use anyhow::{ensure, Context};
use emsp_sim::{Charger, Identity};
use sqlx::Connection;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Connections opened at once (the listen backlog is finite; real chargers do not arrive in
/// the same millisecond either).
pub const CONNECTING_AT_ONCE: usize = 250;

/// Gives `count` EVSEs of the dataset a one-EVSE charger each, all with the same key (stored
/// salted as the product stores generated keys); makes every owner OCPP-ready. Returns the
/// identities and the key.
pub async fn provision(database_url: &str, count: usize) -> anyhow::Result<(Vec<String>, String)> {
    let (key, digest) = app::auth::charger_key::generate();
    let mut db = sqlx::AnyConnection::connect(database_url).await?;
    sqlx::query("UPDATE cpo_owners SET ocpp_ready = 1").execute(&mut db).await?;
    sqlx::query(
        "INSERT INTO chargers (charge_point_id, location_id, key_digest, date_created, date_modified) \
         SELECT 'BENCH-' || uid, cpo_location_id, $1, 0, 0 FROM evses ORDER BY uid LIMIT $2",
    )
    .bind(&digest)
    .bind(i64::try_from(count)?)
    .execute(&mut db)
    .await?;
    sqlx::query(
        "INSERT INTO charger_evses (evse_uid, charger_id, position) \
         SELECT substr(charge_point_id, 7), id, 1 FROM chargers WHERE charge_point_id LIKE 'BENCH-%'",
    )
    .execute(&mut db)
    .await?;
    // Statistics, as a database that has run a while has them (autovacuum's analyse): without,
    // PostgreSQL guessed thousands of rows for a batch's hundred chargers and read every EVSE
    // (97 ms a batch instead of 9).
    for table in ["chargers", "charger_evses"] {
        sqlx::query(&format!("ANALYZE {table}")).execute(&mut db).await?;
    }
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT charge_point_id FROM chargers WHERE charge_point_id LIKE 'BENCH-%' ORDER BY id")
            .fetch_all(&mut db)
            .await?;
    ensure!(ids.len() == count, "only {} of {count} chargers provisioned", ids.len());
    Ok((ids, app::secret::ExposeSecret::expose_secret(&key).to_owned()))
}

/// Connects and boots every charger; returns them and how long until the last was accepted.
pub async fn connect_all(server: &Service, ids: &[String], key: &str) -> anyhow::Result<(Vec<Charger>, Duration)> {
    let endpoint = format!("{}/ocpp", server.base_url.replacen("http://", "ws://", 1));
    let gate = Arc::new(Semaphore::new(CONNECTING_AT_ONCE));
    let started = Instant::now();
    let tasks = ids.iter().map(|id| {
        let identity =
            Identity { endpoint: endpoint.clone(), charge_point_id: id.clone(), key: key.to_owned(), evses: 1 };
        let gate = gate.clone();
        tokio::spawn(async move {
            let _turn = gate.acquire_owned().await?;
            Charger::start(identity).await.map(|(charger, _)| charger)
        })
    });
    let mut chargers = Vec::with_capacity(ids.len());
    for task in futures_util::future::join_all(tasks).await {
        chargers.push(task?.context("a charger could not connect")?);
    }
    Ok((chargers, started.elapsed()))
}

/// Every charger sends a StatusNotification a second for `seconds` (alternating Charging and
/// Available, ending on Reserved); returns the chargers and every CALLRESULT's latency.
pub async fn status_storm(chargers: Vec<Charger>, seconds: u64) -> anyhow::Result<(Vec<Charger>, Vec<Duration>)> {
    let count = chargers.len().max(1);
    let tasks = chargers.into_iter().enumerate().map(|(i, mut charger)| {
        tokio::spawn(async move {
            // Spread over the second, as a real fleet is.
            let phase = Duration::from_millis((i * 1000 / count) as u64);
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + phase, Duration::from_secs(1));
            let mut latencies = Vec::with_capacity(seconds as usize + 1);
            for n in 0..=seconds {
                tick.tick().await;
                let status = if n == seconds {
                    "Reserved"
                } else if n % 2 == 0 {
                    "Charging"
                } else {
                    "Available"
                };
                let sent = Instant::now();
                charger.status(1, status).await?;
                latencies.push(sent.elapsed());
            }
            anyhow::Ok((charger, latencies))
        })
    });
    let (mut back, mut latencies) = (Vec::new(), Vec::new());
    for task in futures_util::future::join_all(tasks).await {
        let (charger, mine) = task??;
        back.push(charger);
        latencies.extend(mine);
    }
    Ok((back, latencies))
}

/// How many of these chargers' EVSEs do not show their last status (RESERVED).
pub async fn statuses_missing(database_url: &str, ids: &[String]) -> anyhow::Result<i64> {
    let mut db = sqlx::AnyConnection::connect(database_url).await?;
    let mut missing = 0;
    for chunk in ids.chunks(500) {
        let list = (1..=chunk.len()).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT COUNT(*) FROM chargers c JOIN charger_evses ce ON ce.charger_id = c.id JOIN evses e ON e.uid = ce.evse_uid \
             WHERE c.charge_point_id IN ({list}) AND e.status <> 'RESERVED'"
        );
        let mut query = sqlx::query_scalar::<_, i64>(&sql);
        for id in chunk {
            query = query.bind(id);
        }
        missing += query.fetch_one(&mut db).await?;
    }
    Ok(missing)
}

/// Waits (at most `within`) until no charger is shown connected; returns how long it took, or
/// (`Err`) how many were still shown connected at the end.
pub async fn all_disconnected(database_url: &str, within: Duration) -> anyhow::Result<Result<Duration, i64>> {
    let mut db = sqlx::AnyConnection::connect(database_url).await?;
    let started = Instant::now();
    loop {
        let connected: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM chargers WHERE connection_id IS NOT NULL")
            .fetch_one(&mut db)
            .await?;
        if connected == 0 {
            return Ok(Ok(started.elapsed()));
        }
        if started.elapsed() >= within {
            return Ok(Err(connected));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
