//! What each `emsp` subcommand does.
use crate::cli::{
    ChargerCommand, Cli, Command, OcpiCommand, Options, PeerCommand, StorageCommand, TokenCommand, UserCommand,
};
use crate::config::{self, Config};
use anyhow::Context;
use app::secret::ExposeSecret;
use app::store::Store;

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&cli.options).await,
        Command::Migrate => {
            open_store(&cli.options).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Token(command) => token(&cli.options, command).await,
        Command::User(command) => user(&cli.options, command).await,
        Command::DemoData => demo_data(&cli.options).await,
        Command::Charger(command) => charger(&cli.options, command).await,
        Command::Storage(StorageCommand::Check { repair }) => storage_check(&cli.options, repair).await,
        Command::Ocpi(OcpiCommand::Peer(command)) => ocpi_peer(&cli.options, command).await,
    }
}

/// Opens and migrates the configured database (creating the data directory for SQLite).
async fn open_store(options: &Options) -> anyhow::Result<Store> {
    config::check_installation(options)?;
    if options.database_url.is_none() {
        config::prepare_data_dir(&options.data_dir)?;
    }
    let store = Store::connect(config::database_url(options).expose_secret()).await?;
    store.migrate().await?;
    config::mark_installed(options)?;
    Ok(store)
}

async fn serve(options: &Options) -> anyhow::Result<()> {
    config::check_installation(options)?;
    let config = Config::for_serving(options)?;
    let app = crate::application::Application::build(config).await?;
    config::mark_installed(options)?;
    tracing::info!(addr = %app.local_addr(), "serving the portal and the APIs");
    app.run_until(crate::shutdown::signal()).await
}

async fn token(options: &Options, command: TokenCommand) -> anyhow::Result<()> {
    let store = open_store(options).await?;
    match command {
        TokenCommand::Create { name } => {
            let token = store.create_api_token(&name).await?;
            println!("Created API token {name:?}. Store it now: it is not shown again.");
            println!("{}", token.expose_secret());
        }
        TokenCommand::List => {
            for info in store.list_api_tokens().await? {
                let state = if info.revoked { "revoked" } else { "active" };
                println!("{}\t{}\tcreated {}", info.name, state, info.date_created);
            }
        }
        TokenCommand::Revoke { name } => {
            store.revoke_api_token(&name).await?;
            println!("revoked {name:?}");
        }
    }
    Ok(())
}

async fn user(options: &Options, command: UserCommand) -> anyhow::Result<()> {
    let store = open_store(options).await?;
    match command {
        UserCommand::CreateAdmin { username } => {
            app::domain::validation::username(&username).map_err(|e| anyhow::anyhow!("username {e}"))?;
            store.create_admin(&username).await?;
            println!("created administrator {username:?}; set its password with `emsp user set-password {username}`");
        }
        UserCommand::SetPassword { username } => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).context("cannot read the password from stdin")?;
            let password = line.trim_end_matches(['\r', '\n']).to_owned();
            app::domain::validation::password(&password).map_err(|e| anyhow::anyhow!("password {e}"))?;
            let hash = app::auth::password::hash(password).await?;
            store.set_password_hash(&username, &hash).await?;
            println!("password set for {username:?}");
        }
    }
    Ok(())
}

async fn charger(options: &Options, command: ChargerCommand) -> anyhow::Result<()> {
    use app::services::chargers;
    let store = open_store(options).await?;
    match command {
        ChargerCommand::Add { location_id, charge_point_id, evses } => {
            let Some(owner) = store.location_owner(location_id).await? else {
                anyhow::bail!("location {location_id} not found");
            };
            chargers::create_charger(&store, owner, location_id, &charge_point_id, &evses).await?;
            println!("added charger {charge_point_id:?} at location {location_id}; give it a key with `emsp charger new-key {charge_point_id}`");
        }
        ChargerCommand::List => {
            for c in store.chargers(None).await? {
                let state = match (&c.server_id, c.connected_since) {
                    (Some(node), Some(since)) => format!("connected to {node} since {}", app::clock::rfc3339(since)),
                    _ => "offline".to_owned(),
                };
                let key = if c.has_key { "key set" } else { "no key" };
                println!(
                    "{}	location {}	EVSEs {}	{key}	{state}",
                    c.charge_point_id,
                    c.location_id,
                    c.evse_uids.join(",")
                );
            }
        }
        ChargerCommand::Remove { charge_point_id } => {
            chargers::delete_charger(&store, None, &charge_point_id).await?;
            println!("removed charger {charge_point_id:?}");
        }
        ChargerCommand::NewKey { charge_point_id } => {
            let key = chargers::new_key(&store, None, &charge_point_id).await?;
            println!("New key for {charge_point_id:?}: set it as the charger's AuthorizationKey (Basic password). Not shown again.");
            println!("{}", key.expose_secret());
        }
        ChargerCommand::ImportKey { charge_point_id } => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).context("cannot read the key from stdin")?;
            let key = app::secret::SecretString::from(line.trim_end_matches(['\r', '\n']).to_owned());
            chargers::import_key(&store, None, &charge_point_id, &key).await?;
            println!("key stored for {charge_point_id:?}");
        }
    }
    Ok(())
}

