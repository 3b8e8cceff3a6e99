//! The one place the UI calls the Rust side: a typed function per Tauri command.
//! Components call these and never `invoke` directly.

pub mod face;
pub mod school;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// Tauri's IPC entry point, present because the app sets `withGlobalTauri`.
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], catch)]
    async fn invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;

    /// Tauri's event subscription; resolves to the function that unsubscribes.
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], catch)]
    async fn listen(event: &str, handler: &js_sys::Function) -> Result<JsValue, JsValue>;

    /// This window, for full screen.
    type TauriWindow;

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "window"], js_name = getCurrentWindow, catch)]
    fn current_window() -> Result<TauriWindow, JsValue>;

    #[wasm_bindgen(method, js_name = setFullscreen, catch)]
    async fn set_fullscreen(this: &TauriWindow, on: bool) -> Result<JsValue, JsValue>;
}

/// The server address the login screen starts with.
///
/// # Errors
/// Only when the Rust side cannot be reached.
pub async fn default_server_url() -> Result<String, CommandError> {
    call("default_server_url", &NoArgs {}).await
}

/// Signs in; the access token stays on the Rust side.
///
/// # Errors
/// The [`CommandError`] the Rust side returned, such as
/// [`ErrorCode::InvalidCredentials`] or [`ErrorCode::ServerUnreachable`].
pub async fn login(form: &LoginForm) -> Result<SignedIn, CommandError> {
    call("login", form).await
}

/// Resumes the sign-in kept from the app's last run; `None` when there is none.
///
/// # Errors
/// The [`CommandError`] the Rust side returned (an unreachable server: the
/// kept sign-in stays for the next start).
pub async fn resume_sign_in() -> Result<Option<SignedIn>, CommandError> {
    call("resume_sign_in", &NoArgs {}).await
}

/// Changes the signed-in person's password (every other sign-in ends).
///
/// # Errors
/// The [`CommandError`] the Rust side returned (`invalid_credentials` for a
/// wrong current password, `weak_password`).
pub async fn change_password(current: &str, new: &str) -> Result<(), CommandError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Args<'a> {
        current_password: &'a str,
        new_password: &'a str,
    }
    call(
        "change_password",
        &Args {
            current_password: current,
            new_password: new,
        },
    )
    .await
}

/// Asks the server to mail a reset code for the account named `login`.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn forgot_password(server_url: &str, login: &str) -> Result<(), CommandError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Args<'a> {
        server_url: &'a str,
        login: &'a str,
    }
    call("forgot_password", &Args { server_url, login }).await
}

/// Sets a new password with the mailed code.
///
/// # Errors
/// The [`CommandError`] the Rust side returned (`invalid_reset_token`,
/// `weak_password`).
pub async fn reset_password(
    server_url: &str,
    code: &str,
    new_password: &str,
) -> Result<(), CommandError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Args<'a> {
        server_url: &'a str,
        code: &'a str,
        new_password: &'a str,
    }
    call(
        "reset_password",
        &Args {
            server_url,
            code,
            new_password,
        },
    )
    .await
}

/// Forgets the signed-in session on the Rust side.
///
/// # Errors
/// Only when the Rust side cannot be reached.
pub async fn sign_out() -> Result<(), CommandError> {
    call("sign_out", &NoArgs {}).await
}

/// The signed-in teacher's classes today.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn today_classes() -> Result<Vec<ClassSession>, CommandError> {
    call("today_classes", &NoArgs {}).await
}

/// Starts today's class of a timetable slot.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn start_class(slot_id: Uuid) -> Result<ClassSession, CommandError> {
    call("start_class", &SlotArgs { slot_id }).await
}

/// Starts an extra class outside the timetable; it opens like a started slot.
///
/// # Errors
/// The [`CommandError`] the Rust side returned (a field the server refused is
/// named in its message).
pub async fn start_extra_class(extra: ExtraClass) -> Result<ClassSession, CommandError> {
    call("start_extra_class", &ExtraArgs { extra }).await
}

/// The QR code and OTP to show now (computed on the Rust side, also offline).
///
/// # Errors
/// [`ErrorCode::UnknownClass`] when the class's secret is not known.
pub async fn presentation_frame(session_id: Uuid) -> Result<PresentationFrame, CommandError> {
    call("presentation_frame", &SessionArgs { session_id }).await
}

