//! Subjects and the school-wide settings, for the admin's screens.

use serde::Serialize;
use uuid::Uuid;

use super::{call, CommandError, NoArgs};
pub use rollcall_core::api::{NewSubject, SchoolSettings, SubjectPatch, SubjectRecord};

#[derive(Serialize)]
struct NewSubjectArgs<'a> {
    subject: &'a NewSubject,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SubjectPatchArgs<'a> {
    subject_id: Uuid,
    patch: &'a SubjectPatch,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SubjectArgs {
    subject_id: Uuid,
}

#[derive(Serialize)]
struct SettingsArgs<'a> {
    settings: &'a SchoolSettings,
}

/// Adds a subject.
///
/// # Errors
/// `conflict` for a code in use, `validation_failed` naming the field, …
pub async fn create_subject(subject: &NewSubject) -> Result<SubjectRecord, CommandError> {
    call("create_subject", &NewSubjectArgs { subject }).await
}

/// Changes a subject.
///
/// # Errors
/// As [`create_subject`].
pub async fn update_subject(
    subject_id: Uuid,
    patch: &SubjectPatch,
) -> Result<SubjectRecord, CommandError> {
    call("update_subject", &SubjectPatchArgs { subject_id, patch }).await
}

/// Deletes a subject.
///
/// # Errors
/// `conflict` while the timetable uses it.
pub async fn delete_subject(subject_id: Uuid) -> Result<(), CommandError> {
    call("delete_subject", &SubjectArgs { subject_id }).await
}

/// The school-wide settings.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn school_settings() -> Result<SchoolSettings, CommandError> {
    call("school_settings", &NoArgs {}).await
}

/// Saves the school-wide settings.
///
/// # Errors
/// `invalid_field`, naming each value out of range in `details`.
pub async fn save_school_settings(
    settings: &SchoolSettings,
) -> Result<SchoolSettings, CommandError> {
    call("save_school_settings", &SettingsArgs { settings }).await
}

pub use rollcall_core::api::NearbyWifi;

/// The Wi-Fi access points this computer hears, strongest first.
///
/// # Errors
/// `wifi_scan_failed` with the reason (no NetworkManager, Wi-Fi off).
pub async fn scan_nearby_wifi() -> Result<Vec<NearbyWifi>, CommandError> {
    call("scan_nearby_wifi", &NoArgs {}).await
}

pub use rollcall_core::api::{FenceMap, MapOutline};
use rollcall_core::geofence::FenceShape;

#[derive(Serialize)]
struct FenceMapArgs<'a> {
    shape: &'a FenceShape,
    size: u32,
}

/// A room's fence drawn on map tiles, `size` pixels square.
///
/// # Errors
/// `map_unavailable` with the reason (no tile server set up, or it did not answer).
pub async fn fence_map(shape: &FenceShape, size: u32) -> Result<FenceMap, CommandError> {
    call("fence_map", &FenceMapArgs { shape, size }).await
}
