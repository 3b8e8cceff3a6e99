-- What a claim synced late needs when its code had expired by the time it
-- reached the server (its scan time is then only the phone's word): a review by
-- default, or a refusal. And how long after its scan such a claim may arrive at
-- all (it was three days in the code before; a day by default now).
ALTER TABLE school_settings
    ADD COLUMN late_sync text NOT NULL DEFAULT 'review' CHECK (late_sync IN ('review', 'reject')),
    ADD COLUMN late_sync_max_hours smallint NOT NULL DEFAULT 24
        CHECK (late_sync_max_hours BETWEEN 1 AND 72);
