//! Live updates: a GraphQL subscription over WebSocket (graphql-transport-ws) sees a charger's
//! status change within a second.
use super::client::connect;
use super::{site, CP};
use crate::helpers::TestApp;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

type Socket = super::client::Socket;

async fn subscriber(app: &TestApp, init: Value) -> Socket {
    let url = format!("{}/graphql", app.base.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert("sec-websocket-protocol", HeaderValue::from_static("graphql-transport-ws"));
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.expect("subscription socket");
    let init = json!({"type": "connection_init", "payload": init});
    socket.send(Message::Text(init.to_string().into())).await.expect("init");
    socket
}

async fn next_message(socket: &mut Socket, wait: Duration) -> Option<Value> {
    loop {
        match tokio::time::timeout(wait, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return Some(serde_json::from_str(&text).expect("json")),
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {}
            _ => return None,
        }
    }
}

async fn subscribe(socket: &mut Socket, query: &str) {
    assert_eq!(next_message(socket, Duration::from_secs(5)).await.expect("ack")["type"], "connection_ack");
    let start = json!({"id": "1", "type": "subscribe", "payload": {"query": query}});
    socket.send(Message::Text(start.to_string().into())).await.expect("subscribe");
    // Changes made before (the boot's) may still arrive: take them until the line is quiet.
    while next_message(socket, Duration::from_millis(500)).await.is_some() {}
}

async fn a_subscription_sees_a_status_change_within_a_second(app: TestApp) {
    let site = site(&app).await;
    let token = app.api_token().await;
    let mut charger = connect(&app, CP, &site.key).await;
    charger.boot().await;
    let mut watcher = subscriber(&app, json!({"Authorization": format!("Bearer {token}")})).await;
    let query = format!(
        "subscription {{ evseStatus(location_id: {}) {{ uid status connectors {{ status }} }} }}",
        site.location
    );
    subscribe(&mut watcher, &query).await;
    let sent = Instant::now();
    charger.status(2, "Charging").await;
    let message = next_message(&mut watcher, Duration::from_secs(2)).await.expect("an update");
    let took = sent.elapsed();
    assert_eq!(message["type"], "next", "{message}");
    let evse = &message["payload"]["data"]["evseStatus"];
    assert_eq!(evse["uid"], site.evses[1].as_str());
    assert_eq!(evse["status"], "CHARGING");
    assert_eq!(evse["connectors"][0]["status"], "CHARGING");
    assert!(took < Duration::from_secs(1), "took {took:?}");
    // Another location's changes are not sent; this one's next change is, with fresh connectors.
    charger.status(2, "Available").await;
    let message = next_message(&mut watcher, Duration::from_secs(2)).await.expect("an update");
    assert_eq!(message["payload"]["data"]["evseStatus"]["connectors"][0]["status"], "AVAILABLE");
}

async fn subscriptions_need_a_token_and_respect_visibility(app: TestApp) {
    let site = site(&app).await;
    let mut anonymous = subscriber(&app, json!({})).await;
    let answer = next_message(&mut anonymous, Duration::from_secs(3)).await;
    assert!(answer.as_ref().is_none_or(|m| m["type"] != "connection_ack"), "{answer:?}");
    // An API client does not see an unpublished location's EVSEs.
    app::services::locations::set_publish(&app.store, site.owner, site.location, false).await.expect("unpublish");
    let token = app.api_token().await;
    let mut public = subscriber(&app, json!({"Authorization": format!("Bearer {token}")})).await;
    subscribe(&mut public, "subscription { evseStatus { uid status } }").await;
    let mut owner = subscriber(&app, json!({"authorization": format!("Bearer {}", site.access)})).await;
    subscribe(&mut owner, "subscription { evseStatus { uid status } }").await;
    let mut charger = connect(&app, CP, &site.key).await;
    charger.boot().await;
    charger.status(1, "Faulted").await;
    let seen = next_message(&mut owner, Duration::from_secs(2)).await.expect("owner sees its draft");
    assert_eq!(seen["payload"]["data"]["evseStatus"]["uid"], site.evses[0].as_str());
    assert!(next_message(&mut public, Duration::from_millis(800)).await.is_none(), "drafts are not public");
}

both_backends!(a_subscription_sees_a_status_change_within_a_second, subscriptions_need_a_token_and_respect_visibility);
