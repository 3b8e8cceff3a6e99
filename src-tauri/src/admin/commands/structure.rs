//! The admin's structure commands: rooms and access points, subjects, teachers
//! the timetable and the school-wide settings. The server checks the role of every call.

use rollcall_core::api::FenceMap;
use rollcall_core::api::{
    AccessPointRecord, DivisionPatch, DivisionRecord, DivisionStudent, MembershipChange,
    NearbyWifi, NewAccessPoint, NewDivision, NewRoom, NewSlot, NewSubject, RoomPatch, RoomRecord,
    SchoolSettings, SlotPatch, SlotRecord, SubjectPatch, SubjectRecord, UserRecord,
};
use rollcall_core::geofence::FenceShape;
use tauri::{AppHandle, Runtime, State};
use uuid::Uuid;

use crate::admin::fence_map::{self, TileSource};
use crate::admin::structure;
use crate::device::wifi_scan::NetworkManagerWifi;
use crate::{AppConfig, AppError, ServerClient};

/// Every room.
#[tauri::command]
pub async fn list_rooms(client: State<'_, ServerClient>) -> Result<Vec<RoomRecord>, AppError> {
    structure::rooms(&client).await
}

/// Adds a room with its fence and access points.
#[tauri::command]
pub async fn create_room(
    client: State<'_, ServerClient>,
    room: NewRoom,
) -> Result<RoomRecord, AppError> {
    structure::create_room(&client, &room).await
}

/// Changes a room's check-in rule, tolerance, fence or names.
#[tauri::command]
pub async fn update_room(
    client: State<'_, ServerClient>,
    room_id: Uuid,
    patch: RoomPatch,
) -> Result<RoomRecord, AppError> {
    structure::update_room(&client, room_id, &patch).await
}

/// Adds an access point to a room.
#[tauri::command]
pub async fn add_access_point(
    client: State<'_, ServerClient>,
    room_id: Uuid,
    access_point: NewAccessPoint,
) -> Result<AccessPointRecord, AppError> {
    structure::add_access_point(&client, room_id, &access_point).await
}

/// Every subject.
#[tauri::command]
pub async fn list_subjects(
    client: State<'_, ServerClient>,
) -> Result<Vec<SubjectRecord>, AppError> {
    structure::subjects(&client).await
}

/// Adds a subject.
#[tauri::command]
pub async fn create_subject(
    client: State<'_, ServerClient>,
    subject: NewSubject,
) -> Result<SubjectRecord, AppError> {
    structure::create_subject(&client, &subject).await
}

/// Changes a subject's code or name.
#[tauri::command]
pub async fn update_subject(
    client: State<'_, ServerClient>,
    subject_id: Uuid,
    patch: SubjectPatch,
) -> Result<SubjectRecord, AppError> {
    structure::update_subject(&client, subject_id, &patch).await
}

/// Deletes a subject the timetable no longer uses.
#[tauri::command]
pub async fn delete_subject(
    client: State<'_, ServerClient>,
    subject_id: Uuid,
) -> Result<(), AppError> {
    structure::delete_subject(&client, subject_id).await
}

/// The Wi-Fi access points this computer hears, strongest first, to fill in a
/// room's BSSIDs.
#[tauri::command]
pub async fn scan_nearby_wifi() -> Result<Vec<NearbyWifi>, AppError> {
    tauri::async_runtime::spawn_blocking(|| NetworkManagerWifi::default().nearby(true))
        .await
        .map_err(|e| AppError::Phone {
            code: "wifi_scan_failed",
            message: format!("The Wi-Fi scan failed ({e})."),
        })?
        .map_err(|e| AppError::Phone {
            code: "wifi_scan_failed",
            message: format!("No Wi-Fi scan: {e}. Type the BSSID instead (on the access point's label or in its admin page)."),
        })
}