/// Starts following the class's live roster: [`LiveRosterEvent`]s arrive through
/// [`listen_live_roster`].
///
/// # Errors
/// Only when the Rust side cannot be reached.
pub async fn watch_roster(session_id: Uuid) -> Result<(), CommandError> {
    call("watch_roster", &SessionArgs { session_id }).await
}

/// Stops following the live roster.
///
/// # Errors
/// Only when the Rust side cannot be reached.
pub async fn stop_watching_roster() -> Result<(), CommandError> {
    call("stop_watching_roster", &NoArgs {}).await
}

/// Marks or corrects a student by hand.
///
/// # Errors
/// The [`CommandError`] the Rust side returned (`invalid_field` without a reason).
pub async fn mark_student(form: MarkForm) -> Result<RosterEntry, CommandError> {
    call("mark_student", &MarkArgs { form }).await
}

/// Ends the class; everyone unmarked becomes absent.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn end_class(session_id: Uuid) -> Result<Roster, CommandError> {
    call("end_class", &SessionArgs { session_id }).await
}

/// Saves the class sheet where the teacher chooses; `None` when they cancel.
///
/// # Errors
/// The [`CommandError`] the Rust side returned, such as [`ErrorCode::SaveFailed`].
pub async fn export_class_sheet(
    session_id: Uuid,
    format: SheetFormat,
) -> Result<Option<SavedFile>, CommandError> {
    call("export_class_sheet", &ExportArgs { session_id, format }).await
}

/// The admin's dashboard.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn dashboard() -> Result<Dashboard, CommandError> {
    call("dashboard", &NoArgs {}).await
}

/// The divisions, for filters.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn list_divisions() -> Result<Vec<DivisionRecord>, CommandError> {
    call("list_divisions", &NoArgs {}).await
}

/// An attendance report.
///
/// # Errors
/// The [`CommandError`] the Rust side returned (`invalid_query` for bad dates).
pub async fn attendance_report(filter: ReportFilterForm) -> Result<AttendanceReport, CommandError> {
    call("attendance_report", &FilterArgs { filter }).await
}

/// Saves a report as CSV or PDF where the admin chooses; `None` when they cancel.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn export_report(
    filter: ReportFilterForm,
    format: SheetFormat,
) -> Result<Option<SavedFile>, CommandError> {
    call("export_report", &ExportReportArgs { filter, format }).await
}

/// A page of the review queue.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn review_queue(page: u32) -> Result<Page<ReviewItem>, CommandError> {
    call("review_queue", &PageArgs { page }).await
}

/// Approves or rejects a doubtful claim.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn decide_review(form: ReviewForm) -> Result<RosterEntry, CommandError> {
    call("decide_review", &ReviewArgs { form }).await
}

/// A kiosk's face thumbnail as a `data:` URL.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn review_thumbnail(claim_id: Uuid) -> Result<String, CommandError> {
    call("review_thumbnail", &ClaimArgs { claim_id }).await
}

/// Every room.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn list_rooms() -> Result<Vec<RoomRecord>, CommandError> {
    call("list_rooms", &NoArgs {}).await
}

/// Adds a room with its fence and access points.
///
/// # Errors
/// The [`CommandError`] the Rust side returned (`already_exists`, `invalid_field`).
pub async fn create_room(room: NewRoom) -> Result<RoomRecord, CommandError> {
    call("create_room", &RoomArgs { room }).await
}

/// Changes a room's check-in rule, tolerance, fence or names.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn update_room(room_id: Uuid, patch: RoomPatch) -> Result<RoomRecord, CommandError> {
    call("update_room", &RoomPatchArgs { room_id, patch }).await
}

/// Creates a division.
///
/// # Errors
/// The [`CommandError`] the Rust side returned (`already_exists`, `invalid_field`).
pub async fn create_division(division: NewDivision) -> Result<DivisionRecord, CommandError> {
    call("create_division", &DivisionCreateArgs { division }).await
}

