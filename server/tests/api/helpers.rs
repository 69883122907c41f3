//! Test harness: a real `emsp` server on port 0 against a fresh database — a new SQLite file, or
//! a new PostgreSQL database when `EMSP_TEST_POSTGRES_URL` is set — spoken to over HTTP.

use emsp::config::Config;
use emsp::Application;
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
    pub data_dir: PathBuf,
    pub database_url: String,
    /// Ends the server as a signal would (`shutdown`).
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    pg: Option<PgDatabase>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Shuts the server down gracefully and waits until it has finished (its pool is closed then:
    /// read what it left with a new `Store` on `database_url`).
    pub async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server ended cleanly");
        }
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
pub struct PgDatabase {
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
pub async fn fresh_database(backend: Backend, dir: &std::path::Path) -> Option<(String, Option<PgDatabase>)> {
    match backend {
        Backend::Sqlite => Some((app::store::sqlite_url_for(dir), None)),
        Backend::Postgres => {
            let admin = postgres_admin_url()?;
            let (db, url) = PgDatabase::create(&admin).await;
            Some((url, Some(db)))
        }
    }
}

/// A configuration for a server on port 0 with a fixed signing secret: the command line's own
/// defaults, as `emsp serve` would resolve them.
pub fn test_config(database_url: &str, data_dir: &std::path::Path, bench_routes: bool) -> Config {
    let data = data_dir.to_str().expect("utf-8 path");
    let mut args = vec!["emsp", "--addr", "127.0.0.1:0", "--data-dir", data, "--database-url", database_url];
    args.extend(["--jwt-secret", "test-secret-test-secret-test-secret!", "--public-url", "http://emsp.test"]);
    if bench_routes {
        args.push("--bench-routes");
    }
    let cli = <emsp::cli::Cli as clap::Parser>::try_parse_from(args).expect("test options");
    Config::for_serving(&cli.options).expect("test configuration")
}

/// Starts a server; `None` when the backend is PostgreSQL and no test server is configured.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// Starts a server whose configuration `adjust` changed first (limits, timeouts).
pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Option<TestApp> {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_dir = dir.path().join("data");
    std::fs::create_dir_all(&data_dir).expect("data dir");
    let (database_url, pg) = fresh_database(backend, &data_dir).await?;
    let mut config = test_config(&database_url, &data_dir, true);
    adjust(&mut config);
    let application = Application::build(config).await.expect("build application");
    let base = format!("http://{}", application.local_addr());
    let store = application.state().store.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(application.run_until(async move {
        let _ = stopped.await;
    }));
    let (stop, server) = (Some(stop), Some(server));
    Some(TestApp { base, http: reqwest::Client::new(), store, data_dir, database_url, stop, server, pg, _dir: dir })
}

/// Runs an async test body once per backend: `both_backends!(name)` for `async fn name(app: TestApp)`.
/// The PostgreSQL variant runs whenever `EMSP_TEST_POSTGRES_URL` is set.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    let app = $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite).await.expect("sqlite app");
                    super::$name(app).await;
                }
                #[tokio::test]
                async fn postgres() {
                    match $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await {
                        Some(app) => super::$name(app).await,
                        None => eprintln!("EMSP_TEST_POSTGRES_URL not set: PostgreSQL variant skipped"),
                    }
                }
            }
        )*
    };
}

/// `both_backends!` for servers whose configuration `$adjust` (a closure) changes first.
macro_rules! both_backends_with {
    ($adjust:expr, $($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    let backend = $crate::helpers::Backend::Sqlite;
                    let app = $crate::helpers::spawn_app_with(backend, $adjust).await.expect("sqlite app");
                    super::$name(app).await;
                }
                #[tokio::test]
                async fn postgres() {
                    match $crate::helpers::spawn_app_with($crate::helpers::Backend::Postgres, $adjust).await {
                        Some(app) => super::$name(app).await,
                        None => eprintln!("EMSP_TEST_POSTGRES_URL not set: PostgreSQL variant skipped"),
                    }
                }
            }
        )*
    };
}

/// Test fixtures for the REST API: tokens, registrations, sign-ins and images.
pub mod fixtures {
    use super::TestApp;
    use serde_json::{json, Value};

    /// A valid location in Fira called `name`.
    pub fn location(name: &str) -> app::domain::inputs::NewLocation {
        app::domain::inputs::NewLocation {
            name: name.to_owned(),
            address: "Main square 1".into(),
            address_lat: 36.41,
            address_lng: 25.43,
            city: "Fira".into(),
            country_code: "GR".into(),
            ..Default::default()
        }
    }

    /// A Type 2 socket, 400 V 32 A, three-phase AC.
    pub fn connector() -> app::domain::inputs::NewConnector {
        app::domain::inputs::NewConnector {
            connector_id: "1".into(),
            standard: "IEC_62196_T2".into(),
            format: "SOCKET".into(),
            power_type: "AC_3_PHASE".into(),
            max_voltage: 400,
            max_amperage: 32,
            status: "AVAILABLE".into(),
            ..Default::default()
        }
    }

    pub fn registration(username: &str) -> Value {
        json!({
            "username": username,
            "cpo_owner_name": "Solarius",
            "contact_name": "Solarius CEO",
            "contact_number": "09123456782",
            "contact_email": format!("{username}@example.com"),
            "ocpp_ready": true,
            "logo": "cpo-logo.png"
        })
    }

    impl TestApp {
        pub async fn api_token(&self) -> String {
            let token = self.store.create_api_token(&super::random_name()).await.expect("api token");
            app::secret::ExposeSecret::expose_secret(&token).to_owned()
        }

