-- Class sessions, the claims students and kiosks submit, and the one record
-- per student per session that they produce.

CREATE TABLE class_sessions (
    id              uuid PRIMARY KEY,
    slot_id         uuid REFERENCES timetable_slots (id) ON DELETE SET NULL,
    session_date    date NOT NULL,
    teacher_id      uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    room_id         uuid NOT NULL REFERENCES rooms (id) ON DELETE RESTRICT,
    division_id     uuid NOT NULL REFERENCES divisions (id) ON DELETE RESTRICT,
    subject_id      uuid REFERENCES subjects (id) ON DELETE RESTRICT,
    -- The rotating QR and OTP secret (32 random bytes). Handed only to the
    -- session's teacher; never logged.
    secret          bytea NOT NULL CHECK (length(secret) >= 16),
    qr_period_s     smallint NOT NULL DEFAULT 20 CHECK (qr_period_s BETWEEN 10 AND 60),
    policy          text NOT NULL,
    late_after_min  smallint NOT NULL DEFAULT 10 CHECK (late_after_min BETWEEN 0 AND 240),
    scheduled_start timestamptz NOT NULL,
    scheduled_end   timestamptz NOT NULL CHECK (scheduled_end > scheduled_start),
    started_at      timestamptz,
    ended_at        timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (ended_at IS NULL OR started_at IS NOT NULL)
);
-- One session per timetable slot per day.
CREATE UNIQUE INDEX class_sessions_slot_day ON class_sessions (slot_id, session_date)
    WHERE slot_id IS NOT NULL;
CREATE INDEX class_sessions_teacher_day ON class_sessions (teacher_id, session_date);

CREATE TABLE claims (
    id            uuid PRIMARY KEY,          -- made on the device (UUID v7): idempotency key
    session_id    uuid NOT NULL REFERENCES class_sessions (id) ON DELETE CASCADE,
    student_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_id     uuid,
    scanned_at    timestamptz NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    outcome       text NOT NULL CHECK (outcome IN ('accepted', 'review', 'rejected')),
    synced_late   boolean NOT NULL DEFAULT false,
    verdict       jsonb NOT NULL,            -- reasons and factor statuses
    -- Location evidence (latitude, longitude, accuracy); purged after the
    -- retention period.
    location      jsonb,
    review_status text CHECK (review_status IN ('pending', 'approved', 'rejected')),
    reviewed_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    reviewed_at   timestamptz,
    review_note   text
);
CREATE INDEX claims_session ON claims (session_id);
CREATE INDEX claims_student_time ON claims (student_id, scanned_at DESC);
CREATE INDEX claims_device_time ON claims (device_id, scanned_at DESC);
CREATE INDEX claims_review ON claims (review_status) WHERE review_status = 'pending';

CREATE TABLE attendance_records (
    session_id uuid NOT NULL REFERENCES class_sessions (id) ON DELETE CASCADE,
    student_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status     text NOT NULL CHECK (status IN ('present', 'late', 'absent', 'excused')),
    source     text NOT NULL CHECK (source IN ('claim', 'kiosk', 'manual', 'session_end', 'review')),
    claim_id   uuid REFERENCES claims (id) ON DELETE SET NULL,
    marked_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    marked_at  timestamptz NOT NULL DEFAULT now(),
    note       text,
    PRIMARY KEY (session_id, student_id)
);

-- Wrong OTPs per student per session (locked at 5).
CREATE TABLE otp_failures (
    session_id uuid NOT NULL REFERENCES class_sessions (id) ON DELETE CASCADE,
    student_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    failures   integer NOT NULL DEFAULT 0,
    PRIMARY KEY (session_id, student_id)
);