/// A division's students.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn division_students(division_id: Uuid) -> Result<Vec<DivisionStudent>, CommandError> {
    call("division_students", &DivisionArgs { division_id }).await
}

/// Adds students to a division.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn add_division_students(
    division_id: Uuid,
    student_ids: Vec<Uuid>,
) -> Result<MembershipChange, CommandError> {
    call(
        "add_division_students",
        &MembersArgs {
            division_id,
            student_ids,
        },
    )
    .await
}

/// Takes a student out of a division.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn remove_division_student(
    division_id: Uuid,
    student_id: Uuid,
) -> Result<(), CommandError> {
    call(
        "remove_division_student",
        &MemberArgs {
            division_id,
            student_id,
        },
    )
    .await
}

/// Every subject.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn list_subjects() -> Result<Vec<SubjectRecord>, CommandError> {
    call("list_subjects", &NoArgs {}).await
}

/// The active teachers.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn list_teachers() -> Result<Vec<UserRecord>, CommandError> {
    call("list_teachers", &NoArgs {}).await
}

/// A division's week.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn division_timetable(division_id: Uuid) -> Result<Vec<SlotRecord>, CommandError> {
    call("division_timetable", &DivisionArgs { division_id }).await
}

/// Adds a timetable slot.
///
/// # Errors
/// The [`CommandError`] the Rust side returned (`timetable_clash` naming the clash).
pub async fn create_slot(slot: NewSlot) -> Result<SlotRecord, CommandError> {
    call("create_slot", &SlotCreateArgs { slot }).await
}

/// A page of the audit log, newest first, by what, who and when.
///
/// # Errors
/// The [`CommandError`] the Rust side returned (`invalid_query` naming a bad day).
pub async fn audit_log(page: u32, filter: AuditFilter) -> Result<Page<AuditEntry>, CommandError> {
    #[derive(Serialize)]
    struct Args {
        page: u32,
        filter: AuditFilter,
    }
    call("audit_log", &Args { page, filter }).await
}

/// Moves or changes a timetable slot.
///
/// # Errors
/// The [`CommandError`] the Rust side returned (`timetable_clash` naming the clash).
pub async fn update_slot(id: Uuid, patch: SlotPatch) -> Result<SlotRecord, CommandError> {
    #[derive(Serialize)]
    struct Args {
        id: Uuid,
        patch: SlotPatch,
    }
    call("update_slot", &Args { id, patch }).await
}

/// Deletes a timetable slot.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn delete_slot(id: Uuid) -> Result<(), CommandError> {
    call("delete_slot", &IdArgs { id }).await
}

/// Renames a division.
///
/// # Errors
/// The [`CommandError`] the Rust side returned (`invalid_field` naming the field).
pub async fn update_division(
    id: Uuid,
    patch: DivisionPatch,
) -> Result<DivisionRecord, CommandError> {
    #[derive(Serialize)]
    struct Args {
        id: Uuid,
        patch: DivisionPatch,
    }
    call("update_division", &Args { id, patch }).await
}

/// Deletes a division (`in_use`, with the server's sentence, while it has slots).
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn delete_division(id: Uuid) -> Result<(), CommandError> {
    call("delete_division", &IdArgs { id }).await
}

/// A page of accounts.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn list_users(query: UserQuery) -> Result<Page<UserRecord>, CommandError> {
    call("list_users", &QueryArgs { query }).await
}

/// Creates an account.
///
/// # Errors
/// The [`CommandError`] the Rust side returned; `details` names the field.
pub async fn create_user(user: NewUser) -> Result<UserRecord, CommandError> {
    call("create_user", &UserArgs { user }).await
}

/// Edits, deactivates or reactivates an account.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn update_user(id: Uuid, patch: UserPatch) -> Result<UserRecord, CommandError> {
    call("update_user", &PatchArgs { id, patch }).await
}

/// Imports accounts from CSV text, all or nothing.
///
/// # Errors
/// `csv_invalid` with a sentence per line in `details`.
pub async fn import_users(csv: String) -> Result<CsvImportReport, CommandError> {
    call("import_users", &CsvArgs { csv }).await
}

/// Students' devices, pending first.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn list_devices() -> Result<Vec<DeviceRecord>, CommandError> {
    call("list_devices", &NoArgs {}).await
}

