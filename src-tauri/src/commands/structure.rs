//! The admin's structure commands: rooms and access points, subjects, teachers
//! and the timetable. The server checks the role of every call.

use rollcall_core::api::{
    AccessPointRecord, NewAccessPoint, NewRoom, NewSlot, RoomPatch, RoomRecord, SlotRecord,
    SubjectRecord, UserRecord,
};
use tauri::State;
use uuid::Uuid;

use crate::{school_structure, AppError, ServerClient};

/// Every room.
#[tauri::command]
pub async fn list_rooms(client: State<'_, ServerClient>) -> Result<Vec<RoomRecord>, AppError> {
    school_structure::rooms(&client).await
}

/// Adds a room with its fence and access points.
#[tauri::command]
pub async fn create_room(
    client: State<'_, ServerClient>,
    room: NewRoom,
) -> Result<RoomRecord, AppError> {
    school_structure::create_room(&client, &room).await
}

/// Changes a room's check-in rule, tolerance, fence or names.
#[tauri::command]
pub async fn update_room(
    client: State<'_, ServerClient>,
    room_id: Uuid,
    patch: RoomPatch,
) -> Result<RoomRecord, AppError> {
    school_structure::update_room(&client, room_id, &patch).await
}

/// Adds an access point to a room.
#[tauri::command]
pub async fn add_access_point(
    client: State<'_, ServerClient>,
    room_id: Uuid,
    access_point: NewAccessPoint,
) -> Result<AccessPointRecord, AppError> {
    school_structure::add_access_point(&client, room_id, &access_point).await
}

/// Every subject.
#[tauri::command]
pub async fn list_subjects(
    client: State<'_, ServerClient>,
) -> Result<Vec<SubjectRecord>, AppError> {
    school_structure::subjects(&client).await
}

/// The active teachers.
#[tauri::command]
pub async fn list_teachers(client: State<'_, ServerClient>) -> Result<Vec<UserRecord>, AppError> {
    school_structure::teachers(&client).await
}

/// A division's week.
#[tauri::command]
pub async fn division_timetable(
    client: State<'_, ServerClient>,
    division_id: Uuid,
) -> Result<Vec<SlotRecord>, AppError> {
    school_structure::timetable(&client, division_id).await
}

/// Adds a timetable slot.
#[tauri::command]
pub async fn create_slot(
    client: State<'_, ServerClient>,
    slot: NewSlot,
) -> Result<SlotRecord, AppError> {
    school_structure::create_slot(&client, &slot).await
}
