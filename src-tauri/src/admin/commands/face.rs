//! Face commands: whether this device can check faces, and the admin's enrolment
//! (each shot judged as it is taken, the template built here, revoke).

use rollcall_core::api::{EnrolmentResult, FaceStatus, FaceTemplateInfo, ShotReport};
use tauri::State;
use uuid::Uuid;

use crate::admin::face_enrolment;
use crate::face::FaceService;
use crate::{AppError, ServerClient};

/// Whether the face models and ONNX Runtime are available here.
#[tauri::command]
pub async fn face_status(faces: State<'_, FaceService>) -> Result<FaceStatus, AppError> {
    Ok(faces.status().await)
}

/// Judges one shot (base64 PNG or JPEG) for enrolment: one clear face, and what to fix.
#[tauri::command]
pub async fn check_face_shot(
    faces: State<'_, FaceService>,
    picture: String,
) -> Result<ShotReport, AppError> {
    face_enrolment::check_shot(&faces, picture).await
}

/// Whether a student is enrolled (`None`: not yet).
#[tauri::command]
pub async fn face_enrolment(
    client: State<'_, ServerClient>,
    student_id: Uuid,
) -> Result<Option<FaceTemplateInfo>, AppError> {
    face_enrolment::enrolment(&client, student_id).await
}

/// Enrols (or re-enrols) a student from shots (base64 pictures).
#[tauri::command]
pub async fn enrol_face(
    client: State<'_, ServerClient>,
    faces: State<'_, FaceService>,
    student_id: Uuid,
    shots: Vec<String>,
) -> Result<EnrolmentResult, AppError> {
    face_enrolment::enrol(&client, &faces, student_id, &shots).await
}

/// Revokes a student's face template.
#[tauri::command]
pub async fn revoke_face(
    client: State<'_, ServerClient>,
    student_id: Uuid,
) -> Result<(), AppError> {
    face_enrolment::revoke(&client, student_id).await
}
