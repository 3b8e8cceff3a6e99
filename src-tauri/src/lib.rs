//! Rollcall's desktop and mobile app: the Rust side behind the Yew UI.
//!
//! The UI never talks to the network; it calls the commands each role's tree holds
//! (`student::commands`, `teacher::commands`, `admin::commands`, `kiosk::commands`,
//! and [`session`] for signing in and out), which delegate to the typed client of the
//! server, `rollcall-client`. Everything is wired up in [`run_app`], which the real app
//! and the tests (with `tauri::test::mock_builder()`) share.
//!
//! By role:
//! - [`student`]: this device as a student's phone, the selfie check, check-ins.
//! - [`teacher`]: the classroom, its presentation screen and the live roster.
//! - [`admin`]: people, devices, the school's structure, faces, review and reports.
//! - [`kiosk`]: the door that recognises enrolled faces.
//!
//! Shared by them: [`session`], [`sync_worker`] (the outbox's sender), [`live_socket`]
//! (following the server's WebSockets), [`task_slot`], [`device`] (sensors, the device key, QR frames),
//! [`face`] (the on-device face models), [`exports`], [`config`], [`clock`], [`error`].

pub mod account;
pub mod admin;
pub mod clock;
pub mod config;
pub mod device;
pub mod error;
pub mod exports;
pub mod face;
pub mod kiosk;
pub mod live_socket;
pub mod remembered;
pub mod session;
pub mod student;
pub mod sync_worker;
pub mod task_slot;
pub mod teacher;

pub use config::AppConfig;
pub use error::AppError;
/// The app's client of the server: the typed client, holding the session.
pub use rollcall_client::{Client as ServerClient, ServerAddress};
pub use rollcall_core::api::SignedIn;
pub use teacher::Classroom;

use tauri::{Builder, Context, Runtime};

/// What the app calls itself to the server (which counts what its screens use
/// by it).
pub const USER_AGENT: &str = concat!("rollcall-app/", env!("CARGO_PKG_VERSION"));

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
        .manage(ServerClient::with_user_agent(USER_AGENT))
        .manage(Classroom::new())
        .manage(teacher::commands::LiveWatch::default())
        .manage(student::phone::StudentPhone::default())
        .manage(sync_worker::SyncWorker::default())
        .manage(student::commands::EventsWatch::default())
        .manage(face::FaceService::from_env())
        .manage(kiosk::door::KioskDoor::default())
        .manage(remembered::RememberedSignIn::default())
        .invoke_handler(tauri::generate_handler![
            session::default_server_url,
            session::login,
            session::resume_sign_in,
            account::change_password,
            account::forgot_password,
            account::reset_password,
            session::sign_out,
            teacher::commands::today_classes,
            teacher::commands::start_class,
            teacher::commands::start_extra_class,
            teacher::commands::presentation_frame,
            teacher::commands::class_roster,
            teacher::commands::watch_roster,
            teacher::commands::stop_watching_roster,
            teacher::commands::mark_student,
            teacher::commands::end_class,
            teacher::commands::export_class_sheet,
            admin::commands::oversight::dashboard,
            admin::commands::oversight::list_divisions,
            admin::commands::oversight::attendance_report,
            admin::commands::oversight::export_report,
            admin::commands::oversight::review_queue,
            admin::commands::oversight::audit_log,
            admin::commands::oversight::decide_review,
            admin::commands::oversight::review_thumbnail,
            admin::commands::structure::list_rooms,
            admin::commands::structure::create_room,
            admin::commands::structure::update_room,
            admin::commands::structure::add_access_point,
            admin::commands::structure::list_subjects,
            admin::commands::structure::scan_nearby_wifi,
            admin::commands::structure::fence_map,
            admin::commands::structure::create_subject,
            admin::commands::structure::update_subject,
            admin::commands::structure::delete_subject,
            admin::commands::structure::school_settings,
            admin::commands::structure::save_school_settings,
            admin::commands::structure::list_teachers,
            admin::commands::structure::division_timetable,
            admin::commands::structure::create_slot,
            admin::commands::structure::create_division,
            admin::commands::structure::update_division,
            admin::commands::structure::delete_division,
            admin::commands::structure::update_slot,
            admin::commands::structure::delete_slot,
            admin::commands::structure::division_students,
            admin::commands::structure::add_division_students,
            admin::commands::structure::remove_division_student,
            admin::commands::people::list_users,
            admin::commands::people::create_user,
            admin::commands::people::update_user,
            admin::commands::people::import_users,
            admin::commands::people::list_devices,
            admin::commands::people::approve_device,
            admin::commands::people::revoke_device,
            admin::commands::people::list_kiosks,
            admin::commands::people::create_kiosk,
            admin::commands::people::update_kiosk,
            admin::commands::people::rotate_kiosk_credential,
            student::commands::prepare_phone,
            student::commands::student_classes,
            student::commands::watch_my_events,
            student::commands::check_in,
            student::commands::check_in_with_picture,
            student::commands::check_in_with_scanned_code,
            student::commands::read_qr_frame,
            student::commands::my_attendance,
            student::commands::my_timetable,
            student::commands::save_my_data,
            student::commands::sync_status,
            admin::commands::face::face_status,
            admin::commands::face::check_face_shot,
            admin::commands::face::face_enrolment,
            admin::commands::face::enrol_face,
            admin::commands::face::revoke_face,
            kiosk::commands::start_kiosk,
            kiosk::commands::kiosk_frame,
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

/// Desktops read their own devices (see `device::desktop`): no phone plugins.
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
