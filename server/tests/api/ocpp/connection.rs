//! Who may connect, how, and what a connection shows on the EVSEs.
use super::client::{connect, dial, Dial};
use super::{evse_row, site, status_of, wait_for_status, CP};
use crate::helpers::TestApp;
use std::time::Duration;

async fn refusals_happen_before_the_upgrade(app: TestApp) {
    let site = site(&app).await;
    let status = |r: Result<super::client::Charger, _>| {
        r.err().map(|s: tokio_tungstenite::tungstenite::http::StatusCode| s.as_u16())
    };
    assert_eq!(status(dial(&app, Dial::new("NO-SUCH-CP", &site.key)).await), Some(404));
    assert_eq!(status(dial(&app, Dial::new("bad:id", &site.key)).await), Some(404));
    assert_eq!(status(dial(&app, Dial { basic: None, ..Dial::new(CP, &site.key) }).await), Some(401));
    assert_eq!(status(dial(&app, Dial::new(CP, "0000000000000000000000000000000000000000")).await), Some(401));
    let other_user = Dial { basic: Some(("CP-2", site.key.as_bytes().to_vec())), ..Dial::new(CP, &site.key) };
    assert_eq!(status(dial(&app, other_user).await), Some(401));
    // The key as its 20 raw bytes (the original OCPP-J form) and in capitals both work.
    let raw = hex_decode(&site.key);
    assert!(dial(&app, Dial { basic: Some((CP, raw)), ..Dial::new(CP, &site.key) }).await.is_ok());
    assert!(dial(&app, Dial::new(CP, &site.key.to_uppercase())).await.is_ok());
    sqlx::query("UPDATE cpo_owners SET ocpp_ready = 0 WHERE id = $1")
        .bind(site.owner)
        .execute(app.store.pool())
        .await
        .expect("update");
    assert_eq!(status(dial(&app, Dial::new(CP, &site.key)).await), Some(403));
}

fn hex_decode(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex")).collect()
}

/// A raw handshake (WebSocket clients refuse a 101 without the subprotocol they asked for):
/// returns the response head and whether the server then sent a close frame and hung up.
async fn raw_handshake(app: &TestApp, key: &str, protocols: Option<&str>) -> (String, bool) {
    use base64::Engine;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{CP}:{key}"));
    let protocol = protocols.map(|p| format!("Sec-WebSocket-Protocol: {p}\r\n")).unwrap_or_default();
    let request = format!(
        "GET /ocpp/{CP} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{protocol}\
         Authorization: Basic {basic}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut received = Vec::new();
    let mut buffer = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) => break,
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
            Err(_) => return (String::from_utf8_lossy(&received).into_owned(), false),
        }
    }
    let text = String::from_utf8_lossy(&received).into_owned();
    let head_end = text.find("\r\n\r\n").map_or(text.len(), |i| i + 4);
    let after_head = &received[head_end.min(received.len())..];
    // 0x88: a final frame with the close opcode.
    (text[..head_end].to_owned(), after_head.first() == Some(&0x88))
}

async fn a_client_without_the_subprotocol_is_closed_after_the_handshake(app: TestApp) {
    let site = site(&app).await;
    for offered in [None, Some("ocpp1.5, ocpp2.0")] {
        let (head, closed) = raw_handshake(&app, &site.key, offered).await;
        assert!(head.starts_with("HTTP/1.1 101"), "{offered:?}: {head}");
        assert!(!head.to_ascii_lowercase().contains("sec-websocket-protocol"), "{head}");
        assert!(closed, "{offered:?}: the socket is closed at once");
    }
    let charger =
        dial(&app, Dial { protocols: "ocpp2.0.1, ocpp1.6", ..Dial::new(CP, &site.key) }).await.expect("handshake");
    assert_eq!(charger.protocol.as_deref(), Some("ocpp1.6"));
    // Nothing was recorded for the refused sockets' short lives that outlasts them.
    drop(charger);
    wait_for_status(&app, &site.evses[0], "UNKNOWN").await;
}

/// A graceful shutdown ends every charger connection and records it before the pool closes
/// (not only at this node's next start, which a retired node never has).
async fn shutdown_records_that_chargers_are_gone(mut app: TestApp) {
    let site = site(&app).await;
    let mut charger = connect(&app, CP, &site.key).await;
    charger.boot().await;
    assert!(evse_row(&app, &site.evses[0]).await.1.is_some(), "connected");
    app.shutdown().await;
    assert!(charger.closed_within(Duration::from_secs(3)).await, "the socket is closed");
    let store = app::store::Store::connect(&app.database_url).await.expect("reopen");
    let held: Vec<(Option<String>, Option<String>)> = sqlx::query_as("SELECT connection_id, server_id FROM chargers")
        .fetch_all(store.pool())
        .await
        .expect("chargers");
    assert_eq!(held, [(None, None)], "the charger still shows as connected");
    let evses: Vec<(Option<String>,)> =
        sqlx::query_as("SELECT current_ws_connection_id FROM evses").fetch_all(store.pool()).await.expect("evses");
    assert!(evses.iter().all(|(c,)| c.is_none()), "{evses:?}");
    store.close().await;
}

