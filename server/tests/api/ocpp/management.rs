//! Owners manage chargers, keys and id tags over GraphQL; what an EVSE shows of its charger.
use super::client::{connect, dial, Dial};
use super::{site, CP};
use crate::helpers::TestApp;
use serde_json::{json, Value};
use std::time::Duration;

async fn data(app: &TestApp, bearer: &str, query: &str, variables: Value) -> Value {
    let (status, body) = app.gql(bearer, query, variables).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

async fn error_code(app: &TestApp, bearer: &str, query: &str, variables: Value) -> String {
    let (_, body) = app.gql(bearer, query, variables).await;
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or_else(|| panic!("no error: {body}")).to_owned()
}

const CREATE: &str = "mutation($loc: Int!, $cp: String!, $evses: [String!]!) { createCharger(location_id: $loc, charge_point_id: $cp, evse_uids: $evses) { charge_point_id location_id connected evses { uid } } }";

async fn owners_manage_chargers_and_keys(app: TestApp) {
    let site = site(&app).await;
    // One EVSE belongs to at most one charger; identities are unique and follow the rule.
    let taken = json!({"loc": site.location, "cp": "CP-2", "evses": [site.evses[0]]});
    assert_eq!(error_code(&app, &site.access, CREATE, taken).await, "CONFLICT");
    let same_id = json!({"loc": site.location, "cp": CP, "evses": ["nope"]});
    assert_eq!(error_code(&app, &site.access, CREATE, same_id).await, "CONFLICT");
    let no_such_evse = json!({"loc": site.location, "cp": "CP-9", "evses": ["nope"]});
    assert_eq!(error_code(&app, &site.access, CREATE, no_such_evse).await, "BAD_USER_INPUT");
    let bad_id = json!({"loc": site.location, "cp": "CP:2", "evses": [site.evses[0]]});
    assert_eq!(error_code(&app, &site.access, CREATE, bad_id).await, "BAD_USER_INPUT");
    let unknown_location = json!({"loc": 999_999, "cp": "CP-3", "evses": []});
    assert_eq!(error_code(&app, &site.access, CREATE, unknown_location).await, "BAD_USER_INPUT", "no EVSEs named");
    // Move the second EVSE to a new charger.
    let update = "mutation($cp: String!, $evses: [String!]!) { updateCharger(charge_point_id: $cp, evse_uids: $evses) { evses { uid } } }";
    let moved = data(&app, &site.access, update, json!({"cp": CP, "evses": [site.evses[0]]})).await;
    assert_eq!(moved["updateCharger"]["evses"].as_array().map(Vec::len), Some(1));
    let created =
        data(&app, &site.access, CREATE, json!({"loc": site.location, "cp": "CP-2", "evses": [site.evses[1]]})).await;
    assert_eq!(created["createCharger"]["evses"][0]["uid"], site.evses[1].as_str());
    let list = data(
        &app,
        &site.access,
        "query($loc: Int!) { chargers(location_id: $loc) { charge_point_id has_key } }",
        json!({"loc": site.location}),
    )
    .await;
    assert_eq!(
        list["chargers"],
        json!([{"charge_point_id": CP, "has_key": true}, {"charge_point_id": "CP-2", "has_key": false}])
    );
    // A key from GraphQL lets the charger in; the old key stops working.
    let key = data(&app, &site.access, "mutation { newChargerKey(charge_point_id: \"CP-2\") }", json!({})).await
        ["newChargerKey"]
        .as_str()
        .expect("key")
        .to_owned();
    assert!(key.len() == 40 && key.bytes().all(|b| b.is_ascii_hexdigit()));
    let mut charger = connect(&app, "CP-2", &key).await;
    charger.boot().await;
    let link = "{ evse { uid charger { charge_point_id connected vendor serial_number } } }";
    let evses = data(&app, &site.access, link, json!({})).await["evse"].clone();
    let second =
        evses.as_array().expect("evses").iter().find(|e| e["uid"] == site.evses[1].as_str()).cloned().expect("EVSE");
    assert_eq!(
        second["charger"],
        json!({"charge_point_id": "CP-2", "connected": true, "vendor": "Alfen", "serial_number": "ACE0123456"})
    );
    // API clients see the EVSE but not its charger.
    let token = app.api_token().await;
    let public = data(&app, &token, link, json!({})).await["evse"].clone();
    assert!(public.as_array().expect("evses").iter().all(|e| e["charger"].is_null()), "{public}");
    // An owner may not set the status of an EVSE its charger reports.
    let by_hand = app::services::locations::set_evse_status(&app.store, site.owner, &site.evses[1], "AVAILABLE").await;
    assert!(matches!(by_hand, Err(app::error::ServiceError::Invalid(_))), "{by_hand:?}");
    // Removing the charger keeps its EVSEs.
    data(&app, &site.access, "mutation { deleteCharger(charge_point_id: \"CP-2\") }", json!({})).await;
    assert_eq!(app.count("evses").await, 2);
    assert_eq!(
        error_code(&app, &site.access, "mutation { deleteCharger(charge_point_id: \"CP-2\") }", json!({})).await,
        "NOT_FOUND"
    );
}

async fn another_owners_charger_is_not_found(app: TestApp) {
    let site = site(&app).await;
    let token = app.api_token().await;
    let other = app.registered_owner(&token, "otherowner", "another long password").await;
    assert!(other != site.owner);
    let access = app.login(&token, "otherowner", "another long password").await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    for query in [
        "mutation { newChargerKey(charge_point_id: \"CP-1\") }",
        "mutation { deleteCharger(charge_point_id: \"CP-1\") }",
        "mutation { updateCharger(charge_point_id: \"CP-1\", evse_uids: []) { charge_point_id } }",
    ] {
        let code = error_code(&app, &access, query, json!({})).await;
        assert!(code == "NOT_FOUND" || code == "BAD_USER_INPUT", "{query}: {code}");
    }
    let update = "mutation($evses: [String!]!) { updateCharger(charge_point_id: \"CP-1\", evse_uids: $evses) { charge_point_id } }";
    assert_eq!(error_code(&app, &access, update, json!({"evses": [site.evses[0]]})).await, "NOT_FOUND");
    let list = format!("{{ chargers(location_id: {}) {{ charge_point_id }} }}", site.location);
    assert_eq!(error_code(&app, &access, &list, json!({})).await, "NOT_FOUND");
    assert_eq!(error_code(&app, &token, &list, json!({})).await, "FORBIDDEN");
    assert!(app.store.charger(CP).await.expect("read").is_some_and(|c| c.has_key), "nothing changed");
}

/// The removal may come from any node or the CLI: it reaches the socket through the database.
async fn removing_a_charger_or_its_location_closes_its_socket(app: TestApp) {
    let site = site(&app).await;
    let mut charger = connect(&app, CP, &site.key).await;
    charger.boot().await;
    data(&app, &site.access, "mutation { deleteCharger(charge_point_id: \"CP-1\") }", json!({})).await;
    assert!(charger.closed_within(Duration::from_secs(3)).await, "the removed charger's socket is closed");
    assert_eq!(super::evse_row(&app, &site.evses[0]).await.1, None, "no connection shown");
    let again = dial(&app, Dial::new(CP, &site.key)).await;
    assert_eq!(again.err().map(|s| s.as_u16()), Some(404));
    // A location's chargers go with it, and so do their sockets.
    let create = json!({"loc": site.location, "cp": "CP-2", "evses": [site.evses[0]]});
    data(&app, &site.access, CREATE, create).await;
    let key = data(&app, &site.access, "mutation { newChargerKey(charge_point_id: \"CP-2\") }", json!({})).await
        ["newChargerKey"]
        .as_str()
        .expect("key")
        .to_owned();
    let mut second = connect(&app, "CP-2", &key).await;
    second.boot().await;
    let delete = format!("mutation {{ deleteLocation(id: {}) }}", site.location);
    data(&app, &site.access, &delete, json!({})).await;
    assert!(
        second.closed_within(Duration::from_secs(3)).await,
        "the socket of the removed location's charger is closed"
    );
    assert_eq!(app.count("charger_dismissals").await, 2);
}

/// A key thought stolen is replaced: whoever connected with it is put out, wherever the
/// replacement came from (GraphQL here, the CLI or another node through the same journal).
async fn replacing_a_key_closes_the_socket_opened_with_the_old_one(app: TestApp) {
    let site = site(&app).await;
    let mut charger = connect(&app, CP, &site.key).await;
    charger.boot().await;
    let new_key = "mutation { newChargerKey(charge_point_id: \"CP-1\") }";
    let key = data(&app, &site.access, new_key, json!({})).await["newChargerKey"].as_str().expect("key").to_owned();
    assert!(charger.closed_within(Duration::from_secs(3)).await, "the old key's socket is closed");
    // The connection's end is written as its task ends, just after the socket closes.
    let mut shown = Some(String::new());
    for _ in 0..50 {
        shown = super::evse_row(&app, &site.evses[0]).await.1;
        if shown.is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(shown, None, "no connection shown");
    let old = dial(&app, Dial::new(CP, &site.key)).await;
    assert_eq!(old.err().map(|s| s.as_u16()), Some(401));
    let mut renewed = connect(&app, CP, &key).await;
    renewed.boot().await;
    assert!(super::evse_row(&app, &site.evses[0]).await.1.is_some(), "the new key's connection is shown");
    assert_eq!(app.count("charger_dismissals").await, 1);
}

both_backends!(
    owners_manage_chargers_and_keys,
    another_owners_charger_is_not_found,
    removing_a_charger_or_its_location_closes_its_socket,
    replacing_a_key_closes_the_socket_opened_with_the_old_one
);
