//! `kill -9` during uploads loses no acknowledged photo and leaves nothing orphaned: a child
//! `emsp` process is killed repeatedly while photos are being uploaded, restarted on the same data
//! each time, and after the last restart every acknowledged photo is served and
//! `emsp storage check` finds no file without a row and no row without a file.
use crate::helpers::{fixtures, fresh_database, process, Backend, PgDatabase};
use app::domain::inputs::{Registration, Rules};
use std::path::Path;
use std::process::{Child, Command};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const PASSWORD: &str = "a strong password";
const ROUNDS: usize = 5;
const UPLOADERS: usize = 4;

/// The upload grace period of the servers here: far above how long one upload takes here, far
/// below the default, so the last start-up sweep may remove what the kills left.
const GRACE_SECS: u64 = 5;
const GRACE: (&str, &str) = ("EMSP_UPLOAD_GRACE_SECS", "5");

fn emsp(data_dir: &Path, database_url: &str, args: &[&str]) -> Command {
    let mut command = process::command(data_dir, database_url, args);
    command.env(GRACE.0, GRACE.1);
    command
}

async fn start(data_dir: &Path, database_url: &str) -> (Child, String) {
    process::start(data_dir, database_url, &[GRACE]).await
}

/// An owner with `count` locations, and its access token from the running server.
async fn owner_with_locations(database_url: &str, base: &str, count: usize) -> (String, Vec<i64>) {
    let store = app::store::Store::connect(database_url).await.expect("store");
    let registration = Registration {
        username: "solarius".into(),
        cpo_owner_name: "Solarius".into(),
        contact_name: "Maria Santos".into(),
        contact_number: "+31 20 555 0100".into(),
        contact_email: "solarius@example.com".into(),
        ocpp_ready: true,
        logo: None,
    };
    let hash = app::auth::password::hash(PASSWORD.into()).await.expect("hash");
    let valid = registration.validated().expect("valid registration");
    let (owner, _) = store.create_cpo_owner(&valid, None, Some(&hash)).await.expect("owner");
    let mut locations = Vec::new();
    for i in 0..count {
        let location = fixtures::location(&format!("Crash test {i}"));
        locations.push(app::services::locations::create_location(&store, owner, location).await.expect("location"));
    }
    let token =
        app::secret::ExposeSecret::expose_secret(&store.create_api_token("crash").await.expect("token")).to_owned();
    store.close().await;
    let login: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/ocpi/cpo/api/auth/v1/login"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "username": "solarius", "password": PASSWORD }))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    (login["data"]["access_token"].as_str().expect("access token").to_owned(), locations)
}

/// Uploads photos one after another until the server goes away; acknowledged URLs go to `acked`.
async fn upload_until_killed(base: String, access: String, locations: Vec<i64>, acked: Arc<Mutex<Vec<String>>>) {
    let client = reqwest::Client::new();
    let photo = fixtures::png(300, 200);
    for n in 0.. {
        let location = locations[n % locations.len()];
        let form = reqwest::multipart::Form::new()
            .text("location_id", location.to_string())
            .part("location_photos", fixtures::file_part(photo.clone(), "p.png", "image/png"));
        let sent = client.post(format!("{base}/2.2/locations/photos/uploads")).bearer_auth(&access).multipart(form);
        let Ok(response) = sent.send().await else { return };
        if response.status() != 200 {
            continue; // A full location (5 photos) refuses more; the killed server answers nothing.
        }
        let Ok(body) = response.json::<serde_json::Value>().await else { return };
        let urls = body["data"].as_array().cloned().unwrap_or_default();
        acked.lock().expect("lock").extend(urls.iter().filter_map(|u| u.as_str().map(str::to_owned)));
    }
}

async fn uploads_survive_repeated_kill_9(backend: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_dir = dir.path().join("data");
    std::fs::create_dir_all(&data_dir).expect("data dir");
    let Some((database_url, _pg)): Option<(String, Option<PgDatabase>)> = fresh_database(backend, &data_dir).await
    else {
        eprintln!("EMSP_TEST_POSTGRES_URL not set: PostgreSQL variant skipped");
        return;
    };
    let (mut child, mut base) = start(&data_dir, &database_url).await;
    let (access, locations) = owner_with_locations(&database_url, &base, 200).await;
    let acked = Arc::new(Mutex::new(Vec::new()));
    for round in 0..ROUNDS {
        if round > 0 {
            (child, base) = start(&data_dir, &database_url).await;
        }
        let uploaders: Vec<_> = (0..UPLOADERS)
            .map(|i| {
                let mine: Vec<i64> = locations.iter().copied().skip(i).step_by(UPLOADERS).collect();
                tokio::spawn(upload_until_killed(base.clone(), access.clone(), mine, acked.clone()))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(400 + 150 * round as u64)).await;
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        for uploader in uploaders {
            uploader.await.expect("uploader");
        }
    }
    let acked = acked.lock().expect("lock").clone();
    assert!(!acked.is_empty(), "no upload was acknowledged before the kills");

    // Past the grace period the restart's sweep may remove what no row names.
    tokio::time::sleep(Duration::from_secs(GRACE_SECS) + Duration::from_millis(500)).await;
    let (mut child, base) = start(&data_dir, &database_url).await;
    let client = reqwest::Client::new();
    for url in &acked {
        let served = client.get(format!("{base}{url}")).send().await.expect("get photo");
        assert_eq!(served.status(), 200, "acknowledged photo {url} is not served");
    }
    child.kill().expect("stop");
    child.wait().expect("reaped");

    let check = emsp(&data_dir, &database_url, &["storage", "check"]).output().expect("storage check");
    let out = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "{out}{}", String::from_utf8_lossy(&check.stderr));
    assert!(out.contains("files without rows: 0") && out.contains("rows without files: 0"), "{out}");
}

#[tokio::test]
async fn uploads_survive_repeated_kill_9_on_sqlite() {
    uploads_survive_repeated_kill_9(Backend::Sqlite).await;
}

#[tokio::test]
async fn uploads_survive_repeated_kill_9_on_postgres() {
    uploads_survive_repeated_kill_9(Backend::Postgres).await;
}