async fn ocpi_peer(options: &Options, command: PeerCommand) -> anyhow::Result<()> {
    let store = open_store(options).await?;
    let settings = config::OcpiSettings::from_options(options, &config::public_url(options))?;
    let versions_url = format!("{}/ocpi/versions", settings.public_url.trim_end_matches('/'));
    // The command line pushes nothing, so it never holds a push lease.
    let state = crate::ocpi::OcpiState::new(store.clone(), settings, "command-line");
    let refused = |e: crate::ocpi::OcpiError| anyhow::anyhow!("OCPI status {}: {}", e.code, e.message);
    match command {
        PeerCommand::Add { name, plain_token } => {
            let token = crate::ocpi::new_token();
            store.open_ocpi_peer(&name, token.expose_secret(), plain_token).await?;
            println!("peer {name:?} added; hand it our versions URL and this TOKEN_A (not shown again):");
            println!("{versions_url}");
            println!("{}", token.expose_secret());
        }
        PeerCommand::Register { name, versions_url, token, plain_token } => {
            crate::ocpi::register(&state, &name, &versions_url, &token, plain_token).await.map_err(refused)?;
            println!("registered at peer {name:?}");
        }
        PeerCommand::List => {
            for peer in store.ocpi_peers().await? {
                let roles: Vec<String> =
                    peer.roles.iter().map(|r| format!("{} {}-{}", r.role, r.country_code, r.party_id)).collect();
                let endpoints: Vec<crate::ocpi::Endpoint> = serde_json::from_str(&peer.endpoints).unwrap_or_default();
                let endpoints: Vec<String> =
                    endpoints.iter().map(|e| format!("{} {} {}", e.identifier, e.role, e.url)).collect();
                let backlog = store.ocpi_backlog(peer.id).await?;
                println!(
                    "{}\t{}\troles: {}\tendpoints: {}\tpush backlog: {backlog}\tsince {}",
                    peer.name,
                    peer.state.as_str(),
                    if roles.is_empty() { "-".into() } else { roles.join(", ") },
                    if endpoints.is_empty() { "-".into() } else { endpoints.join(", ") },
                    app::clock::rfc3339(peer.date_modified)
                );
            }
        }
        PeerCommand::Remove { name } => {
            let confirmed = crate::ocpi::remove(&state, &name).await.map_err(refused)?;
            let at_peer =
                if confirmed { "the peer confirmed" } else { "the peer was not told (not registered or unreachable)" };
            println!("removed peer {name:?}; its token no longer works; {at_peer}");
        }
    }
    Ok(())
}

async fn demo_data(options: &Options) -> anyhow::Result<()> {
    let store = open_store(options).await?;
    let summary = app::services::demo::load(&store).await?;
    println!("loaded {} locations, {} EVSEs and {} connectors", summary.locations, summary.evses, summary.connectors);
    // The simulator's input (`charge-point-sim --from FILE`); keys are secrets: owner-only file.
    let chargers: String = summary.chargers.iter().map(|(id, key, evses)| format!("{id}\t{key}\t{evses}\n")).collect();
    let file = options.data_dir.join("demo-chargers.tsv");
    config::write_private(&file, chargers.as_bytes()).with_context(|| format!("cannot write {}", file.display()))?;
    println!("{} demo chargers (identities and keys for the simulator) in {}", summary.chargers.len(), file.display());
    println!("demo CPO owners (shown once):");
    for (username, password) in summary.credentials {
        println!("  {username}\t{password}");
    }
    Ok(())
}

async fn storage_check(options: &Options, repair: bool) -> anyhow::Result<()> {
    use app::services::storage;
    let store = open_store(options).await?;
    let uploads = app::uploads::UploadDir::new(&options.data_dir);
    if repair {
        let grace = std::time::Duration::from_secs(options.upload_grace_secs);
        let (_, repaired) = storage::sweep(&store, &uploads, grace).await?;
        println!(
            "published {}, removed {}, kept {} younger than {} s",
            repaired.published.len(),
            repaired.removed.len(),
            repaired.kept_young,
            options.upload_grace_secs
        );
    }
    // After a repair: what is left.
    let report = storage::check(&store, &uploads).await?;
    println!("files without rows: {}", report.files_without_rows.len());
    for file in &report.files_without_rows {
        println!("  {}{}", file.name, if file.staged { " (staged)" } else { "" });
    }
    println!("rows without files: {}", report.rows_without_files.len());
    for name in &report.rows_without_files {
        println!("  {name}");
    }
    println!("staged files of committed rows: {}", report.unpublished.len());
    for name in &report.unpublished {
        println!("  {name}");
    }
    let problems = report.files_without_rows.len() + report.rows_without_files.len() + report.unpublished.len();
    anyhow::ensure!(problems == 0, "storage check found {problems} problems");
    Ok(())
}
