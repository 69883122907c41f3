//! The foundation over HTTP and against the database itself, on SQLite and PostgreSQL.

use crate::helpers::TestApp;
use app::domain::codes::REFERENCE_TABLES;
use app::secret::ExposeSecret;

async fn migrations_apply_from_zero_and_again(app: TestApp) {
    // spawn_app migrated a brand-new database; a second run must find nothing left to do.
    app.store.migrate().await.expect("re-running migrations is a no-op");
    let applied: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(app.store.pool()).await.expect("count");
    // Both backends have one file per migration, numbered alike.
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations/sqlite")).expect("migrations");
    assert_eq!(applied, files.count() as i64);
}

async fn reference_tables_hold_exactly_the_ocpi_lists(app: TestApp) {
    for (table, expected) in REFERENCE_TABLES {
        let stored = app.store.reference_codes(table).await.expect("reference codes");
        let expected: Vec<(String, String)> =
            expected.iter().map(|(c, d)| ((*c).to_owned(), (*d).to_owned())).collect();
        assert_eq!(stored, expected, "table {table}");
    }
}

async fn insert(app: &TestApp, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::query(sql).execute(app.store.pool()).await.map(|_| ())
}

async fn the_database_itself_rejects_constraint_violations(app: TestApp) {
    let user = "INSERT INTO users (username, role, date_created, date_modified) VALUES ('dup', 'ADMIN', 0, 0)";
    insert(&app, user).await.expect("first user");
    assert!(insert(&app, user).await.is_err(), "duplicate username accepted");

    let orphan = "INSERT INTO locations (cpo_owner_id, name, address, address_lat, address_lng, city, country_code, publish, date_created, date_modified) \
                  VALUES (999, 'x', 'x', 0, 0, 'x', 'NL', 0, 0, 0)";
    assert!(insert(&app, orphan).await.is_err(), "location of an unknown CPO owner accepted");

    insert(&app, "INSERT INTO cpo_owners (cpo_owner_name, contact_name, contact_number, contact_email, ocpp_ready, date_created, date_modified) VALUES ('o', 'c', '123456', 'o@example.com', 1, 0, 0)").await.expect("owner");
    let owner: i64 =
        sqlx::query_scalar("SELECT id FROM cpo_owners").fetch_one(app.store.pool()).await.expect("owner id");
    insert(&app, &orphan.replace("999", &owner.to_string())).await.expect("location");
    let location: i64 =
        sqlx::query_scalar("SELECT id FROM locations").fetch_one(app.store.pool()).await.expect("location id");
    insert(&app, &format!("INSERT INTO evses (uid, evse_id, status, cpo_location_id, date_created, date_modified) VALUES ('e1', 'NL*X*E1', 'AVAILABLE', {location}, 0, 0)")).await.expect("evse");
    let connector = "INSERT INTO connectors (evse_uid, connector_id, standard, format, power_type, max_voltage, max_amperage, status, date_created, date_modified) \
                     VALUES ('e1', '1', 'IEC_62196_T2', 'SOCKET', 'AC_3_PHASE', 230, 32, 'AVAILABLE', 0, 0)";
    insert(&app, connector).await.expect("first connector");
    assert!(insert(&app, connector).await.is_err(), "duplicate (evse_uid, connector_id) accepted");
    assert!(insert(&app, &format!("INSERT INTO evses (uid, evse_id, status, cpo_location_id, date_created, date_modified) VALUES ('e2', 'NL*X*E1', 'AVAILABLE', {location}, 0, 0)")).await.is_err(), "duplicate evse_id accepted");
    assert!(insert(&app, &format!("INSERT INTO evses (uid, evse_id, status, cpo_location_id, date_created, date_modified) VALUES ('e3', 'NL*X*E3', 'BROKEN', {location}, 0, 0)")).await.is_err(), "unknown status accepted");

    // Deleting the location removes its EVSEs and connectors with it.
    insert(&app, &format!("DELETE FROM locations WHERE id = {location}")).await.expect("delete location");
    let left: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM connectors").fetch_one(app.store.pool()).await.expect("count");
    assert_eq!(left, 0);
}