/// Approves a pending device.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn approve_device(id: Uuid) -> Result<DeviceRecord, CommandError> {
    call("approve_device", &IdArgs { id }).await
}

/// Revokes a device.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn revoke_device(id: Uuid) -> Result<DeviceRecord, CommandError> {
    call("revoke_device", &IdArgs { id }).await
}

/// The kiosks.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn list_kiosks() -> Result<Vec<KioskRecord>, CommandError> {
    call("list_kiosks", &NoArgs {}).await
}

/// Changes a kiosk's settings, or disables or enables it.
///
/// # Errors
/// The [`CommandError`] the Rust side returned (`invalid_field` naming the setting).
pub async fn update_kiosk(id: Uuid, patch: KioskPatch) -> Result<KioskRecord, CommandError> {
    #[derive(Serialize)]
    struct Args {
        id: Uuid,
        patch: KioskPatch,
    }
    call("update_kiosk", &Args { id, patch }).await
}

/// A new credential for a kiosk, in the answer once; the old one stops working.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn rotate_kiosk_credential(id: Uuid) -> Result<KioskCredential, CommandError> {
    call("rotate_kiosk_credential", &IdArgs { id }).await
}

/// Registers a kiosk; its secret is in the answer, once.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn create_kiosk(kiosk: NewKiosk) -> Result<KioskCredential, CommandError> {
    call("create_kiosk", &KioskArgs { kiosk }).await
}

/// Puts the window in or out of full screen; outside the app it does nothing.
pub async fn set_fullscreen(on: bool) {
    if let Ok(window) = current_window() {
        let _ = window.set_fullscreen(on).await;
    }
}

/// A subscription to one of the Rust side's events; dropping it unsubscribes.
pub struct EventListener {
    _handler: Closure<dyn FnMut(JsValue)>,
    unlisten: Rc<RefCell<Option<js_sys::Function>>>,
    dropped: Rc<Cell<bool>>,
}

impl std::fmt::Debug for EventListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EventListener")
    }
}

impl Drop for EventListener {
    fn drop(&mut self) {
        self.dropped.set(true);
        if let Some(unlisten) = self.unlisten.borrow_mut().take() {
            let _ = unlisten.call0(&JsValue::NULL);
        }
    }
}

/// Calls `on_event` with every payload of `event` that reads as `T`, until the
/// listener is dropped.
#[must_use]
pub fn listen_to<T: DeserializeOwned + 'static>(
    event: &'static str,
    on_event: impl Fn(T) + 'static,
) -> EventListener {
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let payload = js_sys::Reflect::get(&event, &JsValue::from_str("payload"))
            .unwrap_or(JsValue::UNDEFINED);
        if let Ok(payload) = serde_wasm_bindgen::from_value::<T>(payload) {
            on_event(payload);
        }
    });
    let unlisten = Rc::new(RefCell::new(None));
    let dropped = Rc::new(Cell::new(false));
    let function: js_sys::Function = handler.as_ref().unchecked_ref::<js_sys::Function>().clone();
    {
        let (unlisten, dropped) = (unlisten.clone(), dropped.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let Ok(stop) = listen(event, &function).await else {
                return;
            };
            let Ok(stop) = stop.dyn_into::<js_sys::Function>() else {
                return;
            };
            if dropped.get() {
                let _ = stop.call0(&JsValue::NULL);
            } else {
                *unlisten.borrow_mut() = Some(stop);
            }
        });
    }
    EventListener {
        _handler: handler,
        unlisten,
        dropped,
    }
}

/// Calls `on_event` with every [`LiveRosterEvent`] until the listener is dropped.
#[must_use]
pub fn listen_live_roster(on_event: impl Fn(LiveRosterEvent) + 'static) -> EventListener {
    listen_to(LIVE_ROSTER_EVENT, on_event)
}

/// Makes this device the signed-in student's phone and starts sending its outbox.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn prepare_phone() -> Result<PhoneState, CommandError> {
    call("prepare_phone", &NoArgs {}).await
}

/// The student's classes today.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn student_classes() -> Result<Vec<StudentClass>, CommandError> {
    call("student_classes", &NoArgs {}).await
}

