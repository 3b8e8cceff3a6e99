//! The school's structure for admins: rooms with their fences and access points,
//! subjects, teachers, the weekly timetable, and the school-wide settings.

use rollcall_core::api::{
    AccessPointRecord, DivisionRecord, DivisionStudent, ListParams, MembershipChange,
    NewAccessPoint, NewDivision, NewRoom, NewSlot, NewSubject, Role, RoomPatch, RoomRecord,
    SchoolSettings, SlotRecord, StudentIds, SubjectPatch, SubjectRecord, TimetableFilter,
    UserFilter, UserRecord,
};
use uuid::Uuid;

use crate::{AppError, ServerClient};

/// Every room, by code.
///
/// # Errors
/// What the server call fails with.
pub async fn rooms(client: &ServerClient) -> Result<Vec<RoomRecord>, AppError> {
    let page = client
        .rooms(&ListParams::per_page(100).sorted("code"))
        .await?;
    Ok(page.items)
}

/// Adds a room (with its access points).
///
/// # Errors
/// What the server call fails with: `invalid_field` naming the field, or
/// `already_exists` for a code in use.
pub async fn create_room(client: &ServerClient, room: &NewRoom) -> Result<RoomRecord, AppError> {
    Ok(client.create_room(room).await?)
}

/// Changes a room: its check-in rule, its location tolerance, its fence or names.
///
/// # Errors
/// What the server call fails with.
pub async fn update_room(
    client: &ServerClient,
    room_id: Uuid,
    patch: &RoomPatch,
) -> Result<RoomRecord, AppError> {
    Ok(client.update_room(room_id, patch).await?)
}

/// Adds an access point to a room.
///
/// # Errors
/// What the server call fails with.
pub async fn add_access_point(
    client: &ServerClient,
    room_id: Uuid,
    access_point: &NewAccessPoint,
) -> Result<AccessPointRecord, AppError> {
    Ok(client.add_access_point(room_id, access_point).await?)
}

/// Every subject, by code.
///
/// # Errors
/// What the server call fails with.
pub async fn subjects(client: &ServerClient) -> Result<Vec<SubjectRecord>, AppError> {
    let page = client
        .subjects(&ListParams::per_page(100).sorted("code"))
        .await?;
    Ok(page.items)
}

/// Adds a subject.
///
/// # Errors
/// What the server answers (`conflict` for a code in use, `validation_failed`…).
pub async fn create_subject(
    client: &ServerClient,
    subject: &NewSubject,
) -> Result<SubjectRecord, AppError> {
    Ok(client.create_subject(subject).await?)
}

/// Renames a subject or changes its code.
///
/// # Errors
/// What the server answers.
pub async fn update_subject(
    client: &ServerClient,
    subject_id: Uuid,
    patch: &SubjectPatch,
) -> Result<SubjectRecord, AppError> {
    Ok(client.update_subject(subject_id, patch).await?)
}

/// Deletes a subject no timetable slot uses.
///
/// # Errors
/// What the server answers (`conflict` while the timetable uses it).
pub async fn delete_subject(client: &ServerClient, subject_id: Uuid) -> Result<(), AppError> {
    Ok(client.delete_subject(subject_id).await?)
}

/// The school-wide settings.
///
/// # Errors
/// What the server answers.
pub async fn settings(client: &ServerClient) -> Result<SchoolSettings, AppError> {
    Ok(client.school_settings().await?)
}

/// Saves the school-wide settings.
///
/// # Errors
/// What the server answers (`invalid_field` naming each value out of range).
pub async fn save_settings(
    client: &ServerClient,
    settings: &SchoolSettings,
) -> Result<SchoolSettings, AppError> {
    Ok(client.save_school_settings(settings).await?)
}

/// The active teachers, by name.
///
/// # Errors
/// What the server call fails with.
pub async fn teachers(client: &ServerClient) -> Result<Vec<UserRecord>, AppError> {
    let teachers = UserFilter {
        role: Some(Role::Teacher),
        active: Some(true),
    };
    let page = client
        .users(&ListParams::per_page(100).sorted("display_name"), &teachers)
        .await?;
    Ok(page.items)
}

/// A division's week: every slot, in weekday and time order.
///
/// # Errors
/// What the server call fails with.
pub async fn timetable(
    client: &ServerClient,
    division_id: Uuid,
) -> Result<Vec<SlotRecord>, AppError> {
    let filter = TimetableFilter {
        division_id: Some(division_id),
        ..TimetableFilter::default()
    };
    let page = client
        .timetable(&ListParams::per_page(100), &filter)
        .await?;
    let mut slots = page.items;
    slots.sort_by_key(|s| (s.weekday.iso(), s.starts_at));
    Ok(slots)
}

/// Adds a slot to the timetable.
///
/// # Errors
/// What the server call fails with: 409 `timetable_clash` naming what it clashes
/// with.
pub async fn create_slot(client: &ServerClient, slot: &NewSlot) -> Result<SlotRecord, AppError> {
    Ok(client.create_slot(slot).await?)
}

/// Creates a division.
///
/// # Errors
/// What the server call fails with (`already_exists` for a code in use).
pub async fn create_division(
    client: &ServerClient,
    division: &NewDivision,
) -> Result<DivisionRecord, AppError> {
    Ok(client.create_division(division).await?)
}

/// A division's students, by name.
///
/// # Errors
/// What the server call fails with.
pub async fn division_students(
    client: &ServerClient,
    division_id: Uuid,
) -> Result<Vec<DivisionStudent>, AppError> {
    let page = client
        .division_students(division_id, &ListParams::per_page(200))
        .await?;
    Ok(page.items)
}

/// Adds students to a division (all or none: an id that is not a student is
/// refused and adds nobody).
///
/// # Errors
/// What the server call fails with.
pub async fn add_students(
    client: &ServerClient,
    division_id: Uuid,
    student_ids: Vec<Uuid>,
) -> Result<MembershipChange, AppError> {
    Ok(client
        .add_division_students(division_id, &StudentIds { student_ids })
        .await?)
}

/// Takes a student out of a division.
///
/// # Errors
/// What the server call fails with (404 when not a member).
pub async fn remove_student(
    client: &ServerClient,
    division_id: Uuid,
    student_id: Uuid,
) -> Result<(), AppError> {
    Ok(client
        .remove_division_student(division_id, student_id)
        .await?)
}
