-- Locations roaming partners push to us (OCPI Receiver). Each is also a row of `locations` (with
-- its EVSEs and connectors) under the partner's owner (`roaming_partner` = 1), so every API and page
-- shows it; `body` is the OCPI Location as stored, fields we do not model included, which GET
-- returns. `ocpi_key` is the partner's location id upper-cased (ids compare case-insensitively).
CREATE TABLE partner_locations (
    location_id BIGINT PRIMARY KEY REFERENCES locations (id) ON DELETE CASCADE,
    cpo_owner_id BIGINT NOT NULL REFERENCES cpo_owners (id) ON DELETE CASCADE,
    ocpi_key TEXT NOT NULL,
    body TEXT NOT NULL,
    last_updated BIGINT NOT NULL,
    UNIQUE (cpo_owner_id, ocpi_key)
);
