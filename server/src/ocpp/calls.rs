//! CALLs the Central System sends: commands queue per charger (one outstanding CALL at a time,
//! OCPP-J §4.1.1) and each waits at most `--ocpp-call-timeout` for its answer once sent. This
//! is the gateway's side of `services::charger_commands::ChargerControl` for the chargers
//! connected to this node.
use super::registry::Registry;
use app::error::ChargerFailure;
use app::services::charger_commands::{ChargerControl, Command};
use serde_json::Value;
use std::time::Duration;
use tokio::sync::oneshot;

/// Commands waiting for one charger beyond the one in flight; more are refused as busy.
pub const QUEUE_LIMIT: usize = 16;

/// A command on its way to a connection's task, with where its answer goes.
pub struct Queued {
    pub command: Command,
    pub reply: oneshot::Sender<Result<Value, ChargerFailure>>,
}

#[derive(Clone)]
pub struct GatewayControl {
    registry: Registry,
    call_timeout: Duration,
}

impl GatewayControl {
    pub fn new(registry: Registry, call_timeout: Duration) -> Self {
        Self { registry, call_timeout }
    }
}

#[async_trait::async_trait]
impl ChargerControl for GatewayControl {
    async fn send(&self, charge_point_id: &str, command: Command) -> Result<Value, ChargerFailure> {
        let not_connected = || ChargerFailure::NotConnected(charge_point_id.to_owned());
        let queue = self.registry.commands(charge_point_id).ok_or_else(not_connected)?;
        let (reply, answer) = oneshot::channel();
        queue.try_send(Queued { command, reply }).map_err(|e| match e {
            tokio::sync::mpsc::error::TrySendError::Full(_) => ChargerFailure::Refused {
                code: "Busy".into(),
                description: format!("{QUEUE_LIMIT} commands are already waiting for this charger"),
            },
            tokio::sync::mpsc::error::TrySendError::Closed(_) => not_connected(),
        })?;
        // The connection times each CALL out once it is sent; this bound also covers the queue.
        let whole_queue = self.call_timeout * u32::try_from(QUEUE_LIMIT + 1).unwrap_or(u32::MAX);
        match tokio::time::timeout(whole_queue, answer).await {
            Ok(Ok(result)) => result,
            // The connection ended before answering.
            Ok(Err(_)) => Err(not_connected()),
            Err(_) => Err(ChargerFailure::Timeout {
                charge_point_id: charge_point_id.to_owned(),
                seconds: whole_queue.as_secs(),
            }),
        }
    }
}
