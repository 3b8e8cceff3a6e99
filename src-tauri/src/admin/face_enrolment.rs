//! Face enrolment from the admin's desk: shots checked one by one as they are taken,
//! a template built from the good ones on this computer, and only the template (never
//! a photo) sent to the server, which stores it encrypted.

use rollcall_core::api::{EnrolmentResult, FaceTemplateInfo, FaceTemplateUpload, ShotReport};
use uuid::Uuid;

use crate::face::enrolment::{build_template, EnrolmentError};
use crate::face::shots::capitalised;
use crate::face::{model_id, FaceService, MODEL_ID, THRESHOLD};
use crate::{AppError, ServerClient};

/// Judges one shot (base64 picture) for enrolment.
///
/// # Errors
/// `bad_picture`, `face_unavailable`.
pub async fn check_shot(faces: &FaceService, picture: String) -> Result<ShotReport, AppError> {
    let mut judged = faces.judge_shots(&[picture]).await?;
    judged
        .pop()
        .map(|shot| shot.report)
        .ok_or_else(|| AppError::Face {
            code: "face_failed",
            message: "The shot could not be judged.".to_owned(),
        })
}

/// Builds `student`'s template from `shots` and stores it on the server, replacing
/// any earlier one.
///
/// # Errors
/// `not_enough_shots`, `not_one_person`, `bad_picture`, `face_unavailable`, or what
/// the server answers.
pub async fn enrol(
    client: &ServerClient,
    faces: &FaceService,
    student: Uuid,
    shots: &[String],
) -> Result<EnrolmentResult, AppError> {
    let judged = faces.judge_shots(shots).await?;
    let good: Vec<(usize, Vec<f32>)> = judged
        .iter()
        .enumerate()
        .filter_map(|(i, shot)| shot.face.as_ref().map(|f| (i + 1, f.embedding.clone())))
        .collect();
    let template = build_template(model_id(), &good, THRESHOLD).map_err(|e| AppError::Face {
        code: match e {
            EnrolmentError::NotEnoughShots { .. } => "not_enough_shots",
            EnrolmentError::NotOnePerson { .. } => "not_one_person",
            EnrolmentError::Math(_) => "face_failed",
        },
        message: format!("{}.", capitalised(&e.to_string())),
    })?;
    let upload = FaceTemplateUpload {
        model_id: MODEL_ID.to_owned(),
        embedding: template.vector().to_vec(),
    };
    let info = client.put_face_template(student, &upload).await?;
    Ok(EnrolmentResult {
        template: info,
        shots_used: u32::try_from(good.len()).unwrap_or(u32::MAX),
        shots: judged.into_iter().map(|shot| shot.report).collect(),
    })
}

/// Whether `student` is enrolled.
///
/// # Errors
/// What the server answers, except "no template", which is `None`.
pub async fn enrolment(
    client: &ServerClient,
    student: Uuid,
) -> Result<Option<FaceTemplateInfo>, AppError> {
    match client.face_template(student).await.map_err(AppError::from) {
        Ok(info) => Ok(Some(info)),
        Err(error) if error.is_not_found() => Ok(None),
        Err(error) => Err(error),
    }
}

/// Deletes `student`'s template.
///
/// # Errors
/// What the server answers (`not_found` when there is none).
pub async fn revoke(client: &ServerClient, student: Uuid) -> Result<(), AppError> {
    Ok(client.delete_face_template(student).await?)
}