/// A room's geofence on a map `size` pixels square, tiles from `ROLLCALL_MAP_TILES`
/// (kept in the app's data folder); `map_unavailable` without a tile server or
/// when it does not answer.
#[tauri::command]
pub async fn fence_map<R: Runtime>(
    app: AppHandle<R>,
    config: State<'_, AppConfig>,
    shape: FenceShape,
    size: u32,
) -> Result<FenceMap, AppError> {
    let Some(template) = config.map_tiles.as_deref() else {
        return Err(AppError::MapUnavailable {
            reason:
                "no map tile server is set up (ROLLCALL_MAP_TILES); the drawing shows the shape"
                    .to_owned(),
        });
    };
    let source = TileSource::parse(template, config.map_attribution.as_deref())?;
    let cache = config.data_folder(&app)?.join("map-tiles");
    fence_map::fence_map(&source, &cache, &shape, size).await
}

/// The school-wide settings.
#[tauri::command]
pub async fn school_settings(client: State<'_, ServerClient>) -> Result<SchoolSettings, AppError> {
    structure::settings(&client).await
}

/// Saves the school-wide settings.
#[tauri::command]
pub async fn save_school_settings(
    client: State<'_, ServerClient>,
    settings: SchoolSettings,
) -> Result<SchoolSettings, AppError> {
    structure::save_settings(&client, &settings).await
}

/// The active teachers.
#[tauri::command]
pub async fn list_teachers(client: State<'_, ServerClient>) -> Result<Vec<UserRecord>, AppError> {
    structure::teachers(&client).await
}

/// A division's week.
#[tauri::command]
pub async fn division_timetable(
    client: State<'_, ServerClient>,
    division_id: Uuid,
) -> Result<Vec<SlotRecord>, AppError> {
    structure::timetable(&client, division_id).await
}

/// Adds a timetable slot.
#[tauri::command]
pub async fn create_slot(
    client: State<'_, ServerClient>,
    slot: NewSlot,
) -> Result<SlotRecord, AppError> {
    structure::create_slot(&client, &slot).await
}

/// Moves or changes a timetable slot (`timetable_clash` names a clash).
#[tauri::command]
pub async fn update_slot(
    client: State<'_, ServerClient>,
    id: Uuid,
    patch: SlotPatch,
) -> Result<SlotRecord, AppError> {
    Ok(client.update_slot(id, &patch).await?)
}

/// Deletes a timetable slot.
#[tauri::command]
pub async fn delete_slot(client: State<'_, ServerClient>, id: Uuid) -> Result<(), AppError> {
    Ok(client.delete_slot(id).await?)
}

/// Renames a division.
#[tauri::command]
pub async fn update_division(
    client: State<'_, ServerClient>,
    id: Uuid,
    patch: DivisionPatch,
) -> Result<DivisionRecord, AppError> {
    Ok(client.update_division(id, &patch).await?)
}

/// Deletes a division (`in_use`, with the server's sentence, while it has
/// timetable slots).
#[tauri::command]
pub async fn delete_division(client: State<'_, ServerClient>, id: Uuid) -> Result<(), AppError> {
    Ok(client.delete_division(id).await?)
}

/// Creates a division.
#[tauri::command]
pub async fn create_division(
    client: State<'_, ServerClient>,
    division: NewDivision,
) -> Result<DivisionRecord, AppError> {
    structure::create_division(&client, &division).await
}

/// A division's students.
#[tauri::command]
pub async fn division_students(
    client: State<'_, ServerClient>,
    division_id: Uuid,
) -> Result<Vec<DivisionStudent>, AppError> {
    structure::division_students(&client, division_id).await
}

/// Adds students to a division.
#[tauri::command]
pub async fn add_division_students(
    client: State<'_, ServerClient>,
    division_id: Uuid,
    student_ids: Vec<Uuid>,
) -> Result<MembershipChange, AppError> {
    structure::add_students(&client, division_id, student_ids).await
}

/// Takes a student out of a division.
#[tauri::command]
pub async fn remove_division_student(
    client: State<'_, ServerClient>,
    division_id: Uuid,
    student_id: Uuid,
) -> Result<(), AppError> {
    structure::remove_student(&client, division_id, student_id).await
}
