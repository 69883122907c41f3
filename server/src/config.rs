//! Everything the server needs to start, resolved once from the command line and environment.
use crate::cli::{Mode, Options};
use anyhow::{bail, Context};
use app::secret::{ExposeSecret, SecretSlice, SecretString};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

const JWT_SECRET_MIN: usize = 32;
const DEV_SECRET_FILE: &str = "jwt-secret";

/// Secrets are `secrecy` types: `Debug` shows them as `[REDACTED]`, so the whole configuration
/// may be printed, and reading one takes an explicit `expose_secret()`.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    /// May carry a password (`postgres://user:password@host/db`).
    pub database_url: SecretString,
    pub data_dir: PathBuf,
    pub mode: Mode,
    pub jwt_secret: SecretSlice<u8>,
    pub site_root: PathBuf,
    pub public_url: String,
    /// May carry a password (`smtps://user:password@host`).
    pub smtp_url: Option<SecretString>,
    pub mail_from: String,
    /// How long a stored file no row names is kept before the sweep removes it.
    pub upload_grace: Duration,
    /// Header, idle and connection limits of the accept loop.
    pub connections: crate::serve::Limits,
    pub body_read_timeout: Duration,
    /// The OCPP gateway's settings.
    pub ocpp: OcppSettings,
    /// Who this platform is on OCPI.
    pub ocpi: OcpiSettings,
    /// Serve the benchmark's passthrough route (off unless asked for).
    pub bench_routes: bool,
}

#[derive(Debug, Clone)]
pub struct OcppSettings {
    /// `None`: derived from the host name and the bound address once the listener exists.
    pub node_id: Option<String>,
    pub heartbeat_interval: Duration,
    pub call_timeout: Duration,
    pub max_connections: usize,
}

impl OcppSettings {
    /// A charger silent this long is disconnected: two heartbeats missed, plus slack.
    pub fn silence_limit(&self) -> Duration {
        self.heartbeat_interval * 2 + Duration::from_secs(10)
    }
}

/// Who this platform is on OCPI.
#[derive(Debug, Clone, Default)]
pub struct OcpiSettings {
    /// Absolute base of every URL we hand out (`EMSP_PUBLIC_URL`).
    pub public_url: String,
    /// The platform's own eMSP party (country code, party id), upper-case.
    pub party: Option<(String, String)>,
    /// The platform's business name.
    pub name: String,
}

impl OcpiSettings {
    pub fn from_options(options: &Options, public_url: &str) -> anyhow::Result<Self> {
        let party = options
            .ocpi_party
            .as_deref()
            .map(parse_party)
            .transpose()
            .map_err(|e| anyhow::anyhow!("EMSP_OCPI_PARTY: {e}"))?;
        Ok(Self { public_url: public_url.to_owned(), party, name: options.ocpi_name.clone() })
    }
}

/// Parses `--ocpi-party` (`NL-EMS`): a 2-letter country code and a 3-character party id.
pub fn parse_party(text: &str) -> Result<(String, String), String> {
    let (country, party) = text.split_once('-').ok_or("the party is written COUNTRY-PARTY, e.g. NL-EMS")?;
    let ok = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_alphanumeric());
    if !ok(country, 2) || !country.bytes().all(|b| b.is_ascii_alphabetic()) || !ok(party, 3) {
        return Err("the party is a 2-letter country code and a 3-character party id, e.g. NL-EMS".into());
    }
    Ok((country.to_ascii_uppercase(), party.to_ascii_uppercase()))
}

/// Creates the data directory if needed and proves it is writable.
pub fn prepare_data_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("data directory {} cannot be created", dir.display()))?;
    let probe = dir.join(".write-probe");
    std::fs::write(&probe, b"ok").with_context(|| format!("data directory {} is not writable", dir.display()))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// Written into the data directory once its database exists: from then on a missing database
/// file is a loss to report, not a first start.
const INSTALLED_MARKER: &str = "emsp.installed";

/// Refuses to start on a data directory that shows an earlier installation (the marker, or
/// uploads) while its SQLite database file is missing: starting would silently create an empty
/// database and every owner, location and token would be gone. (A development `jwt-secret` is no
/// evidence: it is written before the database, also by a start that then failed.)
pub fn check_installation(options: &Options) -> anyhow::Result<()> {
    let url = database_url(options);
    let Some(file) = app::store::sqlite_file(url.expose_secret()) else { return Ok(()) };
    if options.create_database || file.exists() {
        return Ok(());
    }
    let evidence: Vec<&str> =
        [INSTALLED_MARKER, "uploads"].into_iter().filter(|name| options.data_dir.join(name).exists()).collect();
    if evidence.is_empty() {
        return Ok(());
    }
    bail!(
        "the database {} is missing, but {} holds an earlier installation ({}); restore the file, \
         or start afresh on purpose with --create-database (EMSP_CREATE_DATABASE=1)",
        file.display(),
        options.data_dir.display(),
        evidence.join(", ")
    )
}

/// Notes in the data directory that its database exists (see `check_installation`).
pub fn mark_installed(options: &Options) -> anyhow::Result<()> {
    let url = database_url(options);
    if app::store::sqlite_file(url.expose_secret()).is_some() {
        let marker = options.data_dir.join(INSTALLED_MARKER);
        if !marker.exists() {
            std::fs::write(&marker, "The EMSP database of this directory exists; see `emsp --help`.\n")
                .with_context(|| format!("cannot write {}", marker.display()))?;
        }
    }
    Ok(())
}

