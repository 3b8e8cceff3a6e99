//! The student's commands: this device as their phone, today's classes, checking
//! in, their attendance, and the outbox's state.

use rollcall_core::api::{
    CheckInAnswer, CheckInForm, ListParams, MyAttendance, PhoneState, SavedFile, SlotRecord,
    StudentClass, SyncStatus, TimetableFilter, MY_EVENTS_EVENT,
};
use tauri::{AppHandle, Emitter as _, Manager as _, Runtime, State};

use crate::device::key_store::KeyStoreChoice;
use crate::exports::{self, ExportKind, FileType};
use crate::face::FaceService;
use crate::student::events;
use crate::student::phone::StudentPhone;
use crate::sync_worker::SyncWorker;
use crate::task_slot::TaskSlot;
use crate::{AppConfig, AppError, ServerClient};
use rollcall_checkin::sensors::DeviceSensors;

/// Makes this device the signed-in student's phone (key, registration, outbox)
/// and starts the sync worker, which sends `sync-status` events.
#[tauri::command]
pub async fn prepare_phone<R: Runtime>(
    app: AppHandle<R>,
    client: State<'_, ServerClient>,
    phone: State<'_, StudentPhone>,
    worker: State<'_, SyncWorker>,
    config: State<'_, AppConfig>,
) -> Result<PhoneState, AppError> {
    let folder = config.data_folder(&app)?;
    // With ROLLCALL_APP_DATA_DIR set, everything of the app lives in that folder.
    let keys = if config.data_dir.is_some() {
        KeyStoreChoice::FolderOnly
    } else {
        os_key_store(&app)
    };
    #[cfg(mobile)]
    {
        // Ask once for what the check-in reads (Android shows its own dialogs);
        // a "no" is told at check-in as that sensor's state.
        use tauri_plugin_rollcall_sensors::RollcallSensorsExt as _;
        let asking = app.clone();
        let _ = tauri::async_runtime::spawn_blocking(move || {
            asking.rollcall_sensors().request_permissions()
        })
        .await;
    }
    let (state, outbox) = phone.prepare(&client, &folder, keys).await?;
    worker.start(&app, phone.courier(), outbox);
    Ok(state)
}

/// The signed-in user's events being followed, if any.
#[derive(Debug, Default)]
pub struct EventsWatch(TaskSlot);

impl EventsWatch {
    /// Stops following (on sign-out).
    pub fn stop(&self) {
        self.0.stop();
    }
}

/// Follows what changes for the signed-in student (a class started or ended, a
/// mark, a review decided), sending `my-events` events, until sign-out.
#[tauri::command]
pub fn watch_my_events<R: Runtime>(app: AppHandle<R>, watch: State<'_, EventsWatch>) {
    let handle = app;
    watch.0.replace(tauri::async_runtime::spawn(async move {
        let client = handle.state::<ServerClient>();
        events::follow(&client, |update| {
            // A closed window cannot be told; the task ends with the app.
            let _ = handle.emit(MY_EVENTS_EVENT, update);
        })
        .await;
    }));
}

/// The student's classes today.
#[tauri::command]
pub async fn student_classes(
    client: State<'_, ServerClient>,
) -> Result<Vec<StudentClass>, AppError> {
    Ok(client.my_classes().await?)
}

/// Where this platform keeps the device key: sealed by the Android Keystore on
/// Android, the OS keystore (via `keyring`) elsewhere.
#[cfg(target_os = "android")]
fn os_key_store<R: Runtime>(app: &AppHandle<R>) -> KeyStoreChoice {
    KeyStoreChoice::Sealed(std::sync::Arc::new(
        crate::device::mobile::KeystoreSealer::new(app.clone()),
    ))
}

/// Where this platform keeps the device key: sealed by the Android Keystore on
/// Android, the OS keystore (via `keyring`) elsewhere.
#[cfg(not(target_os = "android"))]
fn os_key_store<R: Runtime>(_app: &AppHandle<R>) -> KeyStoreChoice {
    KeyStoreChoice::OsFirst
}

/// This device's sensors: the phone's plugins, or the desktop's NetworkManager
/// and BlueZ.
#[cfg(mobile)]
fn device_sensors<R: Runtime>(app: &AppHandle<R>) -> impl DeviceSensors {
    crate::device::mobile::MobileSensors::new(app.clone())
}

/// This device's sensors: the phone's plugins, or the desktop's NetworkManager
/// and BlueZ.
#[cfg(desktop)]
fn device_sensors<R: Runtime>(_app: &AppHandle<R>) -> impl DeviceSensors {
    crate::device::desktop::DesktopSensors
}