async fn api_tokens_authenticate_until_revoked(app: TestApp) {
    let token = app.store.create_api_token("partner").await.expect("create");
    let token = token.expose_secret();
    assert!(app.store.verify_api_token(token).await.expect("verify").is_some());
    assert!(app.store.verify_api_token("emsp_forged").await.expect("verify").is_none());
    assert!(matches!(app.store.create_api_token("partner").await, Err(app::store::StoreError::Conflict(_))));
    app.store.revoke_api_token("partner").await.expect("revoke");
    assert!(app.store.verify_api_token(token).await.expect("verify").is_none());
}

async fn probes_report_liveness_and_readiness(app: TestApp) {
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.get("/readyz").await.status(), 200);
    app.destroy_database().await;
    assert_eq!(app.get("/readyz").await.status(), 503);
    assert_eq!(app.get("/healthz").await.status(), 200);
}

/// Once the database is gone (the SQLite file deleted, the PostgreSQL database dropped), readiness
/// fails and writes are refused with 503 rather than acknowledged into nothing.
async fn writes_are_refused_once_the_database_is_gone(app: TestApp) {
    let token = app.api_token().await;
    app.destroy_database().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    assert_eq!(app.get("/readyz").await.status(), 503);
    let login = serde_json::json!({ "username": "nobody", "password": "a strong password" });
    let response = app.post_json("/ocpi/cpo/api/auth/v1/login", &token, &login).await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.expect("envelope");
    assert_eq!(body["status"], 503, "{body}");
    let mutation = serde_json::json!({ "query": "mutation { deleteLocation(id: 1) }" });
    let response = app.post_json("/graphql", &token, &mutation).await;
    assert_eq!(response.status(), 503);
    assert!(std::time::Instant::now() < deadline);
}

/// A real read of a table, not `SELECT 1`: a database that answers but lost its schema is not ready.
async fn readiness_reads_a_table(app: TestApp) {
    assert_eq!(app.get("/readyz").await.status(), 200);
    sqlx::query("ALTER TABLE capabilities RENAME TO capabilities_gone")
        .execute(app.store.pool())
        .await
        .expect("rename");
    assert_eq!(app.get("/readyz").await.status(), 503);
}

/// SQLite only: a file put in place of the one the server opened is not the database it wrote to.
#[tokio::test]
async fn a_replaced_sqlite_file_is_noticed() {
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await.expect("sqlite app");
    let token = app.api_token().await;
    let file = app.data_dir.join("emsp.db");
    std::fs::rename(&file, app.data_dir.join("emsp.db.moved")).expect("move the database away");
    std::fs::write(&file, b"").expect("an empty file in its place");
    assert_eq!(app.get("/readyz").await.status(), 503);
    let login = serde_json::json!({ "username": "nobody", "password": "a strong password" });
    assert_eq!(app.post_json("/ocpi/cpo/api/auth/v1/login", &token, &login).await.status(), 503);
    assert_eq!(app.get("/healthz").await.status(), 200);
}

async fn pages_render_on_the_server_with_security_headers(app: TestApp) {
    let response = app.http.get(app.url("/")).header("x-request-id", "trace-me-42").send().await.expect("home");
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["x-request-id"], "trace-me-42");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let csp = headers["content-security-policy"].to_str().expect("csp");
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("'nonce-"), "{csp}");
    let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).expect("nonce");
    let html = response.text().await.expect("body");
    assert!(html.contains("How long does a charge take?"));
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "hydration script lacks the CSP nonce");

    let missing = app.get("/no/such/page").await;
    assert_eq!(missing.status(), 404);
    assert!(missing.headers().contains_key("x-request-id"));
    assert!(missing.text().await.expect("body").contains("Page not found"));

    let api = app.get("/healthz").await;
    assert_eq!(api.headers()["content-security-policy"], "default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
}

/// The two backends must apply the same changes: one file per migration, named alike.
#[test]
fn migrations_are_named_alike_on_both_backends() {
    let names = |backend: &str| -> Vec<String> {
        let dir = format!("{}/../migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("migrations")
            .flatten()
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let (sqlite, postgres) = (names("sqlite"), names("postgres"));
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
}

both_backends!(
    migrations_apply_from_zero_and_again,
    reference_tables_hold_exactly_the_ocpi_lists,
    the_database_itself_rejects_constraint_violations,
    api_tokens_authenticate_until_revoked,
    probes_report_liveness_and_readiness,
    writes_are_refused_once_the_database_is_gone,
    readiness_reads_a_table,
    pages_render_on_the_server_with_security_headers,
);
