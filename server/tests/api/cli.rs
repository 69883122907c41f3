//! The `emsp` binary as a person runs it: subcommands, and clear one-line errors at start-up.
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn emsp(data_dir: &std::path::Path, args: &[&str]) -> Output {
    emsp_with_stdin(data_dir, args, "")
}

fn emsp_with_stdin(data_dir: &std::path::Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_emsp"))
        .args(args)
        .env("EMSP_DATA_DIR", data_dir)
        .env_remove("DATABASE_URL")
        .env_remove("EMSP_JWT_SECRET")
        .env_remove("EMSP_ENV")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run emsp");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("wait for emsp")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Fails unless the command failed with a single `error:` line and no panic.
fn assert_clean_failure(output: &Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "succeeded: {stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "panic: {stderr}");
    let error_lines: Vec<_> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(error_lines.len(), 1, "{stderr}");
    assert!(error_lines[0].contains(expected), "{stderr}");
}

#[tokio::test]
async fn token_create_prints_a_token_that_authenticates_until_revoked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let created = emsp(dir.path(), &["token", "create", "--name", "partner"]);
    assert!(created.status.success(), "{created:?}");
    let out = stdout(&created);
    let token = out.lines().last().expect("token line").trim().to_owned();
    assert!(token.starts_with("emsp_") && !token.contains(' '));

    let store = app::store::Store::connect(&app::store::sqlite_url_for(dir.path())).await.expect("store");
    assert!(store.verify_api_token(&token).await.expect("verify").is_some());
    let stored: String =
        sqlx::query_scalar("SELECT token_hash FROM api_tokens").fetch_one(store.pool()).await.expect("row");
    assert_ne!(stored, token, "token stored in clear");

    assert!(stdout(&emsp(dir.path(), &["token", "list"])).contains("partner\tactive"));
    assert!(emsp(dir.path(), &["token", "revoke", "partner"]).status.success());
    assert!(store.verify_api_token(&token).await.expect("verify").is_none());
    assert!(stdout(&emsp(dir.path(), &["token", "list"])).contains("partner\trevoked"));
    assert_clean_failure(&emsp(dir.path(), &["token", "revoke", "partner"]), "not found");
}

/// A token printed by `emsp token create` opens the API of a server on the same database, and
/// stops working once `emsp token revoke` has run.
#[tokio::test]
async fn a_created_token_authenticates_over_http_until_revoked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let created = emsp(dir.path(), &["token", "create", "--name", "partner"]);
    let token = stdout(&created).lines().last().expect("token").trim().to_owned();
    let config = crate::helpers::test_config(&app::store::sqlite_url_for(dir.path()), dir.path(), false);
    let server = emsp::Application::build(config).await.expect("server");
    let url = format!("http://{}/graphql", server.local_addr());
    let passthrough = format!("http://{}/bench/locations", server.local_addr());
    tokio::spawn(server.run_until(std::future::pending()));
    let bench_route = reqwest::Client::new().get(&passthrough).bearer_auth(&token).send().await.expect("request");
    assert_eq!(bench_route.status(), 404, "the benchmark's route is served only with --bench-routes");
    let ask = || {
        reqwest::Client::new()
            .post(&url)
            .bearer_auth(&token)
            .json(&serde_json::json!({ "query": "{ locations { id } }" }))
            .send()
    };
    assert_eq!(ask().await.expect("request").status(), 200);
    assert!(emsp(dir.path(), &["token", "revoke", "partner"]).status.success());
    assert_eq!(ask().await.expect("request").status(), 401);
}

#[tokio::test]
async fn admins_get_their_password_from_stdin() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(emsp(dir.path(), &["user", "create-admin", "root"]).status.success());
    assert_clean_failure(&emsp(dir.path(), &["user", "create-admin", "root"]), "already exists");
    assert_clean_failure(&emsp_with_stdin(dir.path(), &["user", "set-password", "root"], "short\n"), "password");
    let set = emsp_with_stdin(dir.path(), &["user", "set-password", "root"], "a long enough secret\n");
    assert!(set.status.success(), "{set:?}");
    assert!(!stdout(&set).contains("a long enough secret"));

    let store = app::store::Store::connect(&app::store::sqlite_url_for(dir.path())).await.expect("store");
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE username = 'root'")
        .fetch_one(store.pool())
        .await
        .expect("hash");
    assert!(app::auth::password::verify("a long enough secret".into(), Some(hash)).await);
}

#[test]
fn demo_data_fills_an_empty_database_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let loaded = emsp(dir.path(), &["demo-data"]);
    assert!(loaded.status.success(), "{loaded:?}");
    let out = stdout(&loaded);
    let locations: usize = out.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("count");
    assert!(locations >= 40, "{out}");
    // The demo chargers, for the simulator: identity, a 40-hex key, EVSE count.
    let chargers = std::fs::read_to_string(dir.path().join("demo-chargers.tsv")).expect("demo-chargers.tsv");
    let lines: Vec<Vec<&str>> = chargers.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(lines.len(), 4, "{chargers}");
    assert!(lines.iter().all(|l| l.len() == 3 && l[1].len() == 40 && l[1].bytes().all(|b| b.is_ascii_hexdigit())));
    assert_clean_failure(&emsp(dir.path(), &["demo-data"]), "loaded before");
}

