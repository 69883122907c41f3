-- Two-letter pieces of each location's lower-cased name, so that substring search (even for a
-- two-letter term such as "Fi") narrows through an index instead of scanning every name.
-- The application keeps it current (app/src/store/name_index.rs); this fills it for existing rows.
CREATE TABLE location_name_grams (
    gram TEXT NOT NULL,
    location_id BIGINT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    PRIMARY KEY (gram, location_id)
);
CREATE INDEX location_name_grams_location_id ON location_name_grams (location_id);
WITH RECURSIVE pieces (location_id, name, i) AS (
    SELECT id, lower(name), 1 FROM locations WHERE length(name) >= 2
    UNION ALL
    SELECT location_id, name, i + 1 FROM pieces WHERE i + 2 <= length(name)
)
INSERT INTO location_name_grams (gram, location_id)
SELECT DISTINCT substr(name, i, 2), location_id FROM pieces;
