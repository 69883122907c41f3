-- Connections to close wherever they are: a removed charger's socket (or one whose owner is no
-- longer OCPP-ready) may be held by any node, and the removal may come from any node or from the
-- CLI. Every node follows this journal and closes the named connection if it holds it; rows
-- older than an hour are purged.
CREATE TABLE charger_dismissals (
    id INTEGER PRIMARY KEY,
    connection_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX charger_dismissals_at ON charger_dismissals (at);
