-- Chargers that connect over OCPP 1.6J. A charger belongs to a location; its EVSEs are that
-- location's, in OCPP connector order (connectorId n = position n). The EVSE rows keep what the
-- APIs read (status, serial_number, meter_type, current_ws_connection_id, server_id): the gateway
-- writes them there, so reads stay one table and need no join.
CREATE TABLE chargers (
    id INTEGER PRIMARY KEY,
    charge_point_id TEXT NOT NULL UNIQUE,
    location_id BIGINT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    -- 'sha256:<salt>:<digest>' for keys we generated, an argon2id PHC string for imported ones.
    key_digest TEXT,
    vendor TEXT,
    model TEXT,
    firmware_version TEXT,
    serial_number TEXT,
    meter_type TEXT,
    -- Connector 0 reported Unavailable or Faulted: every EVSE shows this until it clears.
    override_status TEXT CHECK (override_status IN ('INOPERATIVE', 'OUTOFORDER')),
    connection_id TEXT,
    server_id TEXT,
    connected_since BIGINT,
    last_seen BIGINT,
    -- The charger's main meter (MeterValues on connectorId 0), Wh.
    main_meter_wh DOUBLE PRECISION,
    date_created BIGINT NOT NULL,
    date_modified BIGINT NOT NULL
);
CREATE INDEX chargers_location_id ON chargers (location_id);
CREATE INDEX chargers_server_id ON chargers (server_id);

CREATE TABLE charger_evses (
    evse_uid TEXT PRIMARY KEY REFERENCES evses (uid) ON DELETE CASCADE,
    charger_id BIGINT NOT NULL REFERENCES chargers (id) ON DELETE CASCADE,
    position BIGINT NOT NULL CHECK (position >= 1),
    -- The EVSE's own last reported status (OCPI value), kept under a connector-0 override and
    -- while the charger is offline; NULL until it first reports.
    own_status TEXT,
    -- When that status applied (the charger's timestamp, clamped to receipt) and on which
    -- connection it arrived: within a connection order of receipt wins, across connections time.
    status_at BIGINT,
    status_connection TEXT,
    -- Latest readings (MeterValues on its connectorId): energy register in Wh, power in W.
    energy_wh DOUBLE PRECISION,
    power_w DOUBLE PRECISION,
    readings_at BIGINT,
    UNIQUE (charger_id, position)
);

-- Every StatusNotification as received (the portal shows an EVSE's last 20).
CREATE TABLE evse_status_history (
    id INTEGER PRIMARY KEY,
    evse_uid TEXT NOT NULL REFERENCES evses (uid) ON DELETE CASCADE,
    status TEXT NOT NULL,
    ocpp_status TEXT NOT NULL,
    connector_id BIGINT NOT NULL,
    error_code TEXT NOT NULL,
    info TEXT,
    vendor_error_code TEXT,
    sent_timestamp TEXT,
    received_at BIGINT NOT NULL
);
CREATE INDEX evse_status_history_evse ON evse_status_history (evse_uid, id);

-- RFID tags an owner accepts at its chargers (OCPP idTag, compared case-insensitively).
CREATE TABLE id_tags (
    cpo_owner_id BIGINT NOT NULL REFERENCES cpo_owners (id) ON DELETE CASCADE,
    id_tag_key TEXT NOT NULL,
    id_tag TEXT NOT NULL,
    date_created BIGINT NOT NULL,
    PRIMARY KEY (cpo_owner_id, id_tag_key)
);

-- Charging sessions (OCPP transactions); the row id is the transactionId handed to the charger.
-- The unique key makes a StartTransaction retried after a lost answer find the same row.
CREATE TABLE charge_sessions (
    id INTEGER PRIMARY KEY,
    -- Sessions outlive a removed charger or EVSE (they are what was charged).
    charger_id BIGINT REFERENCES chargers (id) ON DELETE SET NULL,
    evse_uid TEXT REFERENCES evses (uid) ON DELETE SET NULL,
    connector_id BIGINT NOT NULL,
    id_tag TEXT NOT NULL,
    auth_status TEXT NOT NULL,
    meter_start_wh BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    stopped_at BIGINT,
    meter_stop_wh BIGINT,
    energy_wh BIGINT,
    stop_reason TEXT,
    UNIQUE (charger_id, connector_id, id_tag, meter_start_wh, started_at)
);
CREATE INDEX charge_sessions_evse ON charge_sessions (evse_uid, id);

-- A journal of EVSE changes (status, connection, readings), written in the same transaction as
-- the change. Every node follows it to feed live updates (subscriptions, the portal), so a
-- change made on one node reaches clients of all; rows older than an hour are purged.
CREATE TABLE evse_changes (
    id INTEGER PRIMARY KEY,
    evse_uid TEXT NOT NULL,
    location_id BIGINT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX evse_changes_at ON evse_changes (at);
