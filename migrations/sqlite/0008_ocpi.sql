-- OCPI 2.2.1 (roaming). A CPO owner becomes an OCPI party once it has a country code and party
-- id (upper-case, unique together); until then none of its locations is exposed. A roaming
-- partner is an owner without users whose locations arrive over OCPI.
ALTER TABLE cpo_owners ADD COLUMN party_country_code TEXT CHECK (length(party_country_code) = 2);
ALTER TABLE cpo_owners ADD COLUMN party_id TEXT CHECK (length(party_id) = 3);
ALTER TABLE cpo_owners ADD COLUMN roaming_partner BIGINT NOT NULL DEFAULT 0 CHECK (roaming_partner IN (0, 1));
CREATE UNIQUE INDEX cpo_owners_party ON cpo_owners (party_country_code, party_id);

-- The IANA time zone of a site (OCPI requires one); filled from the coordinates when not chosen.
ALTER TABLE locations ADD COLUMN time_zone TEXT;

-- Platforms we exchange OCPI with. OPEN: we handed out TOKEN_A and wait for the peer's POST;
-- REGISTERED: tokens exchanged; CLOSED: the peer unregistered (no token works). Tokens the peer calls us with are stored as SHA-256 digests; the
-- token we call the peer with must be sent, so it is kept as received.
CREATE TABLE ocpi_peers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('OPEN', 'REGISTERED', 'CLOSED')),
    token_a_hash TEXT UNIQUE,
    token_hash TEXT UNIQUE,
    peer_token TEXT,
    versions_url TEXT,
    -- The peer's 2.2.1 endpoints as JSON ([{identifier, role, url}]).
    endpoints TEXT NOT NULL DEFAULT '[]',
    -- Send our token to this peer unencoded (pre-2.2.1 habit) rather than Base64.
    plain_token BIGINT NOT NULL DEFAULT 0 CHECK (plain_token IN (0, 1)),
    date_created BIGINT NOT NULL,
    date_modified BIGINT NOT NULL
);

-- The parties a peer hosts (its credentials' roles), with their business details as JSON.
CREATE TABLE ocpi_peer_roles (
    peer_id BIGINT NOT NULL REFERENCES ocpi_peers (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    country_code TEXT NOT NULL,
    party_id TEXT NOT NULL,
    business_details TEXT NOT NULL,
    PRIMARY KEY (peer_id, role, country_code, party_id)
);
CREATE INDEX ocpi_peer_roles_party ON ocpi_peer_roles (country_code, party_id, role);

-- Every change of a location or of anything below it, written in the same transaction as the
-- change (by `claim`); the OCPI push follows it as live updates follow `evse_changes`.
CREATE TABLE location_changes (
    id INTEGER PRIMARY KEY,
    location_id BIGINT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX location_changes_at ON location_changes (at);

-- What each peer is still to be sent: one row per object, '' = the whole location (PUT), an EVSE
-- uid = its status (PATCH). A newer change of the same object updates the row rather than adding
-- one: each send reads the object's current state, so nothing stale is ever replayed. A sender
-- leases rows (`lease_until`) so that several nodes never send the same row at once.
CREATE TABLE ocpi_outbox (
    peer_id BIGINT NOT NULL REFERENCES ocpi_peers (id) ON DELETE CASCADE,
    location_id BIGINT NOT NULL,
    evse_uid TEXT NOT NULL DEFAULT '',
    -- Counts the changes queued; a send completes the row only if no change came meanwhile.
    version BIGINT NOT NULL DEFAULT 1,
    due_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    lease_until BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (peer_id, location_id, evse_uid)
);
CREATE INDEX ocpi_outbox_due ON ocpi_outbox (due_at);

-- The last Location each peer accepted from us: what an unpublished or deleted location's EVSEs
-- (then REMOVED) and a deleted EVSE are pushed from.
CREATE TABLE ocpi_sent (
    peer_id BIGINT NOT NULL REFERENCES ocpi_peers (id) ON DELETE CASCADE,
    location_id BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (peer_id, location_id)
);

-- How far the push has read each journal.
CREATE TABLE ocpi_cursors (
    journal TEXT PRIMARY KEY,
    last_id BIGINT NOT NULL
);
