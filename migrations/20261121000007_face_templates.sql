-- A student's enrolled face template: the embedding encrypted with
-- AES-256-GCM under a key from the server's configuration (never stored here),
-- bound to the student and model by the associated data.
CREATE TABLE face_templates (
    student_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    model_id   text NOT NULL CHECK (length(model_id) BETWEEN 1 AND 64),
    dims       integer NOT NULL CHECK (dims BETWEEN 16 AND 4096),
    nonce      bytea NOT NULL CHECK (length(nonce) = 12),
    ciphertext bytea NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by uuid REFERENCES users (id) ON DELETE SET NULL
);
