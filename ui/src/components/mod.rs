//! The screens, named for what the user sees.

mod admin_desk;
mod app;
mod attendance_chart;
mod brand_panel;
mod check_in_attempt;
mod classroom_screen;
mod csv_import;
mod dashboard_screen;
mod devices_screen;
mod divisions_screen;
mod face_enrolment_screen;
mod fence_map_view;
mod kiosk_desk;
mod login_screen;
mod mark_dialog;
mod nearby_wifi;
mod people_screen;
mod presentation_panel;
mod reports_screen;
mod review_card;
mod review_queue_screen;
mod rooms_screen;
mod roster_panel;
mod settings_screen;
mod sign_in_guard;
mod student_desk;
mod subjects_screen;
mod teacher_desk;
mod timetable_screen;
mod todays_classes;
mod webcam;
mod workspace;

pub use app::App;
