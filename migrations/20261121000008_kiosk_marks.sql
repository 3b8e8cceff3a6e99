-- Kiosk marks are claims made by a room's kiosk from a face match; a doubtful
-- one may carry a small JPEG thumbnail for the reviewer, deleted with the
-- decision or after the retention period.
ALTER TABLE claims
    ADD COLUMN kiosk_id uuid REFERENCES kiosks (id) ON DELETE SET NULL,
    ADD COLUMN thumbnail bytea CHECK (thumbnail IS NULL OR length(thumbnail) <= 32768);
