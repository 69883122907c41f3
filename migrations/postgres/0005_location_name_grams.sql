-- Two-letter pieces of each location's lower-cased name, so that substring search (even for a
-- two-letter term such as "Fi", which pg_trgm cannot index) narrows through an index instead of
-- scanning every name. The application keeps it current (app/src/store/name_index.rs); this
-- fills it for existing rows. It replaces the trigram index, which the search no longer needs.
CREATE TABLE location_name_grams (
    gram TEXT NOT NULL,
    location_id BIGINT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    PRIMARY KEY (gram, location_id)
);
CREATE INDEX location_name_grams_location_id ON location_name_grams (location_id);
INSERT INTO location_name_grams (gram, location_id)
SELECT DISTINCT substr(lower(name), i, 2), id FROM locations, generate_series(1, length(name) - 1) AS i;
DROP INDEX IF EXISTS locations_name_trigram;
