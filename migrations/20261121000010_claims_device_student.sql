-- "Another student used this phone lately" reads only the other students' claims
-- of the device: two range scans on (device, student) either side of the claimant,
-- instead of every recent claim of the device (hundreds for a busy phone).
DROP INDEX claims_device_time;
CREATE INDEX claims_device_student_time ON claims (device_id, student_id, scanned_at);
