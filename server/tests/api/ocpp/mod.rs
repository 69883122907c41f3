//! The OCPP 1.6J gateway over real WebSockets, on SQLite and PostgreSQL.
mod client;
mod commands;
mod connection;
mod live;
mod management;
mod messages;
mod transactions;

use crate::helpers::fixtures::{connector, registration};
use crate::helpers::TestApp;
use app::domain::inputs::NewEvse;
use app::secret::ExposeSecret;
use app::services::{chargers, locations};

/// An OCPP-ready owner with a location of two EVSEs and a charger `CP-1` holding both.
pub struct Site {
    pub owner: i64,
    pub location: i64,
    pub evses: Vec<String>,
    pub key: String,
    /// The owner's access token.
    pub access: String,
}

pub const CP: &str = "CP-1";

fn evse(evse_id: &str) -> NewEvse {
    NewEvse { evse_id: evse_id.into(), status: "AVAILABLE".into(), ..Default::default() }
}

pub async fn site(app: &TestApp) -> Site {
    let token = app.api_token().await;
    let response = app.post_json("/ocpi/cpo/2.2/register", &token, &registration("ocppowner")).await;
    assert_eq!(response.status(), 200);
    let owner =
        app.store.user_by_username("ocppowner").await.expect("user").and_then(|u| u.cpo_owner_id).expect("owner");
    let mut location = crate::helpers::fixtures::location("Charging hub");
    location.publish = true;
    let location = locations::create_location(&app.store, owner, location).await.expect("location");
    let mut evses = Vec::new();
    for id in ["GR*SOL*E1", "GR*SOL*E2"] {
        evses.push(
            locations::create_evse(&app.store, owner, location, evse(id), vec![connector()]).await.expect("evse"),
        );
    }
    chargers::create_charger(&app.store, owner, location, CP, &evses).await.expect("charger");
    let key = chargers::new_key(&app.store, Some(owner), CP).await.expect("key").expose_secret().to_owned();
    let invitation = app.invitation_from_outbox();
    app::services::registration::accept_invitation(&app.store, &invitation, "a long enough password")
        .await
        .expect("password");
    let access = app.login(&token, "ocppowner", "a long enough password").await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    Site { owner, location, evses, key, access }
}

/// `(status, current_ws_connection_id, server_id, serial_number, meter_type)` of an EVSE as stored.
pub async fn evse_row(
    app: &TestApp,
    uid: &str,
) -> (String, Option<String>, Option<String>, Option<String>, Option<String>) {
    use sqlx::Row;
    let row = sqlx::query(
        "SELECT status, current_ws_connection_id, server_id, serial_number, meter_type FROM evses WHERE uid = $1",
    )
    .bind(uid)
    .fetch_one(app.store.pool())
    .await
    .expect("evse row");
    (
        row.get("status"),
        row.get("current_ws_connection_id"),
        row.get("server_id"),
        row.get("serial_number"),
        row.get("meter_type"),
    )
}

pub async fn status_of(app: &TestApp, uid: &str) -> String {
    evse_row(app, uid).await.0
}

/// Polls until the EVSE shows `status` (writes after a socket closes are asynchronous).
pub async fn wait_for_status(app: &TestApp, uid: &str, status: &str) {
    for _ in 0..100 {
        if status_of(app, uid).await == status {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("EVSE {uid} never showed {status}; it shows {}", status_of(app, uid).await);
}
