//! The admin's desk and its screens: the dashboard and reports, the review queue,
//! people and devices, the school's structure, and face enrolment.

pub mod attendance_chart;
pub mod audit_screen;
pub mod changes;
pub mod charts;
pub mod csv_import;
pub mod csv_preview;
pub mod dashboard_screen;
pub mod desk;
pub mod devices_screen;
pub mod divisions_screen;
pub mod face_enrolment_screen;
pub mod face_shots;
pub mod fence_map_view;
pub mod kiosk_row;
pub mod nearby_wifi;
pub mod people_screen;
pub mod reports_screen;
pub mod review_card;
pub mod review_queue_screen;
pub mod room_draft;
pub mod rooms_screen;
pub mod settings_screen;
pub mod subjects_screen;
pub mod timetable_screen;
