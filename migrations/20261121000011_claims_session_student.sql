-- The roster reads each student's latest claim in a session and whether one waits
-- for review: one index probe on (session, student) instead of every claim the
-- student ever made. It also serves every lookup by session alone, so it replaces
-- the index on session_id.
DROP INDEX claims_session;
CREATE INDEX claims_session_student_received ON claims (session_id, student_id, received_at DESC);
