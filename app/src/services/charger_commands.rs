//! Commands an owner sends to its chargers (GraphQL, the portal's buttons). The path from here
//! to the socket is the `ChargerControl` trait: the gateway implements it for the chargers
//! connected to this node, and a later multi-node route can implement it across processes
//! without touching GraphQL or the portal.
use super::chargers;
use crate::error::{ChargerFailure, ServiceError};
use crate::store::Store;
use serde_json::{json, Value};

/// One OCPP 1.6 CALL from the Central System.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Reset {
        hard: bool,
    },
    /// `connector_id` 0 is the whole charger.
    ChangeAvailability {
        connector_id: i64,
        operative: bool,
    },
    UnlockConnector {
        connector_id: i64,
    },
    RemoteStartTransaction {
        connector_id: i64,
        id_tag: String,
    },
    RemoteStopTransaction {
        transaction_id: i64,
    },
    /// `None`: connector 0 and every connector.
    TriggerStatusNotification {
        connector_id: Option<i64>,
    },
}

impl Command {
    pub fn action(&self) -> &'static str {
        match self {
            Command::Reset { .. } => "Reset",
            Command::ChangeAvailability { .. } => "ChangeAvailability",
            Command::UnlockConnector { .. } => "UnlockConnector",
            Command::RemoteStartTransaction { .. } => "RemoteStartTransaction",
            Command::RemoteStopTransaction { .. } => "RemoteStopTransaction",
            Command::TriggerStatusNotification { .. } => "TriggerMessage",
        }
    }

    pub fn payload(&self) -> Value {
        match self {
            Command::Reset { hard } => json!({ "type": if *hard { "Hard" } else { "Soft" } }),
            Command::ChangeAvailability { connector_id, operative } => {
                json!({ "connectorId": connector_id, "type": if *operative { "Operative" } else { "Inoperative" } })
            }
            Command::UnlockConnector { connector_id } => json!({ "connectorId": connector_id }),
            Command::RemoteStartTransaction { connector_id, id_tag } => {
                json!({ "connectorId": connector_id, "idTag": id_tag })
            }
            Command::RemoteStopTransaction { transaction_id } => json!({ "transactionId": transaction_id }),
            Command::TriggerStatusNotification { connector_id: Some(id) } => {
                json!({ "requestedMessage": "StatusNotification", "connectorId": id })
            }
            Command::TriggerStatusNotification { connector_id: None } => {
                json!({ "requestedMessage": "StatusNotification" })
            }
        }
    }
}

/// Delivers commands to chargers wherever their sockets are.
#[async_trait::async_trait]
pub trait ChargerControl: Send + Sync {
    /// Sends `command` (after the charger's earlier commands) and returns the charger's answer
    /// payload, e.g. `{"status": "Accepted"}`.
    async fn send(&self, charge_point_id: &str, command: Command) -> Result<Value, ChargerFailure>;
}

/// The `status` of the charger's answer ("Accepted", "Rejected", "Unlocked", …).
async fn status_of(
    control: &dyn ChargerControl,
    charge_point_id: &str,
    command: Command,
) -> Result<String, ServiceError> {
    let answer = control.send(charge_point_id, command).await.map_err(ServiceError::Charger)?;
    answer.get("status").and_then(Value::as_str).map(str::to_owned).ok_or_else(|| {
        ServiceError::Charger(ChargerFailure::Refused {
            code: "FormationViolation".into(),
            description: "the answer has no status".into(),
        })
    })
}

/// One of `owner`'s chargers, by identity; anything else is "not found".
async fn owned_charger(store: &Store, owner: i64, charge_point_id: &str) -> Result<(), ServiceError> {
    let not_found = || ServiceError::NotFound("charger not found".into());
    chargers::existing(charge_point_id)?;
    let charger = store.charger(charge_point_id).await?.ok_or_else(not_found)?;
    if store.location_owner(charger.location_id).await? != Some(owner) {
        return Err(not_found());
    }
    Ok(())
}