/// Follows what changes for the signed-in student; each change arrives as a
/// `my-events` event (see [`MY_EVENTS_EVENT`]).
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn watch_my_events() -> Result<(), CommandError> {
    call("watch_my_events", &NoArgs {}).await
}

/// Checks in with the typed code.
///
/// # Errors
/// `bad_otp`, `no_code`, `outbox_failed`, …
pub async fn check_in(form: CheckInForm) -> Result<CheckInAnswer, CommandError> {
    call("check_in", &CheckInArgs { form }).await
}

/// Checks in with a picture of the teacher's QR code (the file's bytes).
///
/// # Errors
/// `no_code` when the picture holds no readable QR code, and as [`check_in`].
pub async fn check_in_with_picture(
    session_id: Uuid,
    picture: &[u8],
    selfies: Vec<String>,
) -> Result<CheckInAnswer, CommandError> {
    call(
        "check_in_with_picture",
        &PictureArgs {
            session_id,
            picture_base64: face::encode(picture),
            selfies,
        },
    )
    .await
}

/// Opens the phone's camera on the teacher's QR code (`tauri-plugin-barcode-scanner`,
/// full screen) and answers with its text.
///
/// # Errors
/// The scanner's refusal (no camera permission, cancelled) as an IPC error.
pub async fn scan_qr_code() -> Result<String, CommandError> {
    #[derive(Serialize)]
    struct ScanArgs {
        formats: [&'static str; 1],
        windowed: bool,
    }
    #[derive(Deserialize)]
    struct Scanned {
        content: String,
    }
    let scanned: Scanned = call(
        "plugin:barcode-scanner|scan",
        &ScanArgs {
            formats: ["QR_CODE"],
            windowed: false,
        },
    )
    .await?;
    Ok(scanned.content)
}

/// The teacher's Rollcall code in a webcam frame (a JPEG `data:` URL), if one is
/// in view; other QR codes are passed over.
///
/// # Errors
/// `no_code` when the frame is not a picture.
pub async fn read_qr_frame(frame: String) -> Result<Option<String>, CommandError> {
    #[derive(Serialize)]
    struct FrameArgs {
        frame: String,
    }
    call("read_qr_frame", &FrameArgs { frame }).await
}

/// Checks in with the text the phone's scanner read.
///
/// # Errors
/// `not_our_qr` when it is not a Rollcall code, and as [`check_in`].
pub async fn check_in_with_scanned_code(
    session_id: Uuid,
    code_text: String,
    selfies: Vec<String>,
) -> Result<CheckInAnswer, CommandError> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct ScannedArgs {
        session_id: Uuid,
        code_text: String,
        selfies: Vec<String>,
    }
    call(
        "check_in_with_scanned_code",
        &ScannedArgs {
            session_id,
            code_text,
            selfies,
        },
    )
    .await
}

/// The student's attendance.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn my_attendance() -> Result<MyAttendance, CommandError> {
    call("my_attendance", &NoArgs {}).await
}

/// The week's timetable of the student's divisions.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn my_timetable() -> Result<Vec<SlotRecord>, CommandError> {
    call("my_timetable", &NoArgs {}).await
}

/// Saves the student's own data (the server's export) where they choose;
/// `None` when they close the save dialog.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn save_my_data() -> Result<Option<SavedFile>, CommandError> {
    call("save_my_data", &NoArgs {}).await
}

/// Where the outbox stands now.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn sync_status() -> Result<SyncStatus, CommandError> {
    call("sync_status", &NoArgs {}).await
}

pub use rollcall_core::api::{
    AttendanceReport, AttendanceStatus, AuditEntry, AuditFilter, CheckInAnswer, CheckInForm,
    ClaimResult, ClassSession, CommandError, CommandErrorCode as ErrorCode, CsvImportReport,
    DailyPoint, Dashboard, DeviceRecord, DivisionPatch, DivisionRate, DivisionRecord,
    DivisionStudent, ExtraClass, KioskCredential, KioskPatch, KioskRecord, LiveConnection,
    LiveRosterEvent, LoginForm, MarkForm, MembershipChange, MyAttendance, MyEventsUpdate,
    NewDivision, NewKiosk, NewRoom, NewSlot, NewUser, Page, PhoneState, PresentationFrame,
    ReportFilterForm, ReportRow, ReviewDecision, ReviewForm, ReviewItem, Role, RoomPatch,
    RoomRecord, Roster, RosterEntry, SavedFile, SessionStatus, SheetFormat, SignedIn, SlotPatch,
    SlotRecord, StudentClass, SubjectRecord, SyncStatus, TimeOfDay, UserPatch, UserQuery,
    UserRecord, Weekday, LIVE_ROSTER_EVENT, MY_EVENTS_EVENT, SYNC_STATUS_EVENT,
};

