-- The same column and indexes as on PostgreSQL (see its 0015), so that both backends run the
-- same queries. (SQLite rewrites a row's index entries whenever a column they depend on is
-- assigned, so here the minute saves no index writes; it costs none either.)
ALTER TABLE locations ADD COLUMN modified_minute INTEGER GENERATED ALWAYS AS (date_modified / 60000) VIRTUAL;
DROP INDEX locations_date_modified;
DROP INDEX locations_publish_modified;
CREATE INDEX locations_modified_minute ON locations (modified_minute, id);
CREATE INDEX locations_publish_modified_minute ON locations (publish, modified_minute, id);
