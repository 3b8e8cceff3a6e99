//! Rollcall's desktop and mobile app: the Rust side behind the Yew UI.
//!
//! The UI never talks to the network; it calls the commands in [`commands`], which
//! delegate to the typed client of the server, `rollcall-client`. Everything is wired up in [`run_app`], which the real app and
//! the tests (with `tauri::test::mock_builder()`) share.

pub mod checkin;
pub mod classroom;
pub mod clock;
mod commands;
pub mod config;
pub mod device_admin;
pub mod error;
pub mod exports;
pub mod face;
pub mod face_enrolment;
pub mod fence_map;
pub mod kiosk_door;
pub mod people;
pub mod review_queue;
pub mod school_reports;
pub mod school_structure;

pub use classroom::Classroom;
pub use config::AppConfig;
pub use error::AppError;
/// The app's client of the server: the typed client, holding the session.
pub use rollcall_client::{Client as ServerClient, ServerAddress};
pub use rollcall_core::api::SignedIn;

use tauri::{Builder, Context, Runtime};

/// Registers the app's commands and managed state on `builder`, configured from the
/// environment (see [`AppConfig::from_env`]).
pub fn run_app<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    run_app_with(builder, AppConfig::from_env())
}

/// Like [`run_app`], with the configuration given explicitly.
pub fn run_app_with<R: Runtime>(builder: Builder<R>, config: AppConfig) -> Builder<R> {
    phone_plugins(builder)
        .plugin(tauri_plugin_dialog::init())
        .manage(config)
        .manage(ServerClient::new())
        .manage(Classroom::new())
        .manage(commands::classroom::LiveWatch::default())
        .manage(checkin::student_phone::StudentPhone::default())
        .manage(commands::student::SyncWorker::default())
        .manage(face::FaceService::from_env())
        .manage(kiosk_door::KioskDoor::default())
        .invoke_handler(tauri::generate_handler![
            commands::default_server_url,
            commands::login,
            commands::sign_out,
            commands::classroom::today_classes,
            commands::classroom::start_class,
            commands::classroom::presentation_frame,
            commands::classroom::class_roster,
            commands::classroom::watch_roster,
            commands::classroom::stop_watching_roster,
            commands::classroom::mark_student,
            commands::classroom::end_class,
            commands::classroom::export_class_sheet,
            commands::admin::dashboard,
            commands::admin::list_divisions,
            commands::admin::attendance_report,
            commands::admin::export_report,
            commands::admin::review_queue,
            commands::admin::decide_review,
            commands::admin::review_thumbnail,
            commands::structure::list_rooms,
            commands::structure::create_room,
            commands::structure::update_room,
            commands::structure::add_access_point,
            commands::structure::list_subjects,
            commands::structure::scan_nearby_wifi,
            commands::structure::fence_map,
            commands::structure::create_subject,
            commands::structure::update_subject,
            commands::structure::delete_subject,
            commands::structure::school_settings,
            commands::structure::save_school_settings,
            commands::structure::list_teachers,
            commands::structure::division_timetable,
            commands::structure::create_slot,
            commands::structure::create_division,
            commands::structure::division_students,
            commands::structure::add_division_students,
            commands::structure::remove_division_student,
            commands::people::list_users,
            commands::people::create_user,
            commands::people::update_user,
            commands::people::import_users,
            commands::people::list_devices,
            commands::people::approve_device,
            commands::people::revoke_device,
            commands::people::list_kiosks,
            commands::people::create_kiosk,
            commands::student::prepare_phone,
            commands::student::student_classes,
            commands::student::check_in,
            commands::student::check_in_with_picture,
            commands::student::check_in_with_scanned_code,
            commands::student::read_qr_frame,
            commands::student::my_attendance,
            commands::student::sync_status,
            commands::face::face_status,
            commands::face::check_face_shot,
            commands::face::face_enrolment,
            commands::face::enrol_face,
            commands::face::revoke_face,
            commands::kiosk::start_kiosk,
            commands::kiosk::kiosk_frame,
        ])
}

/// The phone's plugins: location, the QR scanner (driven from the window), the
/// biometric gate, and our own Wi-Fi / BLE / mocked-location reader.
#[cfg(mobile)]
fn phone_plugins<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .plugin(tauri_plugin_geolocation::init())
        .plugin(tauri_plugin_barcode_scanner::init())
        .plugin(tauri_plugin_biometric::init())
        .plugin(tauri_plugin_rollcall_sensors::init())
}

/// Desktops read their own devices (see `checkin::desktop`): no phone plugins.
#[cfg(desktop)]
fn phone_plugins<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
}

/// The app's generated context: `tauri.conf.json`, the capabilities and the bundled UI
/// from `ui/dist`.
pub fn context<R: Runtime>() -> Context<R> {
    tauri::generate_context!()
}

/// Starts the app; returns when its last window closes.
///
/// # Panics
/// When the window system or webview cannot be started: nothing useful can run then.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
#[allow(
    clippy::expect_used,
    reason = "without a window system the app can do nothing; main ends with the reason"
)]
pub fn run() {
    run_app(Builder::default())
        .run(context())
        .expect("Rollcall could not start its window");
}
