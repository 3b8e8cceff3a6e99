//! The face commands: this device's face status, enrolment shots, and the kiosk.
//! Pictures travel as base64 (a `data:` URL from the webcam is fine too).

use base64::Engine as _;
use serde::Serialize;
use uuid::Uuid;

use super::{call, CommandError, NoArgs};
pub use rollcall_core::api::{
    EnrolmentResult, FaceBox, FaceStatus, FaceTemplateInfo, KioskFace, KioskFaceState,
    KioskFrameResult, KioskMarked, KioskState, ShotReport,
};

/// A picture file's bytes as the commands take them.
#[must_use]
pub fn encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[derive(Serialize)]
struct PictureArgs<'a> {
    picture: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StudentArgs {
    student_id: Uuid,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EnrolArgs<'a> {
    student_id: Uuid,
    shots: &'a [String],
}

/// Whether this device can check faces.
///
/// # Errors
/// Only when the Rust side cannot be reached.
pub async fn face_status() -> Result<FaceStatus, CommandError> {
    call("face_status", &NoArgs {}).await
}

/// Judges one enrolment shot.
///
/// # Errors
/// `bad_picture`, `face_unavailable`.
pub async fn check_face_shot(picture: &str) -> Result<ShotReport, CommandError> {
    call("check_face_shot", &PictureArgs { picture }).await
}

/// Whether a student is enrolled.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn face_enrolment(student_id: Uuid) -> Result<Option<FaceTemplateInfo>, CommandError> {
    call("face_enrolment", &StudentArgs { student_id }).await
}

/// Enrols a student from shots.
///
/// # Errors
/// `not_enough_shots`, `not_one_person`, `face_unavailable`, …
pub async fn enrol_face(
    student_id: Uuid,
    shots: &[String],
) -> Result<EnrolmentResult, CommandError> {
    call("enrol_face", &EnrolArgs { student_id, shots }).await
}

/// Revokes a student's template.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn revoke_face(student_id: Uuid) -> Result<(), CommandError> {
    call("revoke_face", &StudentArgs { student_id }).await
}

/// Starts the kiosk for the signed-in kiosk account.
///
/// # Errors
/// The [`CommandError`] the Rust side returned.
pub async fn start_kiosk() -> Result<KioskState, CommandError> {
    call("start_kiosk", &NoArgs {}).await
}

/// Looks at one camera frame.
///
/// # Errors
/// `kiosk_not_started`, `bad_picture`, `face_unavailable`.
pub async fn kiosk_frame(picture: &str) -> Result<KioskFrameResult, CommandError> {
    call("kiosk_frame", &PictureArgs { picture }).await
}
