//! Commands from the owner to the charger: answered, queued one at a time, timed out, refused.
use super::client::{connect, Charger};
use super::{site, Site, CP};
use crate::helpers::TestApp;
use serde_json::{json, Value};
use std::time::Duration;

/// Starts a GraphQL mutation in the background; its response body comes out of the handle.
fn start(app: &TestApp, bearer: &str, query: &str) -> tokio::task::JoinHandle<Value> {
    let request = app.http.post(app.url("/graphql")).bearer_auth(bearer).json(&json!({ "query": query }));
    tokio::spawn(async move { request.send().await.expect("request").json::<Value>().await.expect("json") })
}

/// Reads the next CALL from the gateway: `(message id, action, payload)`.
async fn next_call(charger: &mut Charger) -> (String, String, Value) {
    let frame = charger.next_frame().await.expect("a CALL from the gateway");
    assert_eq!(frame[0], 2, "{frame}");
    (frame[1].as_str().expect("id").to_owned(), frame[2].as_str().expect("action").to_owned(), frame[3].clone())
}

async fn reply(charger: &mut Charger, id: &str, payload: Value) {
    charger.send_text(&json!([3, id, payload]).to_string()).await;
}

async fn booted(app: &TestApp) -> (Site, Charger) {
    let site = site(app).await;
    let mut charger = connect(app, CP, &site.key).await;
    charger.boot().await;
    (site, charger)
}

