-- The EMSP data model. Times are Unix milliseconds (BIGINT) and flags are 0/1 (BIGINT) so that
-- the same queries decode identically through sqlx's Any driver on SQLite and PostgreSQL.

CREATE TABLE capabilities (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL
);
CREATE TABLE payment_types (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL
);
CREATE TABLE facilities (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL
);
CREATE TABLE parking_restrictions (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL
);
CREATE TABLE parking_types (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL
);

CREATE TABLE cpo_owners (
    id INTEGER PRIMARY KEY,
    cpo_owner_name TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    contact_number TEXT NOT NULL,
    contact_email TEXT NOT NULL UNIQUE,
    ocpp_ready BIGINT NOT NULL CHECK (ocpp_ready IN (0, 1)),
    logo TEXT,
    date_created BIGINT NOT NULL,
    date_modified BIGINT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    email TEXT UNIQUE,
    password_hash TEXT,
    role TEXT NOT NULL CHECK (role IN ('ADMIN', 'CPO_OWNER')),
    cpo_owner_id BIGINT REFERENCES cpo_owners (id) ON DELETE CASCADE,
    date_created BIGINT NOT NULL,
    date_modified BIGINT NOT NULL,
    CHECK ((role = 'ADMIN' AND cpo_owner_id IS NULL) OR (role = 'CPO_OWNER' AND cpo_owner_id IS NOT NULL))
);
CREATE INDEX users_cpo_owner_id ON users (cpo_owner_id);

-- One-time set-password links; only the SHA-256 of the secret is stored.
CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    date_created BIGINT NOT NULL
);
CREATE INDEX invitations_user_id ON invitations (user_id);

-- API client tokens (the contract's TOKEN); only the SHA-256 of the secret is stored.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL UNIQUE,
    date_created BIGINT NOT NULL,
    revoked_at BIGINT
);

-- Refresh-token rotation: every refresh token belongs to a family started at login.
CREATE TABLE token_families (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    date_created BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX token_families_user_id ON token_families (user_id);

CREATE TABLE refresh_tokens (
    jti TEXT PRIMARY KEY,
    family_id TEXT NOT NULL REFERENCES token_families (id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX refresh_tokens_family_id ON refresh_tokens (family_id);

-- Access tokens revoked before their expiry (logout); rows can be purged once expired.
CREATE TABLE revoked_access_tokens (
    jti TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);

-- Failed sign-ins, for throttling per account and per client address across all processes.
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    subject TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_subject_at ON login_failures (subject, at);

CREATE TABLE locations (
    id INTEGER PRIMARY KEY,
    cpo_owner_id BIGINT NOT NULL REFERENCES cpo_owners (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    address_lat DOUBLE PRECISION NOT NULL CHECK (address_lat BETWEEN -90 AND 90),
    address_lng DOUBLE PRECISION NOT NULL CHECK (address_lng BETWEEN -180 AND 180),
    city TEXT NOT NULL,
    region TEXT,
    postal_code TEXT,
    country_code TEXT NOT NULL CHECK (length(country_code) = 2),
    publish BIGINT NOT NULL DEFAULT 0 CHECK (publish IN (0, 1)),
    date_created BIGINT NOT NULL,
    date_modified BIGINT NOT NULL
);
CREATE INDEX locations_cpo_owner_id ON locations (cpo_owner_id);
CREATE INDEX locations_date_modified ON locations (date_modified);
CREATE INDEX locations_lower_name ON locations (lower(name), id);
CREATE INDEX locations_publish_id ON locations (publish, id);

CREATE TABLE location_facilities (
    location_id BIGINT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    facility_id BIGINT NOT NULL REFERENCES facilities (id) ON DELETE RESTRICT,
    PRIMARY KEY (location_id, facility_id)
);
CREATE TABLE location_parking_restrictions (
    location_id BIGINT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    parking_restriction_id BIGINT NOT NULL REFERENCES parking_restrictions (id) ON DELETE RESTRICT,
    PRIMARY KEY (location_id, parking_restriction_id)
);
CREATE TABLE location_parking_types (
    location_id BIGINT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    parking_type_id BIGINT NOT NULL REFERENCES parking_types (id) ON DELETE RESTRICT,
    PRIMARY KEY (location_id, parking_type_id)
);

CREATE TABLE location_photos (
    id INTEGER PRIMARY KEY,
    location_id BIGINT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    file_name TEXT NOT NULL UNIQUE,
    thumb_name TEXT NOT NULL UNIQUE,
    date_created BIGINT NOT NULL
);
CREATE INDEX location_photos_location_id ON location_photos (location_id);

CREATE TABLE evses (
    uid TEXT PRIMARY KEY,
    evse_id TEXT NOT NULL UNIQUE,
    serial_number TEXT,
    meter_type TEXT,
    status TEXT NOT NULL CHECK (status IN ('AVAILABLE', 'BLOCKED', 'CHARGING', 'INOPERATIVE', 'OUTOFORDER', 'PLANNED', 'REMOVED', 'RESERVED', 'UNKNOWN')),
    cpo_location_id BIGINT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    current_ws_connection_id TEXT,
    server_id TEXT,
    date_created BIGINT NOT NULL,
    date_modified BIGINT NOT NULL
);
CREATE INDEX evses_cpo_location_id ON evses (cpo_location_id);

CREATE TABLE evse_capabilities (
    evse_uid TEXT NOT NULL REFERENCES evses (uid) ON DELETE CASCADE,
    capability_id BIGINT NOT NULL REFERENCES capabilities (id) ON DELETE RESTRICT,
    PRIMARY KEY (evse_uid, capability_id)
);
CREATE TABLE evse_payment_types (
    evse_uid TEXT NOT NULL REFERENCES evses (uid) ON DELETE CASCADE,
    payment_type_id BIGINT NOT NULL REFERENCES payment_types (id) ON DELETE RESTRICT,
    PRIMARY KEY (evse_uid, payment_type_id)
);

CREATE TABLE connectors (
    id INTEGER PRIMARY KEY,
    evse_uid TEXT NOT NULL REFERENCES evses (uid) ON DELETE CASCADE,
    connector_id TEXT NOT NULL,
    standard TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('SOCKET', 'CABLE')),
    power_type TEXT NOT NULL CHECK (power_type IN ('AC_1_PHASE', 'AC_2_PHASE', 'AC_2_PHASE_SPLIT', 'AC_3_PHASE', 'DC')),
    max_voltage BIGINT NOT NULL CHECK (max_voltage > 0),
    max_amperage BIGINT NOT NULL CHECK (max_amperage > 0),
    max_electric_power BIGINT CHECK (max_electric_power > 0),
    connector_type TEXT,
    rate_setting TEXT,
    status TEXT NOT NULL CHECK (status IN ('AVAILABLE', 'BLOCKED', 'CHARGING', 'INOPERATIVE', 'OUTOFORDER', 'PLANNED', 'REMOVED', 'RESERVED', 'UNKNOWN')),
    date_created BIGINT NOT NULL,
    date_modified BIGINT NOT NULL,
    UNIQUE (evse_uid, connector_id)
);
