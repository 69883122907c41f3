//! `emsp-bench`, what `make bench` runs: generates a dataset on SQLite and PostgreSQL, starts the
//! real `emsp` binary on each, loads it with `wrk`, measures every hot path beside its ceiling in
//! the same run, and writes `report.md` and `report.json`. Exits non-zero when any response was not
//! a success with data; goals missed are reported, not fatal.
mod dataset;
mod load;
mod ocpi;
mod ocpp;
mod processes;
mod report;
mod scenarios;

use anyhow::{ensure, Context};
use app::secret::ExposeSecret;
use clap::Parser;
use dataset::{Dataset, Target};
use load::Request;
use processes::Service;
use report::{Line, Report};
use scenarios::{
    hostile_document, locations_query, Answers, Bench, Settings, Subject, EVSE_QUERY, LOCATIONS_QUERY,
    POSTGRAPHILE_QUERY,
};
use serde_json::{json, Value};
use sqlx::Connection;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(name = "emsp-bench", about = "Measures the EMSP server's hot paths against their ceilings and a peer")]
struct Args {
    /// Locations in the main dataset (the evse search is also measured at 1 000).
    #[arg(long, default_value_t = 100_000)]
    scale: usize,
    /// Smoke run: 1 000 locations (and 100), one short round each; what CI runs.
    #[arg(long)]
    quick: bool,
    /// The `emsp` binary to measure.
    #[arg(long, default_value = "target/release/emsp")]
    server: PathBuf,
    /// The built portal (`cargo leptos build` output), for the wasm size and the browse page.
    #[arg(long, default_value = "target/site")]
    site_root: PathBuf,
    /// A PostgreSQL server on which the benchmark creates and drops its own databases.
    #[arg(long, env = "EMSP_BENCH_POSTGRES_URL", default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres: String,
    /// PostGraphile 4's `cli.js`, the peer measured on PostgreSQL; skipped when absent.
    #[arg(long, default_value = "bench/peer/node_modules/postgraphile/cli.js")]
    postgraphile: PathBuf,
    /// Keep the PostgreSQL databases afterwards (emsp_bench_main, emsp_bench_small), for profiling.
    #[arg(long)]
    keep_databases: bool,
    /// Only the charger scenarios (OCPP): for working on the gateway.
    #[arg(long)]
    chargers_only: bool,
    /// Only the OCPI scenarios (Sender paging, push latency): for working on roaming.
    #[arg(long)]
    ocpi_only: bool,
    /// Only this backend (`sqlite` or `postgres`): for working on one of them.
    #[arg(long, value_parser = ["sqlite", "postgres"])]
    only: Option<String>,
    /// Where the report (and a work directory) go.
    #[arg(long, default_value = "target/bench")]
    out: PathBuf,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if let Err(e) = rlimit::increase_nofile_limit(u64::MAX) {
        eprintln!("warning: the open-files limit could not be raised: {e}");
    }
    match run(&args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("error: some responses were not a success with data (see {}/report.md)", args.out.display());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map(std::num::NonZero::get).unwrap_or(1)
}

async fn run(args: &Args) -> anyhow::Result<bool> {
    let started = Instant::now();
    let (scale, small, settings) = if args.quick {
        (1_000, 100, Settings { seconds: 1, warmup: 1, rounds: 1, connections: 8, soak_seconds: 15 })
    } else {
        (args.scale, 1_000, Settings { seconds: 5, warmup: 2, rounds: 3, connections: 8, soak_seconds: 600 })
    };
    let work = std::path::absolute(args.out.join("work"))?;
    std::fs::create_dir_all(&work)?;
    let mut report = Report {
        mode: if args.quick { "quick".into() } else { "full".into() },
        scale,
        machine: format!(
            "{} cores, wrk -t1 -c{}, {} × {} s rounds",
            cores(),
            settings.connections,
            settings.rounds,
            settings.seconds
        ),
        ..Report::default()
    };
    wasm_size(&args.site_root, &mut report)?;

    sqlx::any::install_default_drivers();
    let mut targets = Vec::new();
    if args.only.as_deref() != Some("postgres") {
        targets.push(Target::Sqlite(work.clone()));
    }
    if args.only.as_deref() != Some("sqlite") {
        match sqlx::AnyConnection::connect(&args.postgres).await {
            Ok(_) => targets.push(Target::Postgres(args.postgres.clone())),
            Err(e) => report.fact("PostgreSQL", format!("not reachable ({e}); measured on SQLite only")),
        }
    }
    for target in &targets {
        let run = BackendRun { args, settings: &settings, work: &work, scale, small };
        run.measure(target, &mut report).await?;
    }
    report.total_seconds = started.elapsed().as_secs_f64();
    report.write(&args.out)?;
    println!("\n{}", report.markdown());
    Ok(report.failures.is_empty())
}

/// The release bundle's size, raw and gzipped (as a browser downloads it).
fn wasm_size(site_root: &Path, report: &mut Report) -> anyhow::Result<()> {
    let pkg = site_root.join("pkg");
    let wasm = std::fs::read_dir(&pkg)
        .with_context(|| format!("{} (build the portal first)", pkg.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "wasm"))
        .with_context(|| format!("no .wasm in {}", pkg.display()))?;
    let raw = std::fs::metadata(&wasm)?.len();
    let gzip = std::process::Command::new("gzip").args(["-9", "-c"]).arg(&wasm).output().context("gzip")?;
    let gzipped = gzip.stdout.len() as f64 / 1024.0;
    report.line(Line {
        scenario: "wasm bundle of the portal, gzipped".into(),
        backend: "–".into(),
        requests_per_second: None,
        p50_ms: None,
        p99_ms: None,
        ceiling: format!("raw {:.0} KB", raw as f64 / 1024.0),
        ratio: Some(gzipped),
        goal: "≤ 350 KB gzipped (ratio column: KB)".into(),
        pass: Some(gzipped <= 350.0),
    });
    Ok(())
}

/// Median time of one verify of the right password, on the server's own hashing code.
async fn argon2_verify_time(times: usize) -> anyhow::Result<Duration> {
    let hash = app::auth::password::hash("bench password".into()).await?;
    let mut samples = Vec::new();
    for _ in 0..times {
        let started = Instant::now();
        ensure!(app::auth::password::verify("bench password".into(), Some(hash.clone())).await, "verify failed");
        samples.push(started.elapsed());
    }
    samples.sort();
    Ok(samples[samples.len() / 2])
}

struct BackendRun<'a> {
    args: &'a Args,
    settings: &'a Settings,
    work: &'a Path,
    scale: usize,
    small: usize,
}