async fn connection_fields_are_set_cleared_and_replaced(app: TestApp) {
    let site = site(&app).await;
    let (status, connection, server, ..) = evse_row(&app, &site.evses[0]).await;
    assert_eq!(
        (status.as_str(), connection, server),
        ("UNKNOWN", None, None),
        "UNKNOWN until the charger first connects"
    );
    let mut first = connect(&app, CP, &site.key).await;
    first.boot().await;
    let (_, first_connection, server, serial, meter) = evse_row(&app, &site.evses[1]).await;
    let first_connection = first_connection.expect("connection id set");
    assert!(server.is_some_and(|s| !s.is_empty()));
    assert_eq!((serial.as_deref(), meter.as_deref()), (Some("ACE0123456"), Some("Inepro PRO380")));
    // A second connection with the same identity replaces the first.
    let mut second = connect(&app, CP, &site.key).await;
    assert!(first.closed_within(Duration::from_secs(3)).await, "the old socket is closed");
    second.ok("Heartbeat", serde_json::json!({})).await;
    let (_, second_connection, ..) = evse_row(&app, &site.evses[0]).await;
    assert!(second_connection.as_ref().is_some_and(|c| *c != first_connection), "names the new connection");
    // Both EVSEs name it, and the old connection's end did not clear it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(evse_row(&app, &site.evses[1]).await.1, second_connection);
    drop(second);
    for _ in 0..100 {
        if evse_row(&app, &site.evses[0]).await.1.is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, connection, server, serial, _) = evse_row(&app, &site.evses[0]).await;
    assert_eq!((status.as_str(), connection, server), ("UNKNOWN", None, None));
    assert_eq!(serial.as_deref(), Some("ACE0123456"), "boot data outlives the connection");
}

async fn statuses_come_back_on_reconnect_with_a_trigger(app: TestApp) {
    let site = site(&app).await;
    let mut charger = connect(&app, CP, &site.key).await;
    charger.boot().await;
    charger.status(1, "Charging").await;
    charger.status(2, "Available").await;
    drop(charger);
    wait_for_status(&app, &site.evses[0], "UNKNOWN").await;
    assert_eq!(status_of(&app, &site.evses[1]).await, "UNKNOWN");
    // A reconnecting charger sends no BootNotification and no unchanged status.
    let mut charger = connect(&app, CP, &site.key).await;
    let trigger = charger.next_frame().await.expect("the gateway asks for statuses");
    assert_eq!((trigger[0].as_i64(), trigger[2].as_str()), (Some(2), Some("TriggerMessage")), "{trigger}");
    assert_eq!(trigger[3]["requestedMessage"], "StatusNotification");
    assert_eq!(status_of(&app, &site.evses[0]).await, "CHARGING");
    assert_eq!(status_of(&app, &site.evses[1]).await, "AVAILABLE");
}

both_backends!(
    shutdown_records_that_chargers_are_gone,
    refusals_happen_before_the_upgrade,
    a_client_without_the_subprotocol_is_closed_after_the_handshake,
    connection_fields_are_set_cleared_and_replaced,
    statuses_come_back_on_reconnect_with_a_trigger,
);

async fn silent_chargers_are_disconnected(app: TestApp) {
    let site = site(&app).await;
    let mut charger = connect(&app, CP, &site.key).await;
    let boot = charger.boot().await;
    assert_eq!(boot["interval"], 1);
    charger.status(1, "Available").await;
    // Not reading means not answering pings: silence.
    tokio::time::sleep(Duration::from_secs(13)).await;
    wait_for_status(&app, &site.evses[0], "UNKNOWN").await;
    assert!(charger.closed_within(Duration::from_secs(2)).await);
}

async fn binary_frames_large_frames_and_floods_close_the_socket(app: TestApp) {
    use futures::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let site = site(&app).await;
    let mut charger = connect(&app, CP, &site.key).await;
    charger.socket.send(Message::Binary(vec![1, 2, 3].into())).await.expect("send");
    assert!(charger.closed_within(Duration::from_secs(2)).await, "binary frame");
    let mut charger = connect(&app, CP, &site.key).await;
    let big = format!(r#"[2,"1","DataTransfer",{{"vendorId":"x","data":"{}"}}]"#, "a".repeat(1024 * 1024));
    let _ = charger.socket.send(Message::Text(big.into())).await;
    assert!(charger.closed_within(Duration::from_secs(2)).await, "frame over 1 MiB");
    // Just under the limit is fine.
    let mut charger = connect(&app, CP, &site.key).await;
    let near = format!(r#"[2,"1","DataTransfer",{{"vendorId":"x","data":"{}"}}]"#, "a".repeat(1000 * 1024));
    charger.send_text(&near).await;
    assert_eq!(charger.answer_to("1").await[2]["status"], "UnknownVendorId");
    for i in 0..400 {
        if charger.socket.send(Message::Text(format!(r#"[2,"f{i}","Heartbeat",{{}}]"#).into())).await.is_err() {
            break;
        }
    }
    assert!(charger.closed_within(Duration::from_secs(3)).await, "flood");
}

// Chargers that must be heard from every second (silence limit 12 s).
both_backends_with!(
    |config: &mut emsp::config::Config| config.ocpp.heartbeat_interval = std::time::Duration::from_secs(1),
    silent_chargers_are_disconnected
);

both_backends!(binary_frames_large_frames_and_floods_close_the_socket);
