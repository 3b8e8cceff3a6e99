-- The school: accounts, divisions, subjects, rooms with their fences and
-- access points, and the weekly timetable.

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
    email         text CHECK (email IS NULL OR position('@' IN email) > 1),
    display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 120),
    role          text NOT NULL CHECK (role IN ('student', 'teacher', 'admin', 'kiosk')),
    password_hash text NOT NULL,
    student_no    text UNIQUE,
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE divisions (
    id         uuid PRIMARY KEY,
    code       text NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 32),
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE division_students (
    division_id uuid NOT NULL REFERENCES divisions (id) ON DELETE CASCADE,
    student_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (division_id, student_id)
);
CREATE INDEX division_students_student ON division_students (student_id);

CREATE TABLE subjects (
    id   uuid PRIMARY KEY,
    code text NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 32),
    name text NOT NULL
);

-- geofence: rollcall_core::geofence::Geofence as JSON, e.g.
--   {"kind":"circle","centre":{"latitude":..,"longitude":..},"radius_m":..}
--   {"kind":"polygon","corners":[{"latitude":..,"longitude":..}, ...]}
CREATE TABLE rooms (
    id                  uuid PRIMARY KEY,
    code                text NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 32),
    name                text NOT NULL,
    building            text NOT NULL DEFAULT '',
    geofence            jsonb NOT NULL,
    location_tolerance_m real NOT NULL DEFAULT 25 CHECK (location_tolerance_m >= 0),
    policy              text NOT NULL DEFAULT 'token & location & (radio | face)'
);

-- identifier: a Wi-Fi BSSID (aa:bb:cc:dd:ee:ff) or an iBeacon uuid/major/minor, in
-- the canonical form of rollcall_core::radio::{Bssid, BeaconId}.
CREATE TABLE access_points (
    id         uuid PRIMARY KEY,
    room_id    uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('wifi', 'ble')),
    identifier text NOT NULL,
    label      text NOT NULL DEFAULT '',
    min_rssi   smallint NOT NULL DEFAULT -80 CHECK (min_rssi BETWEEN -127 AND 0),
    UNIQUE (room_id, kind, identifier)
);

CREATE TABLE timetable_slots (
    id          uuid PRIMARY KEY,
    division_id uuid NOT NULL REFERENCES divisions (id) ON DELETE CASCADE,
    subject_id  uuid NOT NULL REFERENCES subjects (id) ON DELETE RESTRICT,
    teacher_id  uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    room_id     uuid NOT NULL REFERENCES rooms (id) ON DELETE RESTRICT,
    weekday     smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7), -- ISO: 1 = Monday
    starts_at   time NOT NULL,
    ends_at     time NOT NULL,
    CHECK (ends_at > starts_at),
    UNIQUE (division_id, weekday, starts_at)
);
CREATE INDEX timetable_slots_teacher ON timetable_slots (teacher_id, weekday);