/// Checks in to a class with the typed code.
#[tauri::command]
pub async fn check_in<R: Runtime>(
    app: AppHandle<R>,
    client: State<'_, ServerClient>,
    phone: State<'_, StudentPhone>,
    faces: State<'_, FaceService>,
    form: CheckInForm,
) -> Result<CheckInAnswer, AppError> {
    let sensors = device_sensors(&app);
    phone
        .check_in(
            &client,
            &faces,
            &sensors,
            form.session_id,
            &form.code,
            &form.selfies,
        )
        .await
}

/// Checks in to a class with the text of the teacher's QR code as the phone's
/// barcode scanner read it.
#[tauri::command]
pub async fn check_in_with_scanned_code<R: Runtime>(
    app: AppHandle<R>,
    client: State<'_, ServerClient>,
    phone: State<'_, StudentPhone>,
    faces: State<'_, FaceService>,
    session_id: uuid::Uuid,
    code_text: String,
    selfies: Option<Vec<String>>,
) -> Result<CheckInAnswer, AppError> {
    let sensors = device_sensors(&app);
    phone
        .check_in_with_scanned_code(
            &client,
            &faces,
            &sensors,
            session_id,
            code_text,
            &selfies.unwrap_or_default(),
        )
        .await
}

/// The teacher's Rollcall code in a webcam frame, if one is in view (the
/// desktop's live QR reader: the window sends a frame every few hundred ms).
#[tauri::command]
pub async fn read_qr_frame(frame: String) -> Result<Option<String>, AppError> {
    let unreadable = |e: &dyn std::fmt::Display| AppError::Phone {
        code: "no_code",
        message: format!("The frame could not be read: {e}."),
    };
    tauri::async_runtime::spawn_blocking(move || {
        crate::device::qr_reader::rollcall_code_in_frame(&frame)
    })
    .await
    .map_err(|e| unreadable(&e))?
    .map_err(|e| unreadable(&e))
}

/// Checks in to a class with a picture of the teacher's QR code (base64 of the
/// PNG or JPEG file).
#[tauri::command]
#[allow(
    clippy::too_many_arguments,
    reason = "a Tauri command takes each managed state as an argument"
)]
pub async fn check_in_with_picture<R: Runtime>(
    app: AppHandle<R>,
    client: State<'_, ServerClient>,
    phone: State<'_, StudentPhone>,
    faces: State<'_, FaceService>,
    session_id: uuid::Uuid,
    picture_base64: String,
    selfies: Option<Vec<String>>,
) -> Result<CheckInAnswer, AppError> {
    use base64::Engine as _;
    let picture = base64::engine::general_purpose::STANDARD
        .decode(picture_base64.trim())
        .map_err(|_| AppError::Phone {
            code: "no_code",
            message: "The picture could not be read.".to_owned(),
        })?;
    let sensors = device_sensors(&app);
    phone
        .check_in_with_picture(
            &client,
            &faces,
            &sensors,
            session_id,
            &picture,
            &selfies.unwrap_or_default(),
        )
        .await
}

/// The student's attendance per subject and their recent classes.
#[tauri::command]
pub async fn my_attendance(client: State<'_, ServerClient>) -> Result<MyAttendance, AppError> {
    Ok(client.my_attendance().await?)
}

/// The week's timetable of the student's divisions, by day and time.
#[tauri::command]
pub async fn my_timetable(client: State<'_, ServerClient>) -> Result<Vec<SlotRecord>, AppError> {
    let client = &*client;
    let mut slots = rollcall_client::every_page(&ListParams::default(), |page| async move {
        client.timetable(&page, &TimetableFilter::default()).await
    })
    .await?;
    slots.sort_by_key(|s| (s.weekday.iso(), s.starts_at, s.division_code.clone()));
    Ok(slots)
}

/// Saves everything the server holds about the student (their own-data export,
/// JSON) where they choose in the save dialog. `None` when they cancel it.
#[tauri::command]
pub async fn save_my_data<R: Runtime>(
    app: AppHandle<R>,
    client: State<'_, ServerClient>,
    config: State<'_, AppConfig>,
) -> Result<Option<SavedFile>, AppError> {
    let download = client.export_my_data().await?;
    let kind = ExportKind {
        title: "Save your Rollcall data",
        fallback_stem: "rollcall-my-data",
        format: FileType::Json,
    };
    exports::save_where_chosen(&app, &config, &download, kind).await
}

/// Where the outbox stands now.
#[tauri::command]
pub async fn sync_status(phone: State<'_, StudentPhone>) -> Result<SyncStatus, AppError> {
    phone.status().await
}
