-- Reports filter by date and division; the review queue by status.
CREATE INDEX class_sessions_division_day ON class_sessions (division_id, session_date);
CREATE INDEX attendance_records_student ON attendance_records (student_id);
