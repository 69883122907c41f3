-- Portal sign-in sessions (tower-sessions records), shared by every server process.
CREATE TABLE web_sessions (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expiry_date BIGINT NOT NULL
);
CREATE INDEX web_sessions_expiry_date ON web_sessions (expiry_date);