#[tokio::test]
async fn chargers_are_added_keyed_listed_and_removed_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(emsp(dir.path(), &["demo-data"]).status.success());
    let store = app::store::Store::connect(&app::store::sqlite_url_for(dir.path())).await.expect("store");
    // An EVSE without a charger, and its location.
    let (uid, location): (String, i64) = sqlx::query_as(
        "SELECT uid, cpo_location_id FROM evses WHERE uid NOT IN (SELECT evse_uid FROM charger_evses) ORDER BY uid LIMIT 1",
    )
    .fetch_one(store.pool())
    .await
    .expect("an EVSE");
    let location = location.to_string();
    let added = emsp(dir.path(), &["charger", "add", &location, "CP-CLI", "--evse", &uid]);
    assert!(added.status.success(), "{added:?}");
    assert_clean_failure(
        &emsp(dir.path(), &["charger", "add", &location, "CP:BAD", "--evse", &uid]),
        "charge_point_id",
    );
    assert_clean_failure(&emsp(dir.path(), &["charger", "add", &location, "CP-TWO", "--evse", &uid]), "already");

    let keyed = emsp(dir.path(), &["charger", "new-key", "CP-CLI"]);
    assert!(keyed.status.success(), "{keyed:?}");
    let key = stdout(&keyed).lines().last().expect("key line").trim().to_owned();
    assert!(key.len() == 40 && key.bytes().all(|b| b.is_ascii_hexdigit()), "{key}");
    let login = store.charger_login("CP-CLI").await.expect("read").expect("charger");
    let digest = login.key_digest.expect("key stored");
    assert!(!digest.contains(&key), "stored in clear");
    assert!(app::auth::charger_key::verify(&digest, key.as_bytes()).await);

    assert_clean_failure(&emsp_with_stdin(dir.path(), &["charger", "import-key", "CP-CLI"], "short\n"), "key");
    let imported = emsp_with_stdin(dir.path(), &["charger", "import-key", "CP-CLI"], "TheKeyItAlreadyHas-7\n");
    assert!(imported.status.success(), "{imported:?}");
    let digest = store.charger_login("CP-CLI").await.expect("read").expect("charger").key_digest.expect("key");
    assert!(digest.starts_with("$argon2id$"));
    assert!(app::auth::charger_key::verify(&digest, b"TheKeyItAlreadyHas-7").await);
    assert!(!app::auth::charger_key::verify(&digest, key.as_bytes()).await, "the old key stopped working");

    let listed = stdout(&emsp(dir.path(), &["charger", "list"]));
    let line = listed.lines().find(|l| l.starts_with("CP-CLI\t")).unwrap_or_else(|| panic!("{listed}"));
    assert!(line.contains(&uid) && line.contains("key set") && line.contains("offline"), "{line}");
    assert!(!listed.contains(&key), "list shows no keys");
    assert!(emsp(dir.path(), &["charger", "remove", "CP-CLI"]).status.success());
    assert!(store.charger("CP-CLI").await.expect("read").is_none());
    assert_clean_failure(&emsp(dir.path(), &["charger", "remove", "CP-CLI"]), "not found");
}

#[test]
fn help_documents_every_option_and_its_environment_variable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let help = stdout(&emsp(dir.path(), &["--help"]));
    for needle in [
        "serve",
        "migrate",
        "token",
        "user",
        "demo-data",
        "DATABASE_URL",
        "EMSP_DATA_DIR",
        "LEPTOS_SITE_ADDR",
        "EMSP_ENV",
        "EMSP_JWT_SECRET",
        "charger",
        "EMSP_NODE_ID",
        "EMSP_OCPP_HEARTBEAT_INTERVAL",
        "EMSP_OCPP_CALL_TIMEOUT",
        "EMSP_OCPP_MAX_CONNECTIONS",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}");
    }
}

#[test]
fn bad_start_up_input_is_one_clear_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8");
    let serve = |extra: &[&str]| {
        let mut args = vec!["serve", "--addr", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        emsp(dir.path(), &args)
    };
    assert_clean_failure(&serve(&["--database-url", "mysql://localhost/emsp"]), "DATABASE_URL");
    assert_clean_failure(&serve(&["--database-url", "postgres://postgres@127.0.0.1:1/emsp"]), "database");
    assert_clean_failure(&serve(&["--database-url", "postgres://[::1"]), "DATABASE_URL");
    assert_clean_failure(&serve(&["--env", "production"]), "EMSP_JWT_SECRET");

    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").expect("file");
    let under_file = format!("{}/data", file.display());
    assert_clean_failure(
        &emsp(dir.path(), &["serve", "--addr", "127.0.0.1:0", "--data-dir", &under_file]),
        "data directory",
    );

    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    assert_clean_failure(&emsp(dir.path(), &["serve", "--addr", &addr, "--data-dir", data]), "cannot listen");
}

/// A data directory that was used before but lost its database file is refused, with the path
/// and the way to start afresh on purpose; a fresh directory needs nothing.
#[test]
fn a_missing_database_of_an_earlier_installation_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(emsp(dir.path(), &["migrate"]).status.success(), "a fresh directory starts with no set-up");
    std::fs::remove_file(dir.path().join("emsp.db")).expect("remove the database");
    let refused = emsp(dir.path(), &["migrate"]);
    assert_clean_failure(&refused, "--create-database");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("emsp.db"), "the message names the file");
    let serve = emsp(dir.path(), &["serve", "--addr", "127.0.0.1:0"]);
    assert_clean_failure(&serve, "is missing");
    assert!(emsp(dir.path(), &["migrate", "--create-database"]).status.success());
}

/// A database file that is not a database stops the start with one line, not a panic.
#[test]
fn an_unreadable_database_stops_the_start_with_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("emsp.db"), "this is not a database ".repeat(200)).expect("garbage");
    assert_clean_failure(&emsp(dir.path(), &["serve", "--addr", "127.0.0.1:0"]), "database");
}
