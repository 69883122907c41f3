//! Test harness: a real `emsp` server on port 0 against a fresh database — a new SQLite file, or
//! a new PostgreSQL database when `EMSP_TEST_POSTGRES_URL` is set — spoken to over HTTP.
#![allow(dead_code)]

use emsp::Application;
use emsp::cli::Mode;
use emsp::config::Config;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub store: app::store::Store,
    pub database_url: String,
    pub data_dir: PathBuf,
    pub backend: Backend,
    pg: Option<PgDatabase>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("request failed")
    }

    /// Drops the test database while the server keeps running (PostgreSQL), or deletes the file.
    pub async fn destroy_database(&self) {
        match &self.pg {
            Some(pg) => pg.drop_now().await,
            None => {
                let file = self.data_dir.join("emsp.db");
                std::fs::remove_file(file).expect("remove sqlite file");
            }
        }
    }
}

/// The PostgreSQL server for tests, if configured.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("EMSP_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty())
}

/// A database created for one test and dropped when the test ends.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl PgDatabase {
    async fn create(admin_url: &str) -> (Self, String) {
        let name = format!("emsp_test_{}", random_name());
        let admin = app::store::Store::connect(admin_url).await.expect("connect to EMSP_TEST_POSTGRES_URL");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(admin.pool()).await.expect("create database");
        admin.close().await;
        let url = with_database(admin_url, &name);
        (Self { admin_url: admin_url.to_owned(), name }, url)
    }

    async fn drop_now(&self) {
        if let Ok(admin) = app::store::Store::connect(&self.admin_url).await {
            let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            let _ = sqlx::query(&sql).execute(admin.pool()).await;
            admin.close().await;
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let me = PgDatabase { admin_url: self.admin_url.clone(), name: self.name.clone() };
        // Drop runs outside async; a small runtime of its own does the cleanup.
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                rt.block_on(me.drop_now());
            }
            std::mem::forget(me);
        })
        .join();
    }
}

/// `postgres://u@h:p/db?x` with its database replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{}", &base[..path_start], name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

pub fn random_name() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..16).map(|_| char::from(b'a' + rng.gen_range(0..26))).collect()
}

/// A fresh database URL for `backend` (None: PostgreSQL not configured) plus its guard.
async fn fresh_database(backend: Backend, dir: &std::path::Path) -> Option<(String, Option<PgDatabase>)> {
    match backend {
        Backend::Sqlite => Some((app::store::sqlite_url_for(dir), None)),
        Backend::Postgres => {
            let admin = postgres_admin_url()?;
            let (db, url) = PgDatabase::create(&admin).await;
            Some((url, Some(db)))
        }
    }
}

/// Starts a server; `None` when the backend is PostgreSQL and no test server is configured.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_dir = dir.path().join("data");
    std::fs::create_dir_all(&data_dir).expect("data dir");
    let (database_url, pg) = fresh_database(backend, &data_dir).await?;
    let config = Config {
        addr: "127.0.0.1:0".parse().expect("addr"),
        database_url: database_url.clone(),
        data_dir: data_dir.clone(),
        mode: Mode::Development,
        jwt_secret: b"test-secret-test-secret-test-secret!".to_vec(),
        site_root: dir.path().join("site"),
    };
    let application = Application::build(config).await.expect("build application");
    let base = format!("http://{}", application.local_addr());
    let store = application.state().store.clone();
    tokio::spawn(application.run_until(std::future::pending()));
    Some(TestApp { base, http: reqwest::Client::new(), store, database_url, data_dir, backend, pg, _dir: dir })
}

/// Runs an async test body once per backend: `both_backends!(name)` for `async fn name(app: TestApp)`.
/// The PostgreSQL variant runs whenever `EMSP_TEST_POSTGRES_URL` is set.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    let app = $crate::common::spawn_app($crate::common::Backend::Sqlite).await.expect("sqlite app");
                    super::$name(app).await;
                }
                #[tokio::test]
                async fn postgres() {
                    match $crate::common::spawn_app($crate::common::Backend::Postgres).await {
                        Some(app) => super::$name(app).await,
                        None => eprintln!("EMSP_TEST_POSTGRES_URL not set: PostgreSQL variant skipped"),
                    }
                }
            }
        )*
    };
}