async fn each_command_reaches_the_charger_and_returns_its_answer(app: TestApp) {
    let (site, mut charger) = booted(&app).await;
    let (one, two) = (&site.evses[0], &site.evses[1]);
    let cases = [
        (format!("mutation {{ resetCharger(charge_point_id: \"{CP}\", type: \"Hard\") }}"), "Reset", json!({"type": "Hard"}), "Accepted"),
        (
            format!("mutation {{ changeAvailability(charge_point_id: \"{CP}\", evse_uid: \"{two}\", type: \"Inoperative\") }}"),
            "ChangeAvailability",
            json!({"connectorId": 2, "type": "Inoperative"}),
            "Scheduled",
        ),
        (
            format!("mutation {{ changeAvailability(charge_point_id: \"{CP}\", type: \"Operative\") }}"),
            "ChangeAvailability",
            json!({"connectorId": 0, "type": "Operative"}),
            "Accepted",
        ),
        (format!("mutation {{ unlockConnector(evse_uid: \"{one}\") }}"), "UnlockConnector", json!({"connectorId": 1}), "Unlocked"),
        (
            format!("mutation {{ remoteStartTransaction(evse_uid: \"{two}\", id_tag: \"TAG-7\") }}"),
            "RemoteStartTransaction",
            json!({"connectorId": 2, "idTag": "TAG-7"}),
            "Accepted",
        ),
        (
            format!("mutation {{ remoteStopTransaction(charge_point_id: \"{CP}\", transaction_id: 42) }}"),
            "RemoteStopTransaction",
            json!({"transactionId": 42}),
            "Rejected",
        ),
        (
            format!("mutation {{ triggerStatusNotification(charge_point_id: \"{CP}\") }}"),
            "TriggerMessage",
            json!({"requestedMessage": "StatusNotification"}),
            "Accepted",
        ),
        (
            format!("mutation {{ triggerStatusNotification(charge_point_id: \"{CP}\", evse_uid: \"{one}\") }}"),
            "TriggerMessage",
            json!({"requestedMessage": "StatusNotification", "connectorId": 1}),
            "Accepted",
        ),
    ];
    for (query, action, payload, status) in cases {
        let running = start(&app, &site.access, &query);
        let (id, sent_action, sent_payload) = next_call(&mut charger).await;
        assert_eq!((sent_action.as_str(), &sent_payload), (action, &payload), "{query}");
        reply(&mut charger, &id, json!({ "status": status })).await;
        let body = running.await.expect("joined");
        let data = body["data"].as_object().and_then(|d| d.values().next().cloned());
        assert_eq!(data, Some(json!(status)), "{query}: {body}");
    }
    // Arguments are checked before anything is sent.
    for query in [
        format!("mutation {{ resetCharger(charge_point_id: \"{CP}\", type: \"Medium\") }}"),
        format!("mutation {{ changeAvailability(charge_point_id: \"{CP}\", type: \"Sideways\") }}"),
        format!("mutation {{ remoteStartTransaction(evse_uid: \"{one}\", id_tag: \"{}\") }}", "x".repeat(21)),
        format!("mutation {{ remoteStopTransaction(charge_point_id: \"{CP}\", transaction_id: -1) }}"),
    ] {
        let (_, body) = app.gql(&site.access, &query, json!({})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{query}: {body}");
    }
    assert!(charger.next_frame_within(Duration::from_millis(300)).await.is_none(), "nothing was sent");
}

async fn commands_queue_one_at_a_time_and_the_chargers_calls_are_still_answered(app: TestApp) {
    let (site, mut charger) = booted(&app).await;
    let first =
        start(&app, &site.access, &format!("mutation {{ resetCharger(charge_point_id: \"{CP}\", type: \"Soft\") }}"));
    let (first_id, _, _) = next_call(&mut charger).await;
    let second = start(&app, &site.access, &format!("mutation {{ unlockConnector(evse_uid: \"{}\") }}", site.evses[0]));
    // The second waits while the first is outstanding; our own CALLs are answered meanwhile.
    assert!(charger.next_frame_within(Duration::from_millis(500)).await.is_none(), "one CALL at a time");
    charger.send_text(r#"[2,"hb","Heartbeat",{}]"#).await;
    let beat = charger.next_frame().await.expect("heartbeat answered");
    assert_eq!((beat[0].as_i64(), beat[1].as_str()), (Some(3), Some("hb")));
    reply(&mut charger, &first_id, json!({"status": "Accepted"})).await;
    let (second_id, action, _) = next_call(&mut charger).await;
    assert_eq!(action, "UnlockConnector");
    // A CALLERROR from the charger is reported with its code.
    charger.send_text(&json!([4, second_id, "NotSupported", "no lock motor", {}]).to_string()).await;
    assert_eq!(first.await.expect("joined")["data"]["resetCharger"], "Accepted");
    let refused = second.await.expect("joined");
    assert_eq!(refused["errors"][0]["extensions"]["code"], "CHARGER_ERROR", "{refused}");
    assert!(refused["errors"][0]["message"].as_str().is_some_and(|m| m.contains("NotSupported")), "{refused}");
}

async fn offline_chargers_and_other_owners_get_errors(app: TestApp) {
    let site = site(&app).await;
    let (_, body) = app
        .gql(
            &site.access,
            &format!("mutation {{ resetCharger(charge_point_id: \"{CP}\", type: \"Soft\") }}"),
            json!({}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "CHARGER_OFFLINE", "{body}");
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("not connected")), "{body}");
    let token = app.api_token().await;
    app.registered_owner(&token, "stranger", "a stranger's password").await;
    let access = app.login(&token, "stranger", "a stranger's password").await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let (_, body) = app
        .gql(&access, &format!("mutation {{ resetCharger(charge_point_id: \"{CP}\", type: \"Soft\") }}"), json!({}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND", "{body}");
    let (_, body) =
        app.gql(&access, &format!("mutation {{ unlockConnector(evse_uid: \"{}\") }}", site.evses[0]), json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND", "{body}");
}

both_backends!(
    each_command_reaches_the_charger_and_returns_its_answer,
    commands_queue_one_at_a_time_and_the_chargers_calls_are_still_answered,
    offline_chargers_and_other_owners_get_errors,
);

async fn an_unanswered_command_times_out(app: TestApp) {
    let (site, mut charger) = booted(&app).await;
    let running =
        start(&app, &site.access, &format!("mutation {{ resetCharger(charge_point_id: \"{CP}\", type: \"Soft\") }}"));
    let (id, _, _) = next_call(&mut charger).await;
    let body = running.await.expect("joined");
    assert_eq!(body["errors"][0]["extensions"]["code"], "CHARGER_TIMEOUT", "{body}");
    // A late answer is dropped; the next command goes through.
    reply(&mut charger, &id, json!({"status": "Accepted"})).await;
    let next =
        start(&app, &site.access, &format!("mutation {{ resetCharger(charge_point_id: \"{CP}\", type: \"Hard\") }}"));
    let (id, _, payload) = next_call(&mut charger).await;
    assert_eq!(payload, json!({"type": "Hard"}));
    reply(&mut charger, &id, json!({"status": "Rejected"})).await;
    assert_eq!(next.await.expect("joined")["data"]["resetCharger"], "Rejected");
}

both_backends_with!(
    |config: &mut emsp::config::Config| config.ocpp.call_timeout = std::time::Duration::from_secs(1),
    an_unanswered_command_times_out
);