fn ipc_error(message: impl Into<String>) -> CommandError {
    CommandError {
        code: ErrorCode::Ipc,
        message: message.into(),
        details: Default::default(),
    }
}

#[derive(Serialize)]
struct NoArgs {}

#[derive(Serialize)]
struct ExtraArgs {
    extra: ExtraClass,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SlotArgs {
    slot_id: Uuid,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionArgs {
    session_id: Uuid,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PictureArgs {
    session_id: Uuid,
    picture_base64: String,
    selfies: Vec<String>,
}

#[derive(Serialize)]
struct CheckInArgs {
    form: CheckInForm,
}

#[derive(Serialize)]
struct QueryArgs {
    query: UserQuery,
}

#[derive(Serialize)]
struct UserArgs {
    user: NewUser,
}

#[derive(Serialize)]
struct PatchArgs {
    id: Uuid,
    patch: UserPatch,
}

#[derive(Serialize)]
struct CsvArgs {
    csv: String,
}

#[derive(Serialize)]
struct IdArgs {
    id: Uuid,
}

#[derive(Serialize)]
struct KioskArgs {
    kiosk: NewKiosk,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RoomPatchArgs {
    room_id: Uuid,
    patch: RoomPatch,
}

#[derive(Serialize)]
struct DivisionCreateArgs {
    division: NewDivision,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MembersArgs {
    division_id: Uuid,
    student_ids: Vec<Uuid>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MemberArgs {
    division_id: Uuid,
    student_id: Uuid,
}

#[derive(Serialize)]
struct RoomArgs {
    room: NewRoom,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DivisionArgs {
    division_id: Uuid,
}

#[derive(Serialize)]
struct SlotCreateArgs {
    slot: NewSlot,
}

#[derive(Serialize)]
struct FilterArgs {
    filter: ReportFilterForm,
}

#[derive(Serialize)]
struct ExportReportArgs {
    filter: ReportFilterForm,
    format: SheetFormat,
}

#[derive(Serialize)]
struct PageArgs {
    page: u32,
}

#[derive(Serialize)]
struct ReviewArgs {
    form: ReviewForm,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClaimArgs {
    claim_id: Uuid,
}

#[derive(Serialize)]
struct MarkArgs {
    form: MarkForm,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExportArgs {
    session_id: Uuid,
    format: SheetFormat,
}

async fn call<A: Serialize, T: DeserializeOwned>(cmd: &str, args: &A) -> Result<T, CommandError> {
    let args = serde_wasm_bindgen::to_value(args)
        .map_err(|e| ipc_error(format!("could not encode the arguments of {cmd}: {e}")))?;
    match invoke(cmd, args).await {
        Ok(value) => serde_wasm_bindgen::from_value(value)
            .map_err(|e| ipc_error(format!("unexpected answer to {cmd}: {e}"))),
        Err(error) => Err(command_error(&error)),
    }
}

/// Commands fail with `{code, message}`; Tauri itself (a missing permission, no IPC at
/// all) fails with a string or a JS exception.
fn command_error(error: &JsValue) -> CommandError {
    if let Ok(error) = serde_wasm_bindgen::from_value::<CommandError>(error.clone()) {
        return error;
    }
    let text = error
        .as_string()
        .unwrap_or_else(|| "the app's Rust side is not available".to_owned());
    ipc_error(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_outside_the_app_is_an_ipc_error_with_its_text() {
        let error = ipc_error("no IPC");
        assert_eq!(error.code, ErrorCode::Ipc);
        assert_eq!(error.message, "no IPC");
    }
}
