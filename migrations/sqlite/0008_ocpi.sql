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
