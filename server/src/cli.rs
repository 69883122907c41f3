//! The `emsp` command line. Every option has an environment fallback, shown by `emsp --help`.
use app::secret::SecretString;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "emsp", version, about = "EMSP platform: the CPO portal and the REST and GraphQL APIs")]
pub struct Cli {
    #[command(flatten)]
    pub options: Options,
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct Options {
    /// Database to use: `sqlite://FILE` or `postgres://USER@HOST/DB`. Default: `<data dir>/emsp.db`.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true, value_parser = secret)]
    pub database_url: Option<SecretString>,
    /// Directory for the SQLite database, uploads, the mail outbox and the development secret.
    #[arg(long, env = "EMSP_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,
    /// Address the server listens on.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000", global = true)]
    pub addr: SocketAddr,
    /// `production` requires EMSP_JWT_SECRET; `development` generates and keeps one in the data dir.
    #[arg(long = "env", env = "EMSP_ENV", value_enum, default_value = "development", global = true)]
    pub mode: Mode,
    /// Secret for signing access and refresh tokens (at least 32 bytes).
    #[arg(long, env = "EMSP_JWT_SECRET", hide_env_values = true, global = true, value_parser = secret)]
    pub jwt_secret: Option<SecretString>,
    /// Public base URL of this server, used in mailed links. Default: `http://<addr>`.
    #[arg(long, env = "EMSP_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// SMTP server for mail, e.g. `smtps://user:pass@mail.example.com`; unset: `.eml` files in `<data dir>/outbox`.
    #[arg(long, env = "EMSP_SMTP_URL", hide_env_values = true, global = true, value_parser = secret)]
    pub smtp_url: Option<SecretString>,
    /// Sender of outgoing mail.
    #[arg(long, env = "EMSP_MAIL_FROM", default_value = "EMSP <no-reply@emsp.localhost>", global = true)]
    pub mail_from: String,
    /// Seconds a stored file that no row names is kept before the sweep removes it: an upload is
    /// written before its row commits, so younger files may still be on their way.
    #[arg(long, env = "EMSP_UPLOAD_GRACE_SECS", default_value = "600", global = true)]
    pub upload_grace_secs: u64,
    /// Seconds a client has to send a request's headers, counted from when the server waits for
    /// them (a new connection, or the end of the previous response).
    #[arg(long, env = "EMSP_HEADER_READ_TIMEOUT_SECS", default_value = "10", global = true)]
    pub header_read_timeout_secs: u64,
    /// Seconds a request's body may take to arrive whole, counted from its headers.
    #[arg(long, env = "EMSP_BODY_READ_TIMEOUT_SECS", default_value = "60", global = true)]
    pub body_read_timeout_secs: u64,
    /// Seconds a connection may sit idle (no request in flight, no byte moving) before it is closed.
    #[arg(long, env = "EMSP_KEEP_ALIVE_TIMEOUT_SECS", default_value = "5", global = true)]
    pub keep_alive_timeout_secs: u64,
    /// Connections served at once; further ones wait until one closes. Lowered at start to what
    /// the open-files limit allows.
    #[arg(long, env = "EMSP_MAX_CONNECTIONS", default_value = "10000", global = true)]
    pub max_connections: usize,
    /// This node's name in `server_id` of the EVSEs whose chargers it holds. Default: a stable id
    /// from the host name and the listen address.
    #[arg(long, env = "EMSP_NODE_ID", global = true)]
    pub node_id: Option<String>,
    /// Seconds between a charger's heartbeats, handed out in the BootNotification answer. A
    /// charger silent for twice this plus 10 s is disconnected.
    #[arg(long, env = "EMSP_OCPP_HEARTBEAT_INTERVAL", default_value = "300", global = true,
          value_parser = clap::value_parser!(u32).range(1..=86_400))]
    pub ocpp_heartbeat_interval: u32,
    /// Seconds a command to a charger waits for its answer.
    #[arg(long, env = "EMSP_OCPP_CALL_TIMEOUT", default_value = "30", global = true,
          value_parser = clap::value_parser!(u32).range(1..=600))]
    pub ocpp_call_timeout: u32,
    /// Chargers connected at once; further upgrades are refused with 503 until one leaves.
    #[arg(long, env = "EMSP_OCPP_MAX_CONNECTIONS", default_value = "20000", global = true)]
    pub ocpp_max_connections: usize,
    /// This platform's own OCPI eMSP party, `COUNTRY-PARTY` (e.g. `NL-EMS`), announced in its
    /// OCPI credentials beside one CPO role per hosted CPO owner with a party.
    #[arg(long, env = "EMSP_OCPI_PARTY", global = true)]
    pub ocpi_party: Option<String>,
    /// The business name in this platform's OCPI credentials.
    #[arg(long, env = "EMSP_OCPI_NAME", default_value = "EMSP platform", global = true)]
    pub ocpi_name: String,
    /// Create a new, empty SQLite database even though the data directory shows an earlier
    /// installation whose database file is missing (everything in the missing file is lost).
    #[arg(long, env = "EMSP_CREATE_DATABASE", global = true)]
    pub create_database: bool,
    /// Directory of the built portal assets (set by cargo-leptos).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site", global = true)]
    pub site_root: PathBuf,
    /// Also serve `/bench/locations`, the passthrough ceiling `make bench` measures GraphQL against
    /// (only in builds with the `bench` feature).
    #[cfg(feature = "bench")]
    #[arg(long, env = "EMSP_BENCH_ROUTES", hide = true, global = true)]
    pub bench_routes: bool,
}

