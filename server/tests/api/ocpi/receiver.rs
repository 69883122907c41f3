//! The Locations Receiver: what a partner CPO (the peer's CPO role DE-PEE) pushes to us.
use super::{call, get, ocpi_config, registered_peer, Answer};
use crate::helpers::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

const BASE: &str = "/ocpi/2.2.1/emsp/locations/DE/PEE";

fn location(id: &str, last_updated: &str) -> Value {
    json!({"country_code":"DE","party_id":"PEE","id":id,"publish":true,"name":"Partner station",
        "address":"Hauptstraße 1","city":"Berlin","postal_code":"10115","country":"DEU",
        "coordinates":{"latitude":"52.52000","longitude":"13.40500"},"time_zone":"Europe/Berlin",
        "parking_type":"ON_STREET","facilities":["CAFE"],
        "opening_times":{"twentyfourseven":true},
        "evses":[{"uid":"E1","evse_id":"DE*PEE*E1","status":"AVAILABLE","capabilities":["RFID_READER"],
          "parking_restrictions":["EV_ONLY"],"last_updated":last_updated,
          "connectors":[{"id":"1","standard":"IEC_62196_T2","format":"SOCKET","power_type":"AC_3_PHASE",
            "max_voltage":230,"max_amperage":32,"tariff_ids":["T1"],"last_updated":last_updated}]}],
        "last_updated":last_updated})
}

async fn put(app: &TestApp, token: &str, path: &str, body: &Value) -> Answer {
    call(app, Method::PUT, &format!("{BASE}{path}"), Some(token), Some(body)).await
}

async fn patch(app: &TestApp, token: &str, path: &str, body: &Value) -> Answer {
    call(app, Method::PATCH, &format!("{BASE}{path}"), Some(token), Some(body)).await
}

async fn partner_rows(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM locations l JOIN cpo_owners o ON o.id = l.cpo_owner_id WHERE o.roaming_partner = 1",
    )
    .fetch_one(app.store.pool())
    .await
    .expect("count")
}

async fn partners_put_and_read_back_their_locations(app: TestApp) {
    let (_peer, token) = registered_peer(&app, "peer").await;
    let body = location("LOC1", "2026-01-01T10:00:00Z");
    let created = put(&app, &token, "/LOC1", &body).await;
    assert_eq!((created.status, created.code()), (201, 1000), "{:?}", created.body);
    let again = put(&app, &token, "/LOC1", &body).await;
    assert_eq!((again.status, again.code()), (200, 1000));
    // GET returns what was PUT, fields we do not model included; ids compare case-insensitively.
    let read = get(&app, &format!("{BASE}/loc1"), &token).await;
    assert_eq!(read.body["data"], body);
    let evse = get(&app, &format!("{BASE}/LOC1/e1"), &token).await;
    assert_eq!(evse.body["data"]["evse_id"], "DE*PEE*E1");
    let connector = get(&app, &format!("{BASE}/LOC1/E1/1"), &token).await;
    assert_eq!(connector.body["data"]["tariff_ids"], json!(["T1"]));
    // It is a location of the platform now: the contract's GraphQL lists it with its operator.
    let api = app.api_token().await;
    let (_, listed) = app
        .gql(
            &api,
            "{ locations(limit: 100) { name city evses { evse_id status connectors { standard } } } }",
            json!({}),
        )
        .await;
    let names: Vec<&str> =
        listed["data"]["locations"].as_array().expect("list").iter().filter_map(|l| l["name"].as_str()).collect();
    assert!(names.contains(&"Partner station"), "{listed}");
    // … and is never offered back over our Sender interface.
    let ours = get(&app, "/ocpi/2.2.1/cpo/locations", &token).await;
    assert_eq!(ours.body["data"], json!([]));
}

