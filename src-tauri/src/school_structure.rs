//! The school's structure for admins: rooms with their fences and access points,
//! subjects, teachers, the weekly timetable, and the school-wide settings.

use reqwest::Method;
use rollcall_core::api::{
    AccessPointRecord, DivisionRecord, DivisionStudent, MembershipChange, NewAccessPoint,
    NewDivision, NewRoom, NewSlot, NewSubject, Page, Role, RoomPatch, RoomRecord, SchoolSettings,
    SlotRecord, StudentIds, SubjectPatch, SubjectRecord, UserRecord,
};
use uuid::Uuid;

use crate::{AppError, ServerClient};

/// Every room, by code.
///
/// # Errors
/// What the server call fails with.
pub async fn rooms(client: &ServerClient) -> Result<Vec<RoomRecord>, AppError> {
    let page: Page<RoomRecord> = client
        .get_json("api/v1/rooms?per_page=100&sort=code")
        .await?;
    Ok(page.items)
}

/// Adds a room (with its access points).
///
/// # Errors
/// What the server call fails with: `invalid_field` naming the field, or
/// `already_exists` for a code in use.
pub async fn create_room(client: &ServerClient, room: &NewRoom) -> Result<RoomRecord, AppError> {
    client
        .send_json(Method::POST, "api/v1/rooms", Some(room))
        .await
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
    client
        .send_json(
            Method::PATCH,
            &format!("api/v1/rooms/{room_id}"),
            Some(patch),
        )
        .await
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
    client
        .send_json(
            Method::POST,
            &format!("api/v1/rooms/{room_id}/access-points"),
            Some(access_point),
        )
        .await
}

/// Every subject, by code.
///
/// # Errors
/// What the server call fails with.
pub async fn subjects(client: &ServerClient) -> Result<Vec<SubjectRecord>, AppError> {
    let page: Page<SubjectRecord> = client
        .get_json("api/v1/subjects?per_page=100&sort=code")
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
    client
        .send_json(Method::POST, "api/v1/subjects", Some(subject))
        .await
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
    client
        .send_json(
            Method::PATCH,
            &format!("api/v1/subjects/{subject_id}"),
            Some(patch),
        )
        .await
}

/// Deletes a subject no timetable slot uses.
///
/// # Errors
/// What the server answers (`conflict` while the timetable uses it).
pub async fn delete_subject(client: &ServerClient, subject_id: Uuid) -> Result<(), AppError> {
    client
        .delete(&format!("api/v1/subjects/{subject_id}"))
        .await
}

/// The school-wide settings.
///
/// # Errors
/// What the server answers.
pub async fn settings(client: &ServerClient) -> Result<SchoolSettings, AppError> {
    client.get_json("api/v1/settings").await
}

/// Saves the school-wide settings.
///
/// # Errors
/// What the server answers (`invalid_field` naming each value out of range).
pub async fn save_settings(
    client: &ServerClient,
    settings: &SchoolSettings,
) -> Result<SchoolSettings, AppError> {
    client
        .send_json(Method::PUT, "api/v1/settings", Some(settings))
        .await
}

/// The active teachers, by name.
///
/// # Errors
/// What the server call fails with.
pub async fn teachers(client: &ServerClient) -> Result<Vec<UserRecord>, AppError> {
    let page: Page<UserRecord> = client
        .get_json(&format!(
            "api/v1/users?role={}&active=true&per_page=100&sort=display_name",
            Role::Teacher.as_str()
        ))
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
    let page: Page<SlotRecord> = client
        .get_json(&format!(
            "api/v1/timetable?division_id={division_id}&per_page=100"
        ))
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
    client
        .send_json(Method::POST, "api/v1/timetable", Some(slot))
        .await
}

/// Creates a division.
///
/// # Errors
/// What the server call fails with (`already_exists` for a code in use).
pub async fn create_division(
    client: &ServerClient,
    division: &NewDivision,
) -> Result<DivisionRecord, AppError> {
    client
        .send_json(Method::POST, "api/v1/divisions", Some(division))
        .await
}

/// A division's students, by name.
///
/// # Errors
/// What the server call fails with.
pub async fn division_students(
    client: &ServerClient,
    division_id: Uuid,
) -> Result<Vec<DivisionStudent>, AppError> {
    let page: Page<DivisionStudent> = client
        .get_json(&format!(
            "api/v1/divisions/{division_id}/students?per_page=200"
        ))
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
    client
        .send_json(
            Method::POST,
            &format!("api/v1/divisions/{division_id}/students"),
            Some(&StudentIds { student_ids }),
        )
        .await
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
    client
        .delete(&format!(
            "api/v1/divisions/{division_id}/students/{student_id}"
        ))
        .await
}
