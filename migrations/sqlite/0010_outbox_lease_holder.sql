-- Which node leased an outbox row, so that a node restarting after a crash can release its own
-- leases at once instead of leaving those pushes waiting for the lease to run out.
ALTER TABLE ocpi_outbox ADD COLUMN lease_holder TEXT;
