//! The teacher's classroom commands: today's classes, presentation, live roster,
//! marks, ending a class and exporting its sheet.

use rollcall_core::api::{
    ClassSession, ExtraClass, LiveRosterEvent, MarkForm, PresentationFrame, Roster, RosterEntry,
    SavedFile, SheetFormat, LIVE_ROSTER_EVENT,
};
use tauri::{AppHandle, Emitter as _, Manager as _, Runtime, State};
use uuid::Uuid;

use crate::exports::{self, ExportKind};
use crate::task_slot::TaskSlot;
use crate::teacher::{live, Classroom};
use crate::{AppConfig, AppError, ServerClient};

/// The live roster being followed, if any: one at a time.
#[derive(Debug, Default)]
pub struct LiveWatch(TaskSlot);

impl LiveWatch {
    /// Stops following.
    pub fn stop(&self) {
        self.0.stop();
    }
}

/// The signed-in teacher's classes today.
#[tauri::command]
pub async fn today_classes(
    client: State<'_, ServerClient>,
    classroom: State<'_, Classroom>,
) -> Result<Vec<ClassSession>, AppError> {
    classroom.today(&client).await
}

/// Starts today's class of a timetable slot.
#[tauri::command]
pub async fn start_class(
    client: State<'_, ServerClient>,
    classroom: State<'_, Classroom>,
    slot_id: Uuid,
) -> Result<ClassSession, AppError> {
    classroom.start(&client, slot_id).await
}

/// Starts an extra class outside the timetable (room, division, subject, length).
#[tauri::command]
pub async fn start_extra_class(
    client: State<'_, ServerClient>,
    classroom: State<'_, Classroom>,
    extra: ExtraClass,
) -> Result<ClassSession, AppError> {
    classroom.start_extra(&client, &extra).await
}

/// The QR code and OTP to show now; works offline.
#[tauri::command]
pub fn presentation_frame(
    classroom: State<'_, Classroom>,
    session_id: Uuid,
) -> Result<PresentationFrame, AppError> {
    classroom.frame(session_id, crate::clock::now())
}

/// The roster as the server has it now.
#[tauri::command]
pub async fn class_roster(
    client: State<'_, ServerClient>,
    session_id: Uuid,
) -> Result<Roster, AppError> {
    Classroom::roster(&client, session_id).await
}

/// Follows the class's live roster: `live-roster` events until another class is
/// followed, following stops, or the user signs out.
#[tauri::command]
pub fn watch_roster<R: Runtime>(app: AppHandle<R>, watch: State<'_, LiveWatch>, session_id: Uuid) {
    let handle = app;
    let task = tauri::async_runtime::spawn(async move {
        let client = handle.state::<ServerClient>();
        live::follow(&client, session_id, |event: LiveRosterEvent| {
            // A closed window cannot be told; the task ends with the app.
            let _ = handle.emit(LIVE_ROSTER_EVENT, event);
        })
        .await;
    });
    watch.0.replace(task);
}

/// Stops following the live roster.
#[tauri::command]
pub fn stop_watching_roster(watch: State<'_, LiveWatch>) {
    watch.stop();
}

/// Marks or corrects a student by hand, with a reason.
#[tauri::command]
pub async fn mark_student(
    client: State<'_, ServerClient>,
    form: MarkForm,
) -> Result<RosterEntry, AppError> {
    Classroom::mark(&client, &form).await
}

/// Ends the class.
#[tauri::command]
pub async fn end_class(
    client: State<'_, ServerClient>,
    classroom: State<'_, Classroom>,
    session_id: Uuid,
) -> Result<Roster, AppError> {
    classroom.end(&client, session_id).await
}

/// Saves the class sheet as CSV or PDF where the teacher chooses (in
/// `ROLLCALL_EXPORT_DIR` when set); `None` when they cancel.
#[tauri::command]
pub async fn export_class_sheet<R: Runtime>(
    app: AppHandle<R>,
    client: State<'_, ServerClient>,
    config: State<'_, AppConfig>,
    session_id: Uuid,
    format: SheetFormat,
) -> Result<Option<SavedFile>, AppError> {
    let download = Classroom::download_sheet(&client, session_id, format).await?;
    let kind = ExportKind {
        title: "Save the class sheet",
        fallback_stem: "class-sheet",
        format: format.into(),
    };
    exports::save_where_chosen(&app, &config, &download, kind).await
}
