-- The live roster asks, for every student of a session, whether one of their
-- claims waits for review. With only the index on review_status, Postgres could
-- plan that check (once, while the claims table was still small) as a walk
-- through every claim the student made in the session, and keep that plan: under
-- load the roster then took 10 ms instead of 0.4 ms. An index on exactly what the
-- check asks holds only the waiting claims (a handful) and serves the review
-- queue's "all waiting claims" as well, so it replaces the old one.
DROP INDEX claims_review;
CREATE INDEX claims_pending ON claims (session_id, student_id) WHERE review_status = 'pending';