/// Secret values are wrapped as soon as they are parsed, so `Debug` of the options hides them.
fn secret(text: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(SecretString::from(text))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    Development,
    Production,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the portal and the APIs (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage API client tokens (the contract's TOKEN).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Load a realistic demo set (48 locations in 10 cities) into an empty database.
    DemoData,
    /// Manage the chargers that connect over OCPP 1.6J.
    #[command(subcommand)]
    Charger(ChargerCommand),
    /// Check the uploaded files against the rows that name them.
    #[command(subcommand)]
    Storage(StorageCommand),
    /// OCPI roaming.
    #[command(subcommand)]
    Ocpi(OcpiCommand),
}

#[derive(Debug, Subcommand)]
pub enum OcpiCommand {
    /// Manage the platforms we exchange OCPI 2.2.1 with.
    #[command(subcommand)]
    Peer(PeerCommand),
}

#[derive(Debug, Subcommand)]
pub enum PeerCommand {
    /// They start: creates a peer and prints our versions URL, then its TOKEN_A alone on the
    /// last line; the peer registers (POST credentials) with that token.
    Add {
        name: String,
        /// Call this peer with the raw token instead of Base64 (pre-2.2.1 habit).
        #[arg(long)]
        plain_token: bool,
    },
    /// We start: registers at a peer that handed us its versions URL and TOKEN_A.
    Register {
        name: String,
        #[arg(long)]
        versions_url: String,
        #[arg(long, value_parser = secret)]
        token: SecretString,
        /// Call this peer with the raw token instead of Base64 (pre-2.2.1 habit).
        #[arg(long)]
        plain_token: bool,
    },
    /// Each peer's state, roles and endpoints (never tokens).
    List,
    /// Unregisters at the peer where possible (DELETE credentials) and revokes its token.
    Remove { name: String },
}

#[derive(Debug, Subcommand)]
pub enum StorageCommand {
    /// Print files without rows and rows without files; exit non-zero when there are any.
    Check {
        /// Also publish staged files whose rows committed and remove files no row names (older
        /// than the upload grace period); rows without files are reported, never deleted.
        #[arg(long)]
        repair: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ChargerCommand {
    /// Add a charger to a location with its EVSEs in OCPP connector order (connectorId 1 first).
    Add {
        location_id: i64,
        charge_point_id: String,
        /// An EVSE uid of that location; repeat for a charger with several.
        #[arg(long = "evse", required = true)]
        evses: Vec<String>,
    },
    /// List every charger (identity, location, EVSEs, connection; never keys).
    List,
    /// Remove a charger; its EVSEs stay.
    Remove { charge_point_id: String },
    /// Generate a new key (40 hex characters), printed once, alone on the last line of stdout.
    NewKey { charge_point_id: String },
    /// Store a key the charger already holds, read from the first line of stdin (16–40 characters).
    ImportKey { charge_point_id: String },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; it is printed once, alone on the last line of stdout.
    Create {
        #[arg(long)]
        name: String,
    },
    /// List tokens (names and state, never secrets).
    List,
    /// Revoke the token called NAME.
    Revoke { name: String },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a platform administrator; set its password with `set-password`.
    CreateAdmin { username: String },
    /// Set a user's password, read from the first line of stdin.
    SetPassword { username: String },
}
