//! The admin's desk: people and devices, the school's structure (rooms with their
//! fences and map, subjects, the timetable, settings), face enrolment, the review
//! queue, and reports.

#[allow(
    clippy::needless_pass_by_value,
    reason = "Tauri hands commands their arguments and State by value"
)]
pub mod commands;
pub mod devices;
pub mod face_enrolment;
pub mod fence_map;
pub mod people;
pub mod reports;
pub mod review_queue;
pub mod structure;