async fn children_update_their_parents_and_old_pushes_are_ignored(app: TestApp) {
    let (_peer, token) = registered_peer(&app, "peer").await;
    put(&app, &token, "/LOC1", &location("LOC1", "2026-01-01T10:00:00Z")).await;
    // A PATCH of an EVSE's status; the location's last_updated follows the EVSE's (not our clock).
    let status =
        patch(&app, &token, "/LOC1/E1", &json!({"status": "CHARGING", "last_updated": "2026-01-01T11:00:00"})).await;
    assert_eq!((status.status, status.code()), (200, 1000), "{:?}", status.body);
    let read = get(&app, &format!("{BASE}/LOC1"), &token).await;
    assert_eq!(read.body["data"]["evses"][0]["status"], "CHARGING");
    assert_eq!(read.body["data"]["last_updated"], "2026-01-01T11:00:00");
    let stored: String = sqlx::query_scalar("SELECT status FROM evses WHERE uid = 'DE-PEE-E1'")
        .fetch_one(app.store.pool())
        .await
        .expect("evse");
    assert_eq!(stored, "CHARGING");
    // A new EVSE by PUT, then a connector by PUT: both parents take the connector's time.
    let mut evse = location("LOC1", "2026-01-01T12:00:00Z")["evses"][0].clone();
    evse["uid"] = json!("E2");
    evse["evse_id"] = json!("DE*PEE*E2");
    assert_eq!(put(&app, &token, "/LOC1/E2", &evse).await.code(), 1000);
    let mut connector = evse["connectors"][0].clone();
    connector["id"] = json!("2");
    connector["last_updated"] = json!("2026-01-01T13:00:00.250Z");
    assert_eq!(put(&app, &token, "/LOC1/E2/2", &connector).await.code(), 1000);
    let read = get(&app, &format!("{BASE}/LOC1"), &token).await;
    assert_eq!(read.body["data"]["evses"][1]["last_updated"], "2026-01-01T13:00:00.250Z");
    assert_eq!(read.body["data"]["last_updated"], "2026-01-01T13:00:00.250Z");
    // Older than what is stored: answered 1000, not applied.
    let old =
        patch(&app, &token, "/LOC1/E1", &json!({"status": "OUTOFORDER", "last_updated": "2025-01-01T00:00:00Z"})).await;
    assert_eq!(old.code(), 1000);
    let stale = put(&app, &token, "/LOC1", &location("LOC1", "2025-06-01T00:00:00Z")).await;
    assert_eq!(stale.code(), 1000);
    let read = get(&app, &format!("{BASE}/LOC1"), &token).await;
    assert_eq!(read.body["data"]["evses"][0]["status"], "CHARGING");
    assert_eq!(read.body["data"]["evses"].as_array().map(Vec::len), Some(2));
    // Removal is status REMOVED, by PATCH.
    let removed =
        patch(&app, &token, "/LOC1/E2", &json!({"status": "REMOVED", "last_updated": "2026-01-02T00:00:00Z"})).await;
    assert_eq!(removed.code(), 1000);
}

async fn bad_pushes_change_nothing(app: TestApp) {
    let (_peer, token) = registered_peer(&app, "peer").await;
    // Ids in the URL must equal the body's; invalid objects name the field.
    let answer = put(&app, &token, "/OTHER", &location("LOC1", "2026-01-01T10:00:00Z")).await;
    assert_eq!((answer.status, answer.code()), (200, 2001));
    let mut invalid = location("LOC1", "2026-01-01T10:00:00Z");
    invalid["evses"][0]["connectors"][0]["standard"] = json!("PLUG");
    let answer = put(&app, &token, "/LOC1", &invalid).await;
    assert_eq!(answer.code(), 2001);
    assert!(
        answer.body["status_message"].as_str().is_some_and(|m| m.contains("evses[0].connectors[0].standard")),
        "{:?}",
        answer.body
    );
    assert_eq!(partner_rows(&app).await, 0);
    // Unknown objects: PATCH and a child PUT fail with 404 / 2003 and create nothing.
    let answer = patch(&app, &token, "/LOC1", &json!({"name": "x", "last_updated": "2026-01-01T10:00:00Z"})).await;
    assert_eq!((answer.status, answer.code()), (404, 2003));
    let evse = location("LOC1", "2026-01-01T10:00:00Z")["evses"][0].clone();
    let answer = put(&app, &token, "/LOC1/E1", &evse).await;
    assert_eq!((answer.status, answer.code()), (404, 2003));
    assert_eq!(partner_rows(&app).await, 0);
    // Refused first pushes leave no partner owner behind either.
    let owners: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cpo_owners WHERE roaming_partner = 1")
        .fetch_one(app.store.pool())
        .await
        .expect("count");
    assert_eq!(owners, 0);
    put(&app, &token, "/LOC1", &location("LOC1", "2026-01-01T10:00:00Z")).await;
    // PATCH without last_updated → 2001.
    let answer = patch(&app, &token, "/LOC1/E1", &json!({"status": "CHARGING"})).await;
    assert_eq!(answer.code(), 2001);
    // Not JSON → HTTP 400.
    let raw = app
        .http
        .put(app.url(&format!("{BASE}/LOC1")))
        .header(
            "Authorization",
            format!("Token {}", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &token)),
        )
        .header("Content-Type", "application/json")
        .body("{nope")
        .send()
        .await
        .expect("put");
    assert_eq!(raw.status(), 400);
    // A party the peer does not hold: 404, nothing revealed; POST and DELETE: 405.
    let foreign = call(
        &app,
        Method::PUT,
        "/ocpi/2.2.1/emsp/locations/NL/XXX/LOC1",
        Some(&token),
        Some(&location("LOC1", "2026-01-01T10:00:00Z")),
    )
    .await;
    assert_eq!(foreign.status, 404);
    for method in [Method::POST, Method::DELETE] {
        let answer = call(&app, method, &format!("{BASE}/LOC1"), Some(&token), None).await;
        assert_eq!(answer.status, 405);
    }
    let read = get(&app, &format!("{BASE}/LOC1"), &token).await;
    assert_eq!(read.body["data"], location("LOC1", "2026-01-01T10:00:00Z"), "nothing changed");
}

both_backends_with!(
    super::ocpi_config,
    partners_put_and_read_back_their_locations,
    children_update_their_parents_and_old_pushes_are_ignored,
    bad_pushes_change_nothing,
);
