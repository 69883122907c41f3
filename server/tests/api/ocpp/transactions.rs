//! Id tags, a full charging session, a retried StartTransaction and meter readings.
use super::client::connect;
use super::{site, CP};
use crate::helpers::TestApp;
use serde_json::{json, Value};

async fn gql_data(app: &TestApp, bearer: &str, query: &str) -> Value {
    let (_, body) = app.gql(bearer, query, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

async fn id_tags_decide_authorization_case_insensitively(app: TestApp) {
    let site = site(&app).await;
    let mut charger = connect(&app, CP, &site.key).await;
    charger.boot().await;
    let authorize = json!({"idTag": "04A2B3C4D5"});
    assert_eq!(charger.ok("Authorize", authorize.clone()).await["idTagInfo"]["status"], "Invalid");
    gql_data(&app, &site.access, "mutation { addIdTag(id_tag: \"04a2b3c4d5\") }").await;
    assert_eq!(charger.ok("Authorize", authorize.clone()).await["idTagInfo"]["status"], "Accepted");
    assert_eq!(gql_data(&app, &site.access, "{ idTags }").await["idTags"], json!(["04a2b3c4d5"]));
    let (_, twice) = app.gql(&site.access, "mutation { addIdTag(id_tag: \"04A2B3C4D5\") }", json!({})).await;
    assert_eq!(twice["errors"][0]["extensions"]["code"], "CONFLICT");
    let (_, long) = app.gql(&site.access, "mutation { addIdTag(id_tag: \"123456789012345678901\") }", json!({})).await;
    assert_eq!(long["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    gql_data(&app, &site.access, "mutation { removeIdTag(id_tag: \"04A2B3C4D5\") }").await;
    assert_eq!(charger.ok("Authorize", authorize).await["idTagInfo"]["status"], "Invalid");
    assert_eq!(charger.error_code("Authorize", json!({"idTag": "x".repeat(21)})).await, "PropertyConstraintViolation");
}

async fn a_full_charging_session_with_a_retried_start(app: TestApp) {
    let site = site(&app).await;
    app::services::chargers::add_id_tag(&app.store, site.owner, "TAG-1").await.expect("tag");
    let mut charger = connect(&app, CP, &site.key).await;
    charger.boot().await;
    let start = json!({"connectorId": 2, "idTag": "tag-1", "meterStart": 1000, "timestamp": "2026-05-01T10:00:00Z"});
    let first = charger.ok("StartTransaction", start.clone()).await;
    assert_eq!(first["idTagInfo"]["status"], "Accepted");
    let transaction_id = first["transactionId"].as_i64().expect("transactionId");
    assert!(transaction_id > 0 && transaction_id <= i64::from(i32::MAX));
    // The answer was lost; the charger sends the same start again.
    let again = charger.ok("StartTransaction", start).await;
    assert_eq!(again["transactionId"], transaction_id);
    assert_eq!(app.count("charge_sessions").await, 1);
    // Meter values: kWh converted, per-phase power summed, the main meter kept apart.
    let meter = json!({"connectorId": 2, "transactionId": transaction_id, "meterValue": [{"timestamp": "2026-05-01T10:30:00Z", "sampledValue": [
        {"value": "5.5", "unit": "kWh"},
        {"value": "3700", "measurand": "Power.Active.Import", "unit": "W", "phase": "L1"},
        {"value": "3700", "measurand": "Power.Active.Import", "unit": "W", "phase": "L2"},
        {"value": "A1B2", "format": "SignedData"}
    ]}]});
    assert_eq!(charger.ok("MeterValues", meter).await, json!({}));
    charger.ok("MeterValues", json!({"connectorId": 0, "meterValue": [{"timestamp": "2026-05-01T10:30:00Z", "sampledValue": [{"value": "987654"}]}]})).await;
    let stop = json!({"transactionId": transaction_id, "meterStop": 6500, "timestamp": "2026-05-01T11:00:00Z"});
    assert_eq!(charger.ok("StopTransaction", stop).await, json!({}), "no idTag: no idTagInfo");
    // Unknown transactions are answered all the same; an invalid tag still gets an id.
    let unknown = json!({"transactionId": 999_999, "meterStop": 1, "timestamp": "2026-05-01T11:00:00Z", "idTag": "TAG-1", "reason": "Remote"});
    assert_eq!(charger.ok("StopTransaction", unknown).await["idTagInfo"]["status"], "Accepted");
    let invalid = json!({"connectorId": 1, "idTag": "stranger", "meterStart": 0, "timestamp": "2026-05-01T12:00:00Z"});
    let refused = charger.ok("StartTransaction", invalid).await;
    assert_eq!(refused["idTagInfo"]["status"], "Invalid");
    assert!(refused["transactionId"].as_i64().is_some_and(|id| id != transaction_id));
    let query = "{ evse { uid energy_wh power_w readings_at charger { main_meter_wh } sessions(limit: 5) { transaction_id id_tag authorization started_at stopped_at meter_start_wh meter_stop_wh energy_wh stop_reason } } }";
    let evses = gql_data(&app, &site.access, query).await["evse"].clone();
    let second =
        evses.as_array().expect("evses").iter().find(|e| e["uid"] == site.evses[1].as_str()).cloned().expect("EVSE");
    assert_eq!((second["energy_wh"].as_f64(), second["power_w"].as_f64()), (Some(5500.0), Some(7400.0)));
    assert_eq!(second["readings_at"], "2026-05-01T10:30:00.000Z");
    assert_eq!(second["charger"]["main_meter_wh"].as_f64(), Some(987_654.0));
    assert_eq!(
        second["sessions"],
        json!([{"transaction_id": transaction_id, "id_tag": "tag-1", "authorization": "Accepted",
            "started_at": "2026-05-01T10:00:00.000Z", "stopped_at": "2026-05-01T11:00:00.000Z",
            "meter_start_wh": 1000, "meter_stop_wh": 6500, "energy_wh": 5500, "stop_reason": "Local"}])
    );
    // Sessions are the owner's: an API client is refused.
    let token = app.api_token().await;
    let (_, body) = app.gql(&token, "{ evse { sessions { transaction_id } } }", json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");
}

both_backends!(id_tags_decide_authorization_case_insensitively, a_full_charging_session_with_a_retried_start);
