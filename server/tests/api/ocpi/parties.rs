//! A CPO owner's OCPI party, set by GraphQL `updateCpoOwner`: validated, upper-cased, unique, and
//! what decides whether its locations are exposed.
use super::{get, ocpi_config, registered_peer};
use crate::helpers::TestApp;
use serde_json::{json, Value};

/// A signed-in CPO owner: (owner id, access token).
async fn signed_in(app: &TestApp, username: &str) -> (i64, String) {
    let token = app.api_token().await;
    let owner = app.registered_owner(&token, username, "a long enough password").await;
    let access =
        app.login(&token, username, "a long enough password").await["access_token"].as_str().expect("token").to_owned();
    (owner, access)
}

const UPDATE: &str =
    "mutation($c: String, $p: String) { updateCpoOwner(input: {party_country_code: $c, party_id: $p}) \
                      { id party_country_code party_id } }";

async fn owners_set_their_party_by_graphql(app: TestApp) {
    let (_, access) = signed_in(&app, "alpha").await;
    let (status, body) = app.gql(&access, UPDATE, json!({"c": "gr", "p": "ab1"})).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["updateCpoOwner"]["party_country_code"], "GR", "{body}");
    assert_eq!(body["data"]["updateCpoOwner"]["party_id"], "AB1");
    // Invalid values name the field and change nothing.
    let (_, bad) = app.gql(&access, UPDATE, json!({"c": "G1", "p": "ABCD"})).await;
    let message = bad["errors"][0]["message"].as_str().unwrap_or_default().to_owned();
    assert!(message.contains("party_country_code") && message.contains("party_id"), "{bad}");
    let (_, half) = app.gql(&access, UPDATE, json!({"c": "GR", "p": null})).await;
    assert!(half["errors"].is_array(), "{half}");
    // Another owner cannot take the same party.
    let (_, other) = signed_in(&app, "beta").await;
    let (_, taken) = app.gql(&other, UPDATE, json!({"c": "GR", "p": "AB1"})).await;
    assert!(taken["errors"][0]["message"].as_str().unwrap_or_default().contains("GR-AB1"), "{taken}");
    let parties = app.store.hosted_parties().await.expect("parties");
    assert_eq!(parties.len(), 1);
    assert_eq!((parties[0].country_code.as_str(), parties[0].party_id.as_str()), ("GR", "AB1"));
    // Clearing it takes the owner off OCPI.
    let (_, cleared) = app.gql(&access, UPDATE, json!({"c": "", "p": ""})).await;
    assert_eq!(cleared["data"]["updateCpoOwner"]["party_id"], Value::Null, "{cleared}");
    assert!(app.store.hosted_parties().await.expect("parties").is_empty());
    // An API client (no owner) cannot.
    let api = app.api_token().await;
    let (_, refused) = app.gql(&api, UPDATE, json!({"c": "GR", "p": "XYZ"})).await;
    assert!(refused["errors"].is_array(), "{refused}");
}

async fn our_credentials_list_each_hosted_party(app: TestApp) {
    let (_, access) = signed_in(&app, "alpha").await;
    app.gql(&access, UPDATE, json!({"c": "GR", "p": "AAA"})).await;
    let (_peer, token) = registered_peer(&app, "peer").await;
    let ours = get(&app, "/ocpi/2.2.1/credentials", &token).await;
    let roles = ours.body["data"]["roles"].as_array().expect("roles").clone();
    assert!(roles.iter().any(|r| r["role"] == "CPO"
        && r["country_code"] == "GR"
        && r["party_id"] == "AAA"
        && r["business_details"]["name"] == "Solarius"));
    assert!(roles.iter().any(|r| r["role"] == "EMSP" && r["party_id"] == "EMS"));
}

both_backends_with!(super::ocpi_config, owners_set_their_party_by_graphql, our_credentials_list_each_hosted_party);