        /// The request is built at once, so the future borrows neither `bearer` nor `body`.
        pub fn post_json(
            &self,
            path: &str,
            bearer: &str,
            body: &Value,
        ) -> impl std::future::Future<Output = reqwest::Response> + 'static {
            let request = self.http.post(self.url(path)).bearer_auth(bearer).json(body);
            async move { request.send().await.expect("request") }
        }

        /// A GraphQL request: the HTTP status and the response body.
        pub async fn gql(&self, bearer: &str, query: &str, variables: Value) -> (u16, Value) {
            let response = self
                .http
                .post(self.url("/graphql"))
                .bearer_auth(bearer)
                .json(&json!({ "query": query, "variables": variables }))
                .send()
                .await
                .expect("request");
            let status = response.status().as_u16();
            (status, response.json().await.expect("json"))
        }

        pub async fn post_bearer(&self, path: &str, bearer: &str) -> reqwest::Response {
            self.http.post(self.url(path)).bearer_auth(bearer).send().await.expect("request")
        }

        /// The invitation token of the newest mail in the outbox.
        pub fn invitation_from_outbox(&self) -> String {
            let outbox = self.data_dir.join("outbox");
            let mut mails: Vec<_> = std::fs::read_dir(&outbox).expect("outbox").filter_map(Result::ok).collect();
            mails.sort_by_key(|m| m.metadata().and_then(|m| m.modified()).ok());
            let mail = std::fs::read_to_string(mails.last().expect("a mail in the outbox").path()).expect("mail");
            // Quoted-printable may fold long lines with a trailing '='.
            let unfolded = mail.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
            let start = unfolded.find("token=").expect("link in mail") + "token=".len();
            unfolded[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect()
        }

        /// Registers `username`, sets its password through the invitation, returns its owner id.
        pub async fn registered_owner(&self, token: &str, username: &str, password: &str) -> i64 {
            let response = self.post_json("/ocpi/cpo/2.2/register", token, &registration(username)).await;
            assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
            let invitation = self.invitation_from_outbox();
            app::services::registration::accept_invitation(&self.store, &invitation, password)
                .await
                .expect("accept invitation");
            self.store.user_by_username(username).await.expect("user").and_then(|u| u.cpo_owner_id).expect("owner id")
        }

        /// Signs in and returns the contract's `data` object.
        pub async fn login(&self, token: &str, username: &str, password: &str) -> Value {
            let response = self
                .post_json("/ocpi/cpo/api/auth/v1/login", token, &json!({ "username": username, "password": password }))
                .await;
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.expect("json")["data"].clone()
        }

        /// Files below the upload directory.
        pub fn uploaded_files(&self) -> Vec<std::path::PathBuf> {
            fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
                for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        walk(&path, out);
                    } else {
                        out.push(path);
                    }
                }
            }
            let mut files = Vec::new();
            walk(&self.data_dir.join("uploads"), &mut files);
            files
        }

        /// Sets a location's `date_modified` by hand (times the API would not produce).
        pub async fn set_location_modified(&self, id: i64, at: i64) {
            sqlx::query("UPDATE locations SET date_modified = $1 WHERE id = $2")
                .bind(at)
                .bind(id)
                .execute(self.store.pool())
                .await
                .expect("update");
        }

        pub async fn count(&self, table: &str) -> i64 {
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(self.store.pool())
                .await
                .expect("count")
        }
    }

    pub fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        image::DynamicImage::new_rgb8(width, height)
            .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .expect("png");
        out
    }

    /// A valid PNG header (correct CRC) that claims `size` × `size` pixels.
    pub fn png_claiming(size: u32) -> Vec<u8> {
        let mut bytes = png(1, 1);
        bytes[16..20].copy_from_slice(&size.to_be_bytes());
        bytes[20..24].copy_from_slice(&size.to_be_bytes());
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        bytes
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for byte in data {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    pub fn file_part(bytes: Vec<u8>, name: &str, mime: &str) -> reqwest::multipart::Part {
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()).mime_str(mime).expect("mime")
    }
}

/// The real `emsp` binary as a child process (for kill -9 and restarts).
pub mod process {
    use std::path::Path;
    use std::process::{Child, Command, Stdio};
    use std::time::Duration;

    /// `emsp ARGS` on `data_dir` and `database_url`, logging warnings only.
    pub fn command(data_dir: &Path, database_url: &str, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_emsp"));
        command
            .args(args)
            .env("EMSP_DATA_DIR", data_dir)
            .env("DATABASE_URL", database_url)
            .env_remove("EMSP_JWT_SECRET")
            .env_remove("EMSP_ENV")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null());
        command
    }

    pub fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
    }

    /// `emsp serve` on a free port with `env` added, once `/readyz` answers; and its base URL.
    pub async fn start(data_dir: &Path, database_url: &str, env: &[(&str, &str)]) -> (Child, String) {
        start_on(free_port(), data_dir, database_url, env).await
    }

    pub async fn start_on(port: u16, data_dir: &Path, database_url: &str, env: &[(&str, &str)]) -> (Child, String) {
        let addr = format!("127.0.0.1:{port}");
        let mut command = command(data_dir, database_url, &["serve", "--addr", &addr]);
        command.envs(env.iter().copied()).stdout(Stdio::null()).stderr(Stdio::null());
        let mut child = command.spawn().expect("start emsp");
        let base = format!("http://{addr}");
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if client.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status() == 200) {
                return (child, base);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("emsp did not become ready");
    }
}
