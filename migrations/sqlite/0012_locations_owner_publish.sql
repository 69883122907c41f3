-- The OCPI Sender's X-Total-Count (published locations of owners with a party) counts from this
-- index alone instead of reading every location row: at 100 000 locations 257 ms → 6 ms on
-- SQLite, 30 → 15 ms on PostgreSQL, once per page. It also serves every lookup by owner, which the
-- index it replaces did.
DROP INDEX locations_cpo_owner_id;
CREATE INDEX locations_owner_publish ON locations (cpo_owner_id, publish);
