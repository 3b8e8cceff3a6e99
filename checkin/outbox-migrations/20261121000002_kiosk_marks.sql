-- A kiosk's marks travel through the same outbox and sync as a phone's claims:
-- `kind` says which endpoint takes the body.
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'claim'
    CHECK (kind IN ('claim', 'kiosk_mark'));
