//! What every handler of one connection knows: the charger, this connection, the settings.
use app::store::Store;
use std::time::Duration;

pub struct Session {
    pub store: Store,
    pub charger_id: i64,
    /// The CPO owner of the charger: its id tags decide authorisations.
    pub owner_id: i64,
    pub charge_point_id: String,
    pub connection_id: String,
    pub heartbeat_interval: Duration,
    pub writer: super::writer::StatusWriter,
}
