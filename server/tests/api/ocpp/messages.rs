//! What the charger sends and what it changes: boot, heartbeat, statuses, connector 0, and every
//! CALLERROR with nothing changed and the connection kept.
use super::client::connect;
use super::{site, status_of, CP};
use crate::helpers::TestApp;
use serde_json::json;

async fn boot_and_heartbeat_answer_with_time_and_interval(app: TestApp) {
    let site = site(&app).await;
    let mut charger = connect(&app, CP, &site.key).await;
    let boot = charger.boot().await;
    assert_eq!(boot["status"], "Accepted");
    assert_eq!(boot["interval"], 300);
    let time = boot["currentTime"].as_str().expect("currentTime");
    assert!(time.ends_with('Z') && app::clock::parse_rfc3339(time).is_some(), "{time}");
    let beat = charger.ok("Heartbeat", json!({})).await;
    assert!(beat["currentTime"].as_str().is_some_and(|t| app::clock::parse_rfc3339(t).is_some()));
    // `null` is accepted for a message without fields; chargeBoxSerialNumber stands in.
    charger.send_text(r#"[2,"n","Heartbeat",null]"#).await;
    assert_eq!(charger.answer_to("n").await[0], 3);
    charger
        .ok(
            "BootNotification",
            json!({"chargePointVendor": "V", "chargePointModel": "M", "chargeBoxSerialNumber": "BOX-9"}),
        )
        .await;
    assert_eq!(super::evse_row(&app, &site.evses[0]).await.3.as_deref(), Some("BOX-9"));
    let charger_row = app.store.charger(CP).await.expect("read").expect("charger");
    assert_eq!((charger_row.vendor.as_deref(), charger_row.model.as_deref()), (Some("V"), Some("M")));
    // The contract's evse query shows what the charger reported.
    let token = app.api_token().await;
    let (_, body) = app
        .gql(&token, "{ evse { uid serial_number meter_type status current_ws_connection_id server_id } }", json!({}))
        .await;
    let evses = body["data"]["evse"].as_array().expect("evses").clone();
    let first = evses.iter().find(|e| e["uid"] == site.evses[0].as_str()).expect("first EVSE");
    assert_eq!(first["serial_number"], "BOX-9");
    assert!(first["current_ws_connection_id"].is_string() && first["server_id"].is_string(), "{first}");
}

async fn every_ocpp_status_maps_to_its_ocpi_status(app: TestApp) {
    let site = site(&app).await;
    let mut charger = connect(&app, CP, &site.key).await;
    charger.boot().await;
    for (ocpp, ocpi) in [
        ("Available", "AVAILABLE"),
        ("Preparing", "CHARGING"),
        ("Charging", "CHARGING"),
        ("SuspendedEV", "CHARGING"),
        ("SuspendedEVSE", "CHARGING"),
        ("Finishing", "CHARGING"),
        ("Reserved", "RESERVED"),
        ("Unavailable", "INOPERATIVE"),
        ("Faulted", "OUTOFORDER"),
    ] {
        charger.status(2, ocpp).await;
        assert_eq!(status_of(&app, &site.evses[1]).await, ocpi, "{ocpp}");
        assert_eq!(connector_status(&app, &site.evses[1]).await, ocpi, "connectors share the EVSE's status");
    }
    let history = app.store.status_history(&site.evses[1], 20).await.expect("history");
    assert_eq!(history.len(), 9);
    assert_eq!((history[0].ocpp_status.as_str(), history[0].status.as_str()), ("Faulted", "OUTOFORDER"));
    assert_eq!(history[0].error_code, "NoError");
    // An unknown connectorId is answered and changes nothing.
    charger.status(7, "Charging").await;
    assert_eq!(app.store.status_history(&site.evses[1], 20).await.expect("history").len(), 9);
}

async fn connector_status(app: &TestApp, uid: &str) -> String {
    sqlx::query_scalar("SELECT status FROM connectors WHERE evse_uid = $1")
        .bind(uid)
        .fetch_one(app.store.pool())
        .await
        .expect("connector")
}

async fn connector_zero_overrides_every_evse_until_it_clears(app: TestApp) {
    let site = site(&app).await;
    let mut charger = connect(&app, CP, &site.key).await;
    charger.boot().await;
    charger.status(1, "Charging").await;
    charger.status(2, "Available").await;
    charger.status(0, "Faulted").await;
    assert_eq!(status_of(&app, &site.evses[0]).await, "OUTOFORDER");
    assert_eq!(status_of(&app, &site.evses[1]).await, "OUTOFORDER");
    // The EVSEs' own statuses are kept underneath.
    charger.status(2, "Preparing").await;
    assert_eq!(status_of(&app, &site.evses[1]).await, "OUTOFORDER");
    charger.status(0, "Available").await;
    assert_eq!(status_of(&app, &site.evses[0]).await, "CHARGING");
    assert_eq!(status_of(&app, &site.evses[1]).await, "CHARGING");
    charger.status(0, "Unavailable").await;
    assert_eq!(status_of(&app, &site.evses[0]).await, "INOPERATIVE");
    // Recorded in the history of every EVSE of the charger.
    let history = app.store.status_history(&site.evses[0], 1).await.expect("history");
    assert_eq!((history[0].connector_id, history[0].status.as_str()), (0, "INOPERATIVE"));
    // A boot clears it too.
    charger.boot().await;
    assert_eq!(status_of(&app, &site.evses[0]).await, "CHARGING");
}

async fn an_older_report_from_an_earlier_connection_does_not_win(app: TestApp) {
    let site = site(&app).await;
    let mut charger = connect(&app, CP, &site.key).await;
    charger.boot().await;
    let status =
        |status: &str, at: &str| json!({"connectorId": 1, "errorCode": "NoError", "status": status, "timestamp": at});
    charger.ok("StatusNotification", status("Charging", "2030-01-01T10:00:00Z")).await;
    // On one connection the order of receipt decides, whatever the timestamps say (clamped).
    charger.ok("StatusNotification", status("Available", "2020-01-01T10:00:00Z")).await;
    assert_eq!(status_of(&app, &site.evses[0]).await, "AVAILABLE");
    charger.ok("StatusNotification", status("Reserved", "2026-01-01T10:00:00+02:00")).await;
    drop(charger);
    let mut charger = connect(&app, CP, &site.key).await;
    // A report queued while offline that is older than what is stored: history only.
    charger.ok("StatusNotification", status("Faulted", "2025-06-01T10:00:00Z")).await;
    assert_eq!(status_of(&app, &site.evses[0]).await, "RESERVED");
    let history = app.store.status_history(&site.evses[0], 1).await.expect("history");
    assert_eq!(history[0].ocpp_status, "Faulted");
    assert_eq!(history[0].timestamp.as_deref(), Some("2025-06-01T10:00:00Z"));
}

async fn every_callerror_code_changes_nothing_and_keeps_the_connection(app: TestApp) {
    let site = site(&app).await;
    let mut charger = connect(&app, CP, &site.key).await;
    charger.boot().await;
    charger.status(1, "Available").await;
    let before = app.count("evse_status_history").await;
    let status = |extra: serde_json::Value| {
        let mut payload = json!({"connectorId": 1, "errorCode": "NoError", "status": "Charging"});
        for (k, v) in extra.as_object().expect("object") {
            if v.is_null() {
                payload.as_object_mut().expect("object").remove(k);
            } else {
                payload[k] = v.clone();
            }
        }
        payload
    };
    assert_eq!(charger.error_code("MakeCoffee", json!({})).await, "NotImplemented");
    assert_eq!(charger.error_code("Reset", json!({"type": "Hard"})).await, "NotSupported");
    assert_eq!(
        charger.error_code("StatusNotification", status(json!({"status": null}))).await,
        "OccurenceConstraintViolation"
    );
    assert_eq!(
        charger.error_code("StatusNotification", status(json!({"connectorId": "1"}))).await,
        "TypeConstraintViolation"
    );
    assert_eq!(
        charger.error_code("StatusNotification", status(json!({"status": "Busy"}))).await,
        "PropertyConstraintViolation"
    );
    assert_eq!(
        charger.error_code("StatusNotification", status(json!({"info": "x".repeat(51)}))).await,
        "PropertyConstraintViolation"
    );
    assert_eq!(
        charger.error_code("StatusNotification", status(json!({"timestamp": "yesterday"}))).await,
        "PropertyConstraintViolation"
    );
    assert_eq!(
        charger
            .error_code("BootNotification", json!({"chargePointVendor": "V".repeat(21), "chargePointModel": "M"}))
            .await,
        "PropertyConstraintViolation"
    );
    charger.send_text(r#"[2,"bad","StatusNotification",[1]]"#).await;
    assert_eq!(charger.answer_to("bad").await[2], "FormationViolation");
    charger.send_text(r#"[2,"short","Heartbeat"]"#).await;
    assert_eq!(charger.answer_to("short").await[2], "FormationViolation");
    // Not answered at all: an unknown message type, a result nobody waits for, no id, not JSON.
    for text in [r#"[5,"x",{}]"#, r#"[3,"nobody",{}]"#, r#"[4,"nobody","GenericError","",{}]"#, "[2]", "hello"] {
        charger.send_text(text).await;
    }
    // Unknown extra fields are ignored (and logged).
    let answer = charger.call("Heartbeat", json!({"vendorField": 1})).await;
    assert_eq!(answer[0], 3, "{answer}");
    assert_eq!(app.count("evse_status_history").await, before, "no invalid payload changed anything");
    assert_eq!(status_of(&app, &site.evses[0]).await, "AVAILABLE");
    assert_eq!(
        charger.ok("DataTransfer", json!({"vendorId": "com.example"})).await,
        json!({"status": "UnknownVendorId"})
    );
    assert_eq!(charger.ok("FirmwareStatusNotification", json!({"status": "Installed"})).await, json!({}));
    assert_eq!(charger.ok("DiagnosticsStatusNotification", json!({"status": "Idle"})).await, json!({}));
}

/// Reports of many chargers arriving together go into one batch (one transaction, one statement
/// per table, or one in all on PostgreSQL): each lands on its own EVSE and its connectors, with
/// its history and one journal entry per change; the first charger's `last_seen` moves.
async fn statuses_of_many_chargers_at_once_each_land(app: TestApp) {
    use app::secret::ExposeSecret;
    use app::services::{chargers, locations};
    let site = site(&app).await;
    let mut fleet = Vec::new();
    for n in 0..8 {
        let evse = app::domain::inputs::NewEvse {
            evse_id: format!("GR*SOL*F{n}"),
            status: "AVAILABLE".into(),
            ..Default::default()
        };
        let connectors = vec![crate::helpers::fixtures::connector()];
        let uid = locations::create_evse(&app.store, site.owner, site.location, evse, connectors).await.expect("evse");
        let id = format!("CP-F{n}");
        chargers::create_charger(&app.store, site.owner, site.location, &id, std::slice::from_ref(&uid))
            .await
            .expect("charger");
        let key = chargers::new_key(&app.store, Some(site.owner), &id).await.expect("key").expose_secret().to_owned();
        let mut charger = connect(&app, &id, &key).await;
        charger.boot().await;
        fleet.push((uid, charger));
    }
    let journal_before = app.count("evse_changes").await;
    let seen_before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(last_seen), 0) FROM chargers")
        .fetch_one(app.store.pool())
        .await
        .expect("last_seen");
    for status in ["Charging", "Faulted"] {
        futures::future::join_all(fleet.iter_mut().map(|(_, charger)| charger.status(1, status))).await;
    }
    for (uid, _) in &fleet {
        assert_eq!(status_of(&app, uid).await, "OUTOFORDER");
        assert_eq!(connector_status(&app, uid).await, "OUTOFORDER");
        let history = app.store.status_history(uid, 20).await.expect("history");
        let reported: Vec<&str> = history.iter().take(2).map(|h| h.ocpp_status.as_str()).collect();
        assert_eq!(reported, ["Faulted", "Charging"], "{uid}");
    }
    assert_eq!(app.count("evse_changes").await - journal_before, 16, "one entry per change");
    let seen_after: i64 =
        sqlx::query_scalar("SELECT MAX(last_seen) FROM chargers").fetch_one(app.store.pool()).await.expect("last_seen");
    assert!(seen_after > seen_before, "last_seen moved");
}

both_backends!(
    statuses_of_many_chargers_at_once_each_land,
    boot_and_heartbeat_answer_with_time_and_interval,
    every_ocpp_status_maps_to_its_ocpi_status,
    connector_zero_overrides_every_evse_until_it_clears,
    an_older_report_from_an_earlier_connection_does_not_win,
    every_callerror_code_changes_nothing_and_keeps_the_connection,
);
