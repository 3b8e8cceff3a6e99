-- School-wide settings an admin changes on the Settings screen: what new class
-- sessions get (QR period, late threshold), the at-risk line of reports, and how
-- long location evidence and thumbnails are kept. Exactly one row.
CREATE TABLE school_settings (
    id              boolean PRIMARY KEY DEFAULT true CHECK (id),
    qr_period_s     smallint NOT NULL DEFAULT 20 CHECK (qr_period_s BETWEEN 10 AND 60),
    late_after_min  smallint NOT NULL DEFAULT 10 CHECK (late_after_min BETWEEN 0 AND 240),
    at_risk_below   double precision NOT NULL DEFAULT 75 CHECK (at_risk_below BETWEEN 0 AND 100),
    retention_days  integer NOT NULL DEFAULT 30 CHECK (retention_days BETWEEN 1 AND 3650),
    updated_at      timestamptz,
    updated_by      uuid REFERENCES users (id) ON DELETE SET NULL
);
INSERT INTO school_settings DEFAULT VALUES;
