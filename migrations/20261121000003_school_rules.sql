-- Timetable rules the database enforces itself, so that two admins saving at
-- the same moment cannot double-book a room, a teacher or a division: within
-- one weekday, no two slots of the same room (teacher, division) may overlap.
-- Slots are half-open ([starts_at, ends_at)), so 10:00-10:55 and 10:55-11:50
-- are neighbours, not a clash. The server checks first to name the clash in
-- its 409; these constraints are the guarantee under concurrency.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TYPE timerange AS RANGE (subtype = time);

ALTER TABLE timetable_slots
    ADD CONSTRAINT timetable_slots_room_overlap EXCLUDE USING gist (
        room_id WITH =, weekday WITH =, timerange(starts_at, ends_at) WITH &&
    ),
    ADD CONSTRAINT timetable_slots_teacher_overlap EXCLUDE USING gist (
        teacher_id WITH =, weekday WITH =, timerange(starts_at, ends_at) WITH &&
    ),
    ADD CONSTRAINT timetable_slots_division_overlap EXCLUDE USING gist (
        division_id WITH =, weekday WITH =, timerange(starts_at, ends_at) WITH &&
    );

-- Lookups by room and the reverse side of memberships.
CREATE INDEX timetable_slots_room ON timetable_slots (room_id, weekday);
CREATE INDEX timetable_slots_subject ON timetable_slots (subject_id);
