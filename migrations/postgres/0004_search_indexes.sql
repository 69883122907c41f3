-- Indexes for the public browser's filters (EVSE status, connector standard).
CREATE INDEX evses_status ON evses (status, cpo_location_id);
CREATE INDEX connectors_standard ON connectors (standard, evse_uid);
-- Substring search on location names (`LOWER(name) LIKE '%term%'`) can use a trigram index on
-- PostgreSQL instead of scanning; pg_trgm ships with PostgreSQL and is a trusted extension.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX locations_name_trigram ON locations USING gin (lower(name) gin_trgm_ops);
