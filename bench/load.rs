//! HTTP load from a separate process: `wrk` with a Lua script that checks every response (the
//! expected status, the expected text present, and for a 200 no GraphQL `errors`) and reports
//! percentiles as one JSON line.
use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// One kind of request, fired over and over.
#[derive(Clone)]
pub struct Request {
    pub method: &'static str,
    pub path: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
    /// Text every good response contains (proof that data came back, not just a 200).
    pub expect: &'static str,
    /// The status every good response has: 200, or the refusal a hostile request must get.
    pub status: u16,
}

impl Request {
    pub fn graphql(path: &str, bearer: Option<&str>, query: &str, expect: &'static str) -> Self {
        let mut headers = vec![("Content-Type", "application/json".to_owned())];
        if let Some(token) = bearer {
            headers.push(("Authorization", format!("Bearer {token}")));
        }
        let body = serde_json::json!({ "query": query }).to_string();
        Request { method: "POST", path: path.to_owned(), headers, body: Some(body), expect, status: 200 }
    }

    /// A GraphQL request that must be refused with `status` and a message containing `expect`.
    pub fn graphql_refused(path: &str, bearer: Option<&str>, query: &str, status: u16, expect: &'static str) -> Self {
        Request { status, ..Request::graphql(path, bearer, query, expect) }
    }

    pub fn get(path: &str, bearer: Option<&str>, expect: &'static str) -> Self {
        let headers = bearer.map(|t| vec![("Authorization", format!("Bearer {t}"))]).unwrap_or_default();
        Request { method: "GET", path: path.to_owned(), headers, body: None, expect, status: 200 }
    }

    pub fn json_post(path: &str, body: serde_json::Value, expect: &'static str) -> Self {
        let headers = vec![("Content-Type", "application/json".to_owned())];
        Request { method: "POST", path: path.to_owned(), headers, body: Some(body.to_string()), expect, status: 200 }
    }
}

/// What one wrk run measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sample {
    pub requests: u64,
    pub seconds: f64,
    pub p50_us: f64,
    pub p99_us: f64,
    /// Responses that were not a 200 with data, plus socket errors and timeouts.
    pub failures: u64,
    #[serde(default)]
    pub first_failure: Option<String>,
}

impl Sample {
    pub fn rps(&self) -> f64 {
        if self.seconds > 0.0 {
            self.requests as f64 / self.seconds
        } else {
            0.0
        }
    }
}

/// A Lua long string that cannot be closed by the text inside it.
fn lua_string(text: &str) -> String {
    let mut level = 1;
    while text.contains(&format!("]{}]", "=".repeat(level))) {
        level += 1;
    }
    let eq = "=".repeat(level);
    format!("[{eq}[{text}]{eq}]")
}

fn script(request: &Request) -> String {
    let mut lua = format!("wrk.method = {}\n", lua_string(request.method));
    if let Some(body) = &request.body {
        lua.push_str(&format!("wrk.body = {}\n", lua_string(body)));
    }
    for (name, value) in &request.headers {
        lua.push_str(&format!("wrk.headers[ {} ] = {}\n", lua_string(name), lua_string(value)));
    }
    lua.push_str(&format!("local expect = {}\n", lua_string(request.expect)));
    lua.push_str(&format!("local expect_status = {}\n", request.status));
    lua.push_str(include_str!("check.lua"));
    lua
}

/// A wrk run in progress.
pub struct Run {
    child: Child,
    script: PathBuf,
}

/// Starts wrk: one thread, `connections` connections, for `seconds`.
pub fn start(base_url: &str, request: &Request, connections: usize, seconds: u64, work: &Path) -> anyhow::Result<Run> {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let script_path = work.join(format!("wrk-{n}.lua"));
    std::fs::write(&script_path, script(request))?;
    let child = Command::new("wrk")
        .args(["-t1", &format!("-c{connections}"), &format!("-d{seconds}s"), "--timeout", "30s", "-s"])
        .arg(&script_path)
        .arg(format!("{base_url}{}", request.path))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot start wrk (make bench installs it)")?;
    Ok(Run { child, script: script_path })
}

impl Run {
    pub fn finish(self) -> anyhow::Result<Sample> {
        let output = self.child.wait_with_output()?;
        let _ = std::fs::remove_file(&self.script);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let Some(line) = stdout.lines().find_map(|l| l.strip_prefix("BENCH_JSON ")) else {
            bail!("wrk printed no result: {}{}", stdout, String::from_utf8_lossy(&output.stderr));
        };
        let mut sample: Sample = serde_json::from_str(line).context("wrk's result line")?;
        sample.first_failure = stdout.lines().find_map(|l| l.strip_prefix("BENCH_FAILURE ")).map(str::to_owned);
        Ok(sample)
    }
}

/// Runs wrk to the end.
pub fn measure(
    base_url: &str,
    request: &Request,
    connections: usize,
    seconds: u64,
    work: &Path,
) -> anyhow::Result<Sample> {
    start(base_url, request, connections, seconds, work)?.finish()
}
