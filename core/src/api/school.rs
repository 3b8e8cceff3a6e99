//! The school as the admin API shows it: divisions, subjects, rooms with their fences and access points, and the weekly timetable.
