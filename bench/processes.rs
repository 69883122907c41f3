//! The processes under measurement: the real `emsp` binary and the PostGraphile peer, each on a
//! free loopback port, with their start-up time and peak memory.
use anyhow::{bail, Context};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Service {
    child: Child,
    pub base_url: String,
    /// From spawning the process to its first successful readiness answer.
    pub startup: Duration,
}

/// A port nobody listens on right now (the OS picks it; the service binds it a moment later).
fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Service {
    /// Starts `emsp serve` on `database_url` and waits until `/readyz` answers 200.
    pub async fn emsp(binary: &Path, site_root: &Path, database_url: &str, data_dir: &Path) -> anyhow::Result<Self> {
        let port = free_port()?;
        let mut command = Command::new(binary);
        command
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("EMSP_DATA_DIR", data_dir)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", site_root)
            .env("EMSP_JWT_SECRET", app::secret::ExposeSecret::expose_secret(&app::secret::generate("")))
            .env("EMSP_BENCH_ROUTES", "true")
            // OCPI answers carry absolute URLs (the Link of the next page) and our own party.
            .env("EMSP_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
            .env("EMSP_OCPI_PARTY", "NL-EMS")
            // Both servers under test run without per-request logging (PostGraphile: --disable-query-log).
            .env("RUST_LOG", "warn");
        let base_url = format!("http://127.0.0.1:{port}");
        let probe = format!("{base_url}/readyz");
        Self::start(command, base_url, move |client| client.get(probe.clone())).await
    }

    /// Starts PostGraphile 4 on `database_url` and waits until it answers a GraphQL query.
    pub async fn postgraphile(cli_js: &Path, database_url: &str) -> anyhow::Result<Self> {
        let port = free_port()?;
        let mut command = Command::new("node");
        command.arg(cli_js).args(["--connection", database_url, "--schema", "public", "--host", "127.0.0.1"]);
        command.args(["--port", &port.to_string(), "--disable-query-log", "--disable-graphiql"]);
        command.env("NODE_ENV", "production");
        let base_url = format!("http://127.0.0.1:{port}");
        let probe = format!("{base_url}/graphql");
        Self::start(command, base_url, move |client| {
            client.post(probe.clone()).header("content-type", "application/json").body(r#"{"query":"{__typename}"}"#)
        })
        .await
    }

    async fn start(
        mut command: Command,
        base_url: String,
        probe: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> anyhow::Result<Self> {
        let started = Instant::now();
        let program = command.get_program().to_string_lossy().into_owned();
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("cannot start {program}"))?;
        let mut service = Service { child, base_url, startup: Duration::ZERO };
        let client = reqwest::Client::new();
        while started.elapsed() < Duration::from_secs(60) {
            if let Some(status) = service.child.try_wait()? {
                bail!("{program} exited during start-up ({status})");
            }
            if probe(&client).send().await.is_ok_and(|r| r.status().is_success()) {
                service.startup = started.elapsed();
                return Ok(service);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        bail!("{program} was not ready within 60 s")
    }

    /// A memory figure of the process from /proc (Linux), in KiB.
    fn status_kib(&self, field: &str) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with(field))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// The most memory the process has held so far (VmHWM), in KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        self.status_kib("VmHWM:")
    }

    /// The memory the process holds now (VmRSS), in KiB.
    pub fn rss_kib(&self) -> Option<u64> {
        self.status_kib("VmRSS:")
    }

    /// Starts a new peak-RSS window (Linux: writing 5 to clear_refs resets VmHWM), so that two
    /// processes can be compared under the same load only.
    pub fn reset_peak_rss(&self) {
        let _ = std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5");
    }

    /// Asks for a graceful stop (SIGINT), then kills after 10 s.
    pub fn stop(mut self) {
        let _ = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
