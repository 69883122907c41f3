-- As on PostgreSQL (see its 0014): `status` changes with every StatusNotification, and an index
-- on it turned each change into an index rewrite. The location search's status filter checks
-- each location's EVSEs through `evses_cpo_location_id` instead.
DROP INDEX evses_status;