impl BackendRun<'_> {
    async fn measure(&self, target: &Target, report: &mut Report) -> anyhow::Result<()> {
        let backend = match target {
            Target::Sqlite(_) => "SQLite",
            Target::Postgres(_) => "PostgreSQL",
        };
        println!("== {backend}: generating {} and {} locations", self.scale, self.small);
        let data = Dataset::create(target, "emsp_bench_main", self.scale).await?;
        report.fact(
            format!("dataset generation [{backend}]"),
            format!(
                "{} locations, {} EVSEs, {} connectors in {:.1} s",
                data.locations,
                data.evses,
                data.connectors,
                data.generation.as_secs_f64()
            ),
        );
        let small = Dataset::create(target, "emsp_bench_small", self.small).await?;
        let (one, hundred) =
            statement_counts(&data, &self.args.site_root, &self.work.join(format!("{backend}-inprocess"))).await?;
        let server = self.serve(&data.url, &format!("{backend}-main")).await?;
        report.fact(
            format!("process start to /readyz = 200 [{backend}]"),
            format!("{:.0} ms", server.startup.as_secs_f64() * 1000.0),
        );
        let small_server = self.serve(&small.url, &format!("{backend}-small")).await?;
        passthrough_matches(&server, &data.api_token).await?;

        let token = Some(data.api_token.as_str());
        let locations = |service| Subject {
            name: "locations(limit: 10)",
            service,
            request: Request::graphql("/graphql", token, LOCATIONS_QUERY, "\"evse_id\""),
        };
        let mut bench = Bench { settings: self.settings, work: self.work, report, backend };
        if self.args.chargers_only || self.args.ocpi_only {
            if self.args.chargers_only {
                self.chargers(&mut bench, &server, &data, &locations(&server)).await?;
            } else {
                ocpi::measure(&mut bench, &server, &data, self.args.quick).await?;
            }
            server.stop();
            small_server.stop();
            if !self.args.keep_databases {
                data.drop_database().await?;
                small.drop_database().await?;
            }
            return Ok(());
        }

        println!("-- locations(limit: 10) beside its passthrough ceiling");
        let passthrough = Subject {
            name: "passthrough",
            service: &server,
            request: Request::get("/bench/locations?limit=10&offset=0", token, "\"evse_id\""),
        };
        let s = bench.side_by_side(&[locations(&server), passthrough])?;
        let scenario = "contract `locations(limit: 10)`, all nested";
        bench.share_of_ceiling(scenario, s[0], "passthrough, one SQL statement", s[1].rps, 0.5);

        println!("-- evse name search at {} and at {}", self.scale, self.small);
        // Each dataset has its own API token.
        let evse = |service, token: &str| Subject {
            name: "evse search",
            service,
            request: Request::graphql("/graphql", Some(token), EVSE_QUERY, "\"evse_id\""),
        };
        let s = bench.side_by_side(&[evse(&server, &data.api_token), evse(&small_server, &small.api_token)])?;
        let ratio = s[0].p50_ms / s[1].p50_ms;
        let ceiling = format!("same at {} locations: p50 {:.2} ms", self.small, s[1].p50_ms);
        bench.line(
            "contract `evse(location_name: \"Fi\", …DESC)`",
            s[0],
            ceiling,
            Some(ratio),
            "p50 ≤ 2 × p50 at 1 000",
            Some(ratio <= 2.0),
        );

        bench.report.line(Line {
            scenario: "`locations(limit: 100)`: SQL reads per request".into(),
            backend: backend.into(),
            requests_per_second: None,
            p50_ms: None,
            p99_ms: None,
            ceiling: format!("limit: 1 runs {one}"),
            ratio: Some(hundred as f64 / one.max(1) as f64),
            goal: format!("same count as limit: 1 ({hundred} vs {one})"),
            pass: Some(hundred == one),
        });

        println!("-- login at full speed");
        let login = Subject {
            name: "login",
            service: &server,
            request: {
                let mut r = Request::json_post(
                    "/ocpi/cpo/api/auth/v1/login",
                    json!({ "username": data.username, "password": data.password }),
                    "\"access_token\"",
                );
                r.headers.push(("Authorization", format!("Bearer {}", data.api_token)));
                r
            },
        };
        // Measured here, with both servers idle, so the ceiling sees the machine the logins see.
        let verify = argon2_verify_time(if self.args.quick { 5 } else { 21 }).await?;
        let verify_ms = verify.as_secs_f64() * 1000.0;
        bench.report.fact(
            format!("one Argon2id verify (m=19456 KiB, t=2), in-process [{backend}]"),
            format!("{verify_ms:.1} ms"),
        );
        let s = bench.side_by_side(std::slice::from_ref(&login))?;
        let ceiling = format!("{} cores ÷ one verify", cores());
        bench.share_of_ceiling("login, right password", s[0], &ceiling, cores() as f64 / verify.as_secs_f64(), 0.85);

        println!("-- locations(limit: 10) alone and while logins run flat out");
        let scenario = "`locations(limit: 10)` during a login flood";
        bench.p99_beside(scenario, &locations(&server), &login, 2 * cores(), "logins")?;

        println!("-- locations(limit: 10) alone and while 16 clients send hostile documents");
        let hostile = Subject {
            name: "hostile document",
            service: &server,
            request: Request::graphql_refused("/graphql", token, &hostile_document(), 400, "too complex"),
        };
        let scenario = "`locations(limit: 10)` beside 16 hostile documents";
        bench.p99_beside(scenario, &locations(&server), &hostile, 16, "refusals")?;

        println!("-- the public browse page beside locations(limit: 20)");
        let browse =
            Subject { name: "browse page", service: &server, request: Request::get("/browse", None, "class=\"card\"") };
        let twenty = Subject {
            name: "locations(limit: 20)",
            service: &server,
            request: Request::graphql("/graphql", token, &locations_query(20), "\"evse_id\""),
        };
        let s = bench.side_by_side(&[browse, twenty])?;
        let scenario = "public browse page (SSR, 20 locations)";
        bench.share_of_ceiling(scenario, s[0], "GraphQL locations(limit: 20)", s[1].rps, 0.5);

        ocpi::measure(&mut bench, &server, &data, self.args.quick).await?;
        self.chargers(&mut bench, &server, &data, &locations(&server)).await?;

        let rss = server.peak_rss_kib().unwrap_or(0);
        if matches!(target, Target::Postgres(_)) {
            self.against_peer(&mut bench, &server, &data).await?;
        }
        println!("-- 8 concurrent uploads of 40-megapixel images");
        upload_memory(&mut bench, &small_server, &small).await?;
        if matches!(target, Target::Sqlite(_)) {
            println!("-- memory soak: {} s at saturation", self.settings.soak_seconds);
            soak(&mut bench, &locations(&server), self.settings.soak_seconds)?;
        }
        bench
            .report
            .fact(format!("peak RSS of emsp under load [{backend}]"), format!("{:.1} MiB", rss as f64 / 1024.0));
        server.stop();
        small_server.stop();
        if !self.args.keep_databases {
            data.drop_database().await?;
            small.drop_database().await?;
        }
        Ok(())
    }

    /// Simulated chargers: a crowd connecting, a status storm beside the contract's query, and
    /// the memory each idle connection costs.
    async fn chargers(
        &self,
        bench: &mut Bench<'_>,
        server: &Service,
        data: &Dataset,
        locations: &Subject<'_>,
    ) -> anyhow::Result<()> {
        let (crowd, storm_seconds, idle): (usize, u64, usize) =
            if self.args.quick { (100, 6, 300) } else { (1_000, 60, 10_000) };
        let (ids, key) = ocpp::provision(&data.url, idle.max(crowd)).await?;
        println!("-- {crowd} chargers connect and boot");
        let (chargers, took) = ocpp::connect_all(server, &ids[..crowd], &key).await?;
        let seconds = took.as_secs_f64();
        bench.report.line(Line {
            scenario: format!("{crowd} chargers connect (Basic auth + BootNotification)"),
            backend: bench.backend.into(),
            requests_per_second: Some(crowd as f64 / seconds),
            p50_ms: None,
            p99_ms: None,
            ceiling: format!("{} connecting at once", ocpp::CONNECTING_AT_ONCE),
            ratio: Some(seconds),
            goal: "all accepted ≤ 10 s (ratio column: s)".into(),
            pass: Some(seconds <= 10.0),
        });
        let storm = format!("StatusNotification from {crowd} chargers, 1/s each for {storm_seconds} s");
        println!("-- locations(limit: 10) alone, then during a status storm of {crowd} chargers");
        let measured = storm_seconds.saturating_sub(4).max(1);
        let rounds = bench.side_by_side(std::slice::from_ref(locations))?[0];
        // Alone as beside: one run of the same length. The median of short rounds' p99s leaves
        // out the rare slow requests (autovacuum, checkpoints) that a long run's p99 holds, and
        // made the ratio compare unlike figures.
        let alone = bench.once(locations, measured)?;
        let storm_task = tokio::spawn(ocpp::status_storm(chargers, storm_seconds));
        tokio::time::sleep(Duration::from_secs(2)).await;
        // wrk blocks this thread for the whole round: without `block_in_place` the simulated
        // chargers would have one of the runtime's two workers, and their own scheduling
        // delays would count as the server's latency.
        let beside = tokio::task::block_in_place(|| bench.once(locations, measured))?;
        let (chargers, latencies) = storm_task.await??;
        let ratio = beside.p99_ms / alone.p99_ms;
        let ceiling = format!(
            "alone: p99 {:.2} ms in {measured} s ({:.2} ms: median of {} × {} s rounds)",
            alone.p99_ms, rounds.p99_ms, bench.settings.rounds, bench.settings.seconds
        );
        let scenario = "`locations(limit: 10)` during the status storm";
        bench.line(scenario, beside, ceiling, Some(ratio), "p99 ≤ 1.5 × alone", Some(ratio <= 1.5));
        // Beside a reader that holds both cores at saturation, a CALLRESULT's time is mostly CPU
        // queueing (of the server, PostgreSQL, wrk and the simulated chargers alike): shown, but
        // the gateway's goal is measured in a second storm with nothing else running.
        let ceiling = format!("{} CALLRESULTs; `locations` at saturation meanwhile", latencies.len());
        let answers = Answers::of(latencies, storm_seconds);
        let scenario = format!("{storm}, beside `locations(limit: 10)` at saturation");
        bench.storm_line(scenario, &answers, ceiling, "shown, no goal of its own", None);
        println!("-- a second status storm, alone");
        let (chargers, latencies) = ocpp::status_storm(chargers, storm_seconds).await?;
        let missing = ocpp::statuses_missing(&data.url, &ids[..crowd]).await?;
        let ceiling = format!("{} CALLRESULTs; last statuses not stored: {missing}", latencies.len());
        let answers = Answers::of(latencies, storm_seconds);
        let goal = "CALLRESULT p99 ≤ 50 ms, every status stored";
        bench.storm_line(storm, &answers, ceiling, goal, Some(answers.p99_ms <= 50.0 && missing == 0));
        drop(chargers);
        println!("-- {idle} idle chargers: resident memory per connection");
        tokio::time::sleep(Duration::from_secs(2)).await;
        let before = server.rss_kib().unwrap_or(0);
        let (idle_chargers, _) = ocpp::connect_all(server, &ids[..idle], &key).await?;
        tokio::time::sleep(Duration::from_secs(3)).await;
        let after = server.rss_kib().unwrap_or(0);
        let per_charger = after.saturating_sub(before) as f64 / idle as f64;
        bench.report.line(Line {
            scenario: format!("{idle} idle chargers connected: RSS per charger"),
            backend: bench.backend.into(),
            requests_per_second: None,
            p50_ms: None,
            p99_ms: None,
            ceiling: format!("RSS {:.0} → {:.0} MiB", before as f64 / 1024.0, after as f64 / 1024.0),
            ratio: Some(per_charger),
            goal: "≤ 64 KiB (ratio column: KiB)".into(),
            pass: Some(per_charger <= 64.0),
        });
        drop(idle_chargers);
        // A fleet dropping at once (a network cut) must leave none of them shown connected.
        let recorded = ocpp::all_disconnected(&data.url, Duration::from_secs(120)).await?;
        bench.report.line(Line {
            scenario: format!("{idle} chargers disconnect at once: all recorded"),
            backend: bench.backend.into(),
            requests_per_second: None,
            p50_ms: None,
            p99_ms: None,
            ceiling: match recorded {
                Ok(took) => format!("all {idle} shown disconnected after {:.1} s", took.as_secs_f64()),
                Err(left) => format!("{left} still shown connected after 120 s"),
            },
            ratio: recorded.ok().map(|took| took.as_secs_f64()),
            goal: "none left shown connected (ratio column: s)".into(),
            pass: Some(recorded.is_ok()),
        });
        Ok(())
    }

    /// The `emsp` under test on `database_url`, with a data directory of its own.
    async fn serve(&self, database_url: &str, name: &str) -> anyhow::Result<Service> {
        Service::emsp(&self.args.server, &self.args.site_root, database_url, &self.work.join(name)).await
    }

    async fn against_peer(&self, bench: &mut Bench<'_>, server: &Service, data: &Dataset) -> anyhow::Result<()> {
        if !self.args.postgraphile.exists() {
            bench
                .report
                .fact("PostGraphile peer", format!("skipped: {} not installed", self.args.postgraphile.display()));
            return Ok(());
        }
        println!("-- PostGraphile 4 on the same database");
        let peer = Service::postgraphile(&self.args.postgraphile, &data.url).await?;
        let ours = Subject {
            name: "locations(limit: 10)",
            service: server,
            request: Request::graphql("/graphql", Some(&data.api_token), LOCATIONS_QUERY, "\"evse_id\""),
        };
        let theirs = Subject {
            name: "PostGraphile",
            service: &peer,
            request: Request::graphql("/graphql", None, POSTGRAPHILE_QUERY, "\"evseId\""),
        };
        // Peak memory of both under this same load only (ours otherwise includes the logins'
        // Argon2 blocks from an earlier scenario).
        server.reset_peak_rss();
        peer.reset_peak_rss();
        let s = bench.side_by_side(&[ours, theirs])?;
        let (our_rss, their_rss) = (server.peak_rss_kib().unwrap_or(0), peer.peak_rss_kib().unwrap_or(0));
        let ratio = s[0].rps / s[1].rps;
        let pass = ratio >= 2.0 && s[0].p99_ms <= s[1].p99_ms && our_rss * 3 <= their_rss;
        let ceiling = format!(
            "PostGraphile 4: {:.0} req/s, p99 {:.2} ms, peak RSS {:.0} MiB (ours {:.0} MiB)",
            s[1].rps,
            s[1].p99_ms,
            their_rss as f64 / 1024.0,
            our_rss as f64 / 1024.0
        );
        bench.line(
            "peer: contract locations vs PostGraphile",
            s[0],
            ceiling,
            Some(ratio),
            "≥ 2 × req/s, p99 ≤, RSS ≤ ⅓",
            Some(pass),
        );
        peer.stop();
        Ok(())
    }
}

