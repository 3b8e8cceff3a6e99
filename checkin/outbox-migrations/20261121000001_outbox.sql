-- The phone's outbox: every claim is written here before any network call and
-- leaves only when the server has answered for it.
CREATE TABLE outbox (
    claim_id   TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    body       TEXT NOT NULL,            -- the signed claim, as JSON
    queued_at  INTEGER NOT NULL,         -- unix milliseconds
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX outbox_age ON outbox (queued_at);

-- The server's answer for each claim that left, for the history screen.
CREATE TABLE answered (
    claim_id    TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    body        TEXT NOT NULL,           -- the ClaimResult, as JSON
    answered_at INTEGER NOT NULL
);
