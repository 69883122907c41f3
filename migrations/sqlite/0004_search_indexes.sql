-- Indexes for the public browser's filters (EVSE status, connector standard).
CREATE INDEX evses_status ON evses (status, cpo_location_id);
CREATE INDEX connectors_standard ON connectors (standard, evse_uid);