/// The database URL: the one given, or the SQLite file in the data directory.
pub fn database_url(options: &Options) -> SecretString {
    options.database_url.clone().unwrap_or_else(|| app::store::sqlite_url_for(&options.data_dir).into())
}

/// The public base URL: the one given, or `http://<addr>`.
pub fn public_url(options: &Options) -> String {
    options.public_url.clone().unwrap_or_else(|| format!("http://{}", options.addr))
}

impl Config {
    /// Resolves options for serving: data directory ready, signing secret known.
    pub fn for_serving(options: &Options) -> anyhow::Result<Self> {
        prepare_data_dir(&options.data_dir)?;
        Ok(Self {
            addr: options.addr,
            database_url: database_url(options),
            data_dir: options.data_dir.clone(),
            mode: options.mode,
            jwt_secret: jwt_secret(options)?,
            site_root: options.site_root.clone(),
            public_url: public_url(options),
            smtp_url: options.smtp_url.clone(),
            mail_from: options.mail_from.clone(),
            upload_grace: Duration::from_secs(options.upload_grace_secs),
            connections: crate::serve::Limits {
                header_read_timeout: Duration::from_secs(options.header_read_timeout_secs),
                keep_alive_timeout: Duration::from_secs(options.keep_alive_timeout_secs),
                max_connections: options.max_connections,
            },
            body_read_timeout: Duration::from_secs(options.body_read_timeout_secs),
            ocpp: OcppSettings {
                node_id: options.node_id.clone(),
                heartbeat_interval: Duration::from_secs(options.ocpp_heartbeat_interval.into()),
                call_timeout: Duration::from_secs(options.ocpp_call_timeout.into()),
                max_connections: options.ocpp_max_connections,
            },
            ocpi: OcpiSettings::from_options(options, &public_url(options))?,
            #[cfg(feature = "bench")]
            bench_routes: options.bench_routes,
            #[cfg(not(feature = "bench"))]
            bench_routes: false,
        })
    }
}

fn jwt_secret(options: &Options) -> anyhow::Result<SecretSlice<u8>> {
    if let Some(secret) = &options.jwt_secret {
        let secret = secret.expose_secret();
        if secret.len() < JWT_SECRET_MIN {
            bail!("EMSP_JWT_SECRET must be at least {JWT_SECRET_MIN} bytes");
        }
        return Ok(secret.as_bytes().to_vec().into());
    }
    match options.mode {
        Mode::Production => {
            bail!("EMSP_ENV=production needs EMSP_JWT_SECRET (at least {JWT_SECRET_MIN} bytes)")
        }
        Mode::Development => development_secret(&options.data_dir),
    }
}

/// In development a secret is generated once and kept in the data directory, so restarting the
/// server keeps tokens and sessions valid.
fn development_secret(data_dir: &Path) -> anyhow::Result<SecretSlice<u8>> {
    let file = data_dir.join(DEV_SECRET_FILE);
    if let Ok(existing) = std::fs::read_to_string(&file) {
        let existing = SecretString::from(existing);
        let existing = existing.expose_secret().trim();
        if existing.len() >= JWT_SECRET_MIN {
            return Ok(existing.as_bytes().to_vec().into());
        }
    }
    let secret = app::secret::generate("");
    let secret = secret.expose_secret().as_bytes();
    write_private(&file, secret).with_context(|| format!("cannot write {}", file.display()))?;
    tracing::info!(file = %file.display(), "generated a development signing secret");
    Ok(secret.to_vec().into())
}

pub fn write_private(file: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(file)?.write_all(contents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn options(args: &[&str]) -> Options {
        let mut argv = vec!["emsp"];
        argv.extend_from_slice(args);
        crate::cli::Cli::parse_from(argv).options
    }

    #[test]
    fn production_refuses_to_start_without_a_long_secret() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().to_str().expect("utf-8 path");
        let missing = Config::for_serving(&options(&["--env", "production", "--data-dir", data])).unwrap_err();
        assert!(missing.to_string().contains("EMSP_JWT_SECRET"));
        let short =
            Config::for_serving(&options(&["--env", "production", "--data-dir", data, "--jwt-secret", "short"]));
        assert!(short.is_err());
    }

    #[test]
    fn development_keeps_its_generated_secret_across_restarts() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().to_str().expect("utf-8 path");
        let first = Config::for_serving(&options(&["--data-dir", data])).expect("first start");
        let second = Config::for_serving(&options(&["--data-dir", data])).expect("second start");
        assert_eq!(first.jwt_secret.expose_secret(), second.jwt_secret.expose_secret());
        assert!(first.jwt_secret.expose_secret().len() >= JWT_SECRET_MIN);
    }

    #[test]
    fn debug_output_hides_secrets() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().to_str().expect("utf-8 path");
        let config =
            Config::for_serving(&options(&["--data-dir", data, "--database-url", "postgres://u:hunter2@h/db"]))
                .expect("config");
        let shown = format!("{config:?}");
        let secret = String::from_utf8_lossy(config.jwt_secret.expose_secret()).to_string();
        assert!(!shown.contains("hunter2") && !shown.contains(&secret), "{shown}");
    }
}

#[cfg(test)]
mod ocpi_party_tests {
    use super::parse_party;

    #[test]
    fn parties_are_country_and_party() {
        assert_eq!(parse_party("nl-ems"), Ok(("NL".into(), "EMS".into())));
        assert!(parse_party("NLEMS").is_err());
        assert!(parse_party("N1-EMS").is_err());
        assert!(parse_party("NL-EMSP").is_err());
    }
}
