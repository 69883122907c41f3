-- A location's `date_modified` moves with every status change of its EVSEs: under a status storm
-- about once a second for each charger. Indexed, every such update wrote a new `locations` row
-- version with an entry in each of its seven indexes (0 of 154 980 updates HOT in a benchmark
-- run). The date filters and the "recently updated" order now find their rows through
-- `modified_minute`, the minute of `date_modified`, kept by the database: between two minutes a
-- location's update leaves every index as it was and is HOT (the row is rewritten in place).
-- Filters still compare `date_modified` itself; the minute only bounds the index range. The
-- fillfactor applies to the table rewritten here for the new column, so every page has room.
ALTER TABLE locations SET (fillfactor = 90);
ALTER TABLE locations ADD COLUMN modified_minute BIGINT GENERATED ALWAYS AS (date_modified / 60000) STORED;
DROP INDEX locations_date_modified;
DROP INDEX locations_publish_modified;
CREATE INDEX locations_modified_minute ON locations (modified_minute, id);
CREATE INDEX locations_publish_modified_minute ON locations (publish, modified_minute, id);
