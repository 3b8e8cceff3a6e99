//! The 1:1 face check on the student's phone: selfies against the student's own
//! template, which the phone fetches from the server and keeps (readable only by the
//! user) so the check also works offline. The score, the model and the liveness
//! screening's result go into the claim; the server's policy judges them.

use std::path::Path;

use rollcall_core::api::FaceTemplateRecord;
use rollcall_core::face::{FaceEvidence, FaceScore, FaceTemplate};

use crate::face::liveness::{LivenessScreen, LivenessSettings};
use crate::face::{model_id, FaceService, MODEL_ID};
use crate::{AppError, ServerClient};

const CACHE_FILE: &str = "face-template.json";

fn not_enrolled(message: &str) -> AppError {
    AppError::Face {
        code: "not_enrolled",
        message: message.to_owned(),
    }
}

/// The student's own template: fresh from the server, or this device's copy when the
/// server cannot be reached.
///
/// # Errors
/// `not_enrolled` when the student has no template (or one for another model);
/// the server's error when it is unreachable and nothing is cached.
pub async fn own_template(client: &ServerClient, folder: &Path) -> Result<FaceTemplate, AppError> {
    let cache = folder.join(CACHE_FILE);
    let record: FaceTemplateRecord = match client.my_face_template().await.map_err(AppError::from) {
        Ok(record) => {
            if let Ok(text) = serde_json::to_vec(&record) {
                // Best effort: without a cache the check still works online.
                let _ = crate::device::key_file::write_private_replacing(&cache, &text);
            }
            record
        }
        Err(error) if error.is_not_found() => {
            let _ = std::fs::remove_file(&cache);
            return Err(not_enrolled(
                "You have no face enrolled yet. Ask the office to enrol you, or check in without a selfie.",
            ));
        }
        Err(error) if error.is_server_away() => {
            let text = std::fs::read(&cache).map_err(|_| error)?;
            serde_json::from_slice(&text).map_err(|_| {
                not_enrolled("This device's copy of your face template is damaged; connect once to fetch it again.")
            })?
        }
        Err(error) => return Err(error),
    };
    if record.model_id != MODEL_ID {
        return Err(not_enrolled(
            "Your face was enrolled with another model. Ask the office to enrol you again.",
        ));
    }
    FaceTemplate::from_vector(model_id(), record.embedding).map_err(|_| {
        not_enrolled("Your face template is unusable. Ask the office to enrol you again.")
    })
}

/// Checks `selfies` (base64 pictures, consecutive frames where there are several)
/// against `template`: the mean score over the good frames, and the liveness screen's
/// verdict over their landmarks (not taken with fewer frames than it needs).
///
/// # Errors
/// The first shot's problem when no selfie is good (`no_face`, `face_too_dark`…);
/// `bad_picture`; `face_unavailable`.
pub async fn face_evidence(
    faces: &FaceService,
    template: &FaceTemplate,
    selfies: &[String],
) -> Result<FaceEvidence, AppError> {
    let judged = faces.judge_shots(selfies).await?;
    let mut screen = LivenessScreen::new(LivenessSettings::default());
    let mut scores = Vec::new();
    for shot in &judged {
        if let Some(face) = &shot.face {
            screen.push(face.landmarks);
            scores.push(
                template
                    .score(&face.embedding)
                    .map_err(|e| AppError::Face {
                        code: "face_failed",
                        message: format!("The face check failed ({e})."),
                    })?,
            );
        }
    }
    if scores.is_empty() {
        let first = judged.first().map(|s| &s.report);
        return Err(AppError::Face {
            code: match first.and_then(|r| r.issue.as_deref()) {
                Some("several_faces") => "several_faces",
                Some("no_face") | None => "no_face",
                Some(_) => "poor_selfie",
            },
            message: format!(
                "The selfie cannot be checked: {}.",
                first.map_or("no picture", |r| r.advice.as_str())
            ),
        });
    }
    #[allow(clippy::cast_precision_loss, reason = "a handful of frames")]
    let score = scores.iter().sum::<f32>() / scores.len() as f32;
    Ok(FaceEvidence {
        score: FaceScore::from_cosine(score),
        model: model_id(),
        liveness: screen.report().verdict.evidence(),
    })
}