/// The passthrough must be the same document as the GraphQL answer, or it is no ceiling.
async fn passthrough_matches(server: &Service, token: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let graphql: Value = client
        .post(format!("{}/graphql", server.base_url))
        .bearer_auth(token)
        .json(&json!({ "query": LOCATIONS_QUERY }))
        .send()
        .await?
        .json()
        .await?;
    let passthrough: Value = client
        .get(format!("{}/bench/locations?limit=10&offset=0", server.base_url))
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?;
    ensure!(
        graphql["data"]["locations"].as_array().is_some_and(|l| !l.is_empty()),
        "GraphQL returned no locations: {graphql}"
    );
    ensure!(graphql == passthrough, "the passthrough differs from the GraphQL answer:\n{graphql}\n{passthrough}");
    Ok(())
}

/// SQL reads per `locations` request at limit 1 and 100, counted by the store of a server run
/// in this process on the same database.
async fn statement_counts(data: &Dataset, site_root: &Path, data_dir: &Path) -> anyhow::Result<(u64, u64)> {
    std::fs::create_dir_all(data_dir)?;
    let dir = data_dir.to_str().context("data directory is not UTF-8")?;
    let site = site_root.to_str().context("site root is not UTF-8")?;
    let secret = app::secret::generate("");
    let args = ["emsp", "--addr", "127.0.0.1:0", "--data-dir", dir, "--database-url", &data.url, "--site-root", site];
    // One argument `--jwt-secret=…`: a random secret may begin with '-', which clap would take
    // for a flag (CI caught it).
    let secret = format!("--jwt-secret={}", secret.expose_secret());
    let cli = <emsp::cli::Cli as clap::Parser>::try_parse_from(args.into_iter().chain([secret.as_str()]))?;
    let config = emsp::config::Config::for_serving(&cli.options)?;
    let server = emsp::Application::build(config).await?;
    let (addr, store) = (server.local_addr(), server.state().store.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run_until(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let mut counts = Vec::new();
    for limit in [1, 100] {
        let before = store.statements_run();
        let answer: Value = client
            .post(format!("http://{addr}/graphql"))
            .bearer_auth(&data.api_token)
            .json(&json!({ "query": locations_query(limit) }))
            .send()
            .await?
            .json()
            .await?;
        let rows = answer["data"]["locations"].as_array().map_or(0, Vec::len);
        ensure!(rows == limit as usize, "locations(limit: {limit}) returned {rows} rows: {answer}");
        counts.push(store.statements_run() - before);
    }
    let _ = stop.send(());
    running.await??;
    Ok((counts[0], counts[1]))
}

/// What 8 concurrent uploads of the largest accepted image (40 MP) add to the server's resident
/// memory, peak over idle; the decoding budget makes them take turns.
async fn upload_memory(bench: &mut Bench<'_>, server: &Service, data: &Dataset) -> anyhow::Result<()> {
    let (access, locations) =
        data.owner_with_locations(&server.base_url, ("bench-uploader", "Bench Uploads"), None, 8).await?;
    let image = tokio::task::spawn_blocking(|| {
        let mut png = Vec::new();
        let pixels = image::RgbImage::from_pixel(6_400, 6_250, image::Rgb([40, 120, 200]));
        image::DynamicImage::ImageRgb8(pixels)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
        anyhow::Ok(png)
    })
    .await??;
    let before = server.rss_kib().unwrap_or(0);
    server.reset_peak_rss();
    let client = reqwest::Client::new();
    let uploads = locations.into_iter().map(|location| {
        let form = reqwest::multipart::Form::new()
            .text("location_id", location.to_string())
            .part("location_photos", reqwest::multipart::Part::bytes(image.clone()).file_name("big.png"));
        client
            .post(format!("{}/2.2/locations/photos/uploads", server.base_url))
            .bearer_auth(&access)
            .multipart(form)
            .send()
    });
    let started = Instant::now();
    let answers = futures_util::future::join_all(uploads).await;
    let took = started.elapsed();
    let ok = answers.iter().filter(|a| a.as_ref().is_ok_and(|r| r.status() == 200)).count();
    ensure!(ok == 8, "only {ok} of 8 uploads succeeded");
    let added_mib = server.peak_rss_kib().unwrap_or(0).saturating_sub(before) as f64 / 1024.0;
    bench.report.line(Line {
        scenario: "8 concurrent 40 MP image uploads: RSS added".into(),
        backend: bench.backend.into(),
        requests_per_second: None,
        p50_ms: None,
        p99_ms: None,
        ceiling: format!("idle RSS {:.0} MiB; all 8 done in {:.1} s", before as f64 / 1024.0, took.as_secs_f64()),
        ratio: Some(added_mib),
        goal: "≤ 256 MiB (ratio column: MiB)".into(),
        pass: Some(added_mib <= 256.0),
    });
    Ok(())
}

/// `subject` at saturation (200 connections) for `seconds`, RSS sampled 30 times: RSS at the end
/// must be within 5 % of RSS at the start of the last third (growth that plateaus, not a leak).
fn soak(bench: &mut Bench<'_>, subject: &Subject, seconds: u64) -> anyhow::Result<()> {
    const SLICES: u64 = 30;
    let slice = (seconds / SLICES).max(1);
    let mut rss = Vec::new();
    let mut requests = 0;
    for _ in 0..SLICES {
        let sample = load::measure(&subject.service.base_url, &subject.request, 200, slice, bench.work)?;
        bench.check(subject.name, &sample);
        requests += sample.requests;
        rss.push(subject.service.rss_kib().unwrap_or(0));
    }
    let third = rss[rss.len() * 2 / 3].max(1);
    let last = rss[rss.len() - 1];
    let growth = last as f64 / third as f64 - 1.0;
    let mib = |kib: u64| kib as f64 / 1024.0;
    bench.report.line(Line {
        scenario: format!("memory soak: `locations(limit: 10)`, 200 clients, {} s", slice * SLICES),
        backend: bench.backend.into(),
        requests_per_second: Some(requests as f64 / (slice * SLICES) as f64),
        p50_ms: None,
        p99_ms: None,
        ceiling: format!("RSS {:.1} → {:.1} → {:.1} MiB (start, last third, end)", mib(rss[0]), mib(third), mib(last)),
        ratio: Some(growth * 100.0),
        goal: "growth in the last third ≤ 5 % (ratio column: %)".into(),
        pass: Some(growth <= 0.05),
    });
    Ok(())
}
