-- Student devices (a phone's Ed25519 public key; the first binds, later ones
-- wait for an admin) and kiosks (a room's door PC, signing in as a kiosk account).

CREATE TABLE devices (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    public_key  text NOT NULL UNIQUE,
    label       text NOT NULL DEFAULT '' CHECK (length(label) <= 120),
    platform    text NOT NULL DEFAULT 'unknown'
                CHECK (platform IN ('android', 'ios', 'linux', 'windows', 'macos', 'unknown')),
    status      text NOT NULL CHECK (status IN ('active', 'pending', 'revoked')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    decided_at  timestamptz,
    decided_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    last_seen_at timestamptz
);
-- At most one active device per student.
CREATE UNIQUE INDEX devices_one_active ON devices (user_id) WHERE status = 'active';

CREATE TABLE kiosks (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    room_id      uuid NOT NULL REFERENCES rooms (id) ON DELETE RESTRICT,
    name         text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 80),
    config       jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(config) = 'object'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz
);