/// The charger of one of `owner`'s EVSEs and the EVSE's connectorId on it.
async fn owned_evse(store: &Store, owner: i64, evse_uid: &str) -> Result<(String, i64), ServiceError> {
    let not_found = || ServiceError::NotFound("EVSE with a charger not found".into());
    if evse_uid.is_empty() || evse_uid.len() > super::locations::KEY_MAX {
        return Err(not_found());
    }
    let (charge_point_id, position) = store.charger_of_evse(evse_uid).await?.ok_or_else(not_found)?;
    owned_charger(store, owner, &charge_point_id).await.map_err(|_| not_found())?;
    Ok((charge_point_id, position))
}

/// `evse_uid` must be one of the charger's EVSEs; its connectorId.
async fn connector_of(store: &Store, owner: i64, charge_point_id: &str, evse_uid: &str) -> Result<i64, ServiceError> {
    let (charger, position) = owned_evse(store, owner, evse_uid).await?;
    if charger != charge_point_id {
        return Err(ServiceError::invalid("evse_uid", format!("is not an EVSE of charger {charge_point_id}")));
    }
    Ok(position)
}

pub async fn reset(
    store: &Store,
    control: &dyn ChargerControl,
    owner: i64,
    charge_point_id: &str,
    kind: &str,
) -> Result<String, ServiceError> {
    let hard = match kind {
        "Soft" => false,
        "Hard" => true,
        _ => return Err(ServiceError::invalid("type", "must be Soft or Hard")),
    };
    owned_charger(store, owner, charge_point_id).await?;
    status_of(control, charge_point_id, Command::Reset { hard }).await
}

/// No EVSE: the whole charger (connectorId 0).
pub async fn change_availability(
    store: &Store,
    control: &dyn ChargerControl,
    owner: i64,
    charge_point_id: &str,
    evse_uid: Option<&str>,
    kind: &str,
) -> Result<String, ServiceError> {
    let operative = match kind {
        "Operative" => true,
        "Inoperative" => false,
        _ => return Err(ServiceError::invalid("type", "must be Operative or Inoperative")),
    };
    owned_charger(store, owner, charge_point_id).await?;
    let connector_id = match evse_uid {
        Some(uid) => connector_of(store, owner, charge_point_id, uid).await?,
        None => 0,
    };
    status_of(control, charge_point_id, Command::ChangeAvailability { connector_id, operative }).await
}

pub async fn unlock_connector(
    store: &Store,
    control: &dyn ChargerControl,
    owner: i64,
    evse_uid: &str,
) -> Result<String, ServiceError> {
    let (charge_point_id, connector_id) = owned_evse(store, owner, evse_uid).await?;
    status_of(control, &charge_point_id, Command::UnlockConnector { connector_id }).await
}

pub async fn remote_start(
    store: &Store,
    control: &dyn ChargerControl,
    owner: i64,
    evse_uid: &str,
    id_tag: &str,
) -> Result<String, ServiceError> {
    let id_tag = chargers::id_tag(id_tag)?;
    let (charge_point_id, connector_id) = owned_evse(store, owner, evse_uid).await?;
    let command = Command::RemoteStartTransaction { connector_id, id_tag: id_tag.to_owned() };
    status_of(control, &charge_point_id, command).await
}

pub async fn remote_stop(
    store: &Store,
    control: &dyn ChargerControl,
    owner: i64,
    charge_point_id: &str,
    transaction_id: i64,
) -> Result<String, ServiceError> {
    if !(0..=i64::from(i32::MAX)).contains(&transaction_id) {
        return Err(ServiceError::invalid("transaction_id", "must be a transaction id (0 to 2147483647)"));
    }
    owned_charger(store, owner, charge_point_id).await?;
    status_of(control, charge_point_id, Command::RemoteStopTransaction { transaction_id }).await
}

/// No EVSE: connector 0 and every EVSE of the charger.
pub async fn trigger_status(
    store: &Store,
    control: &dyn ChargerControl,
    owner: i64,
    charge_point_id: &str,
    evse_uid: Option<&str>,
) -> Result<String, ServiceError> {
    owned_charger(store, owner, charge_point_id).await?;
    let connector_id = match evse_uid {
        Some(uid) => Some(connector_of(store, owner, charge_point_id, uid).await?),
        None => None,
    };
    status_of(control, charge_point_id, Command::TriggerStatusNotification { connector_id }).await
}
