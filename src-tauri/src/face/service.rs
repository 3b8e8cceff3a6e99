//! The face pipeline as the app's commands use it: loaded on first use from the
//! configured models folder, kept for the life of the app (sessions are created once),
//! and run off the async runtime because inference is CPU work.
//!
//! Without models or ONNX Runtime every call answers `face_unavailable` and the rest of
//! the app carries on without the face factor.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use rollcall_core::api::{FaceBox, FaceStatus, ShotReport};

use super::detect::Point;
use super::frame::RgbFrame;
use super::models::{ModelsDir, MODELS_DIR_ENV};
use super::pipeline::{FaceOptions, FacePipeline};
use super::shots::{decode_picture, face_box, judge_shot};
use crate::AppError;

/// A good face: what 1:1, 1:N and the liveness screen need.
#[derive(Debug, Clone, PartialEq)]
pub struct GoodFace {
    /// Unit-length embedding.
    pub embedding: Vec<f32>,
    /// Eyes, nose, mouth corners in frame pixels.
    pub landmarks: [Point; 5],
    /// The aligned 112×112 crop (a review thumbnail is made from it).
    pub crop: RgbFrame,
}

/// One shot judged, with its main face when the shot is good.
#[derive(Debug, Clone, PartialEq)]
pub struct JudgedShot {
    /// What the gates said.
    pub report: ShotReport,
    /// The main face, when good.
    pub face: Option<GoodFace>,
}

/// One face of a kiosk frame.
#[derive(Debug, Clone, PartialEq)]
pub struct SeenFace {
    /// Where.
    pub face_box: FaceBox,
    /// The good face, or `None` with the advice.
    pub good: Result<GoodFace, String>,
}

/// The app's face pipeline, shared by its commands.
#[derive(Debug, Clone)]
pub struct FaceService {
    models: Option<PathBuf>,
    pipeline: Arc<Mutex<Option<FacePipeline>>>,
}

fn failed(error: &impl std::fmt::Display) -> AppError {
    AppError::Face {
        code: "face_failed",
        message: format!("The face check failed ({error}). Try another picture."),
    }
}

fn bad_picture(number: usize, error: &impl std::fmt::Display) -> AppError {
    AppError::Face {
        code: "bad_picture",
        message: format!("Picture {number}: {error}. Use a PNG or JPEG photo."),
    }
}

impl FaceService {
    /// Models from `ROLLCALL_MODELS_DIR` (ONNX Runtime from `ORT_DYLIB_PATH`).
    #[must_use]
    pub fn from_env() -> Self {
        Self::new(
            std::env::var_os(MODELS_DIR_ENV)
                .filter(|p| !p.is_empty())
                .map(PathBuf::from),
        )
    }

    /// Models from `models`; `None`: the face factor is unavailable.
    #[must_use]
    pub fn new(models: Option<PathBuf>) -> Self {
        Self {
            models,
            pipeline: Arc::new(Mutex::new(None)),
        }
    }

    /// Runs `work` on the pipeline (loading it first if needed) on a blocking thread.
    ///
    /// # Errors
    /// `face_unavailable` without models or runtime; what `work` fails with.
    pub async fn run<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut FacePipeline) -> Result<T, AppError> + Send + 'static,
    {
        let models = self.models.clone();
        let slot = self.pipeline.clone();
        tauri::async_runtime::spawn_blocking(move || {
            let mut guard = slot.lock().unwrap_or_else(PoisonError::into_inner);
            if guard.is_none() {
                *guard = Some(load(models)?);
            }
            match guard.as_mut() {
                Some(pipeline) => work(pipeline),
                None => Err(failed(&"the pipeline did not load")),
            }
        })
        .await
        .map_err(|e| failed(&e))?
    }

    /// Whether faces can be checked here.
    pub async fn status(&self) -> FaceStatus {
        match self.run(|_| Ok(())).await {
            Ok(()) => FaceStatus {
                available: true,
                model_id: Some(super::MODEL_ID.to_owned()),
                problem: None,
            },
            Err(error) => FaceStatus {
                available: false,
                model_id: None,
                problem: Some(error.to_string()),
            },
        }
    }

    /// Judges each picture as a shot of one person and embeds the good ones.
    ///
    /// # Errors
    /// `bad_picture` (naming it) for a picture that is not an image; `face_unavailable`.
    pub async fn judge_shots(&self, pictures: &[String]) -> Result<Vec<JudgedShot>, AppError> {
        let frames = pictures
            .iter()
            .enumerate()
            .map(|(i, p)| decode_picture(p).map_err(|e| bad_picture(i + 1, &e)))
            .collect::<Result<Vec<RgbFrame>, AppError>>()?;
        self.run(move |pipeline| {
            frames
                .iter()
                .map(|frame| judge_one(pipeline, frame))
                .collect()
        })
        .await
    }

    /// Every face in one frame, largest first, with embeddings for the good ones.
    ///
    /// # Errors
    /// `bad_picture`; `face_unavailable`.
    pub async fn faces_in(&self, picture: &str) -> Result<Vec<SeenFace>, AppError> {
        let frame = decode_picture(picture).map_err(|e| bad_picture(1, &e))?;
        self.run(move |pipeline| {
            let mut faces = pipeline.faces(&frame).map_err(|e| failed(&e))?;
            faces.sort_by(|a, b| b.detection.bbox.area().total_cmp(&a.detection.bbox.area()));
            let boxes: Vec<FaceBox> = faces.iter().map(|f| face_box(f, &frame)).collect();
            let advice: Vec<Option<String>> = faces
                .iter()
                .map(|f| f.quality.issues.first().map(|i| i.advice().to_owned()))
                .collect();
            let good: Vec<_> = faces.into_iter().filter(|f| f.quality.is_good()).collect();
            let mut embedded = pipeline.embed(good).map_err(|e| failed(&e))?.into_iter();
            Ok(boxes
                .into_iter()
                .zip(advice)
                .map(|(face_box, advice)| SeenFace {
                    face_box,
                    good: match advice {
                        Some(advice) => Err(advice),
                        None => embedded
                            .next()
                            .map(|e| GoodFace {
                                landmarks: e.face.detection.landmarks,
                                crop: e.face.aligned.to_frame(),
                                embedding: e.embedding,
                            })
                            .ok_or_else(|| "hold still".to_owned()),
                    },
                })
                .collect())
        })
        .await
    }
}

fn load(models: Option<PathBuf>) -> Result<FacePipeline, AppError> {
    let unavailable = |reason: String| AppError::Face {
        code: "face_unavailable",
        message: format!(
            "Face checks are not available on this device ({reason}). Check in without them."
        ),
    };
    let path = models.ok_or_else(|| unavailable(format!("{MODELS_DIR_ENV} is not set")))?;
    let dir = ModelsDir::new(path).map_err(|e| unavailable(e.to_string()))?;
    FacePipeline::load(&dir, &FaceOptions::default()).map_err(|e| unavailable(e.to_string()))
}

fn judge_one(pipeline: &mut FacePipeline, frame: &RgbFrame) -> Result<JudgedShot, AppError> {
    let faces = pipeline.faces(frame).map_err(|e| failed(&e))?;
    let report = judge_shot(&faces, frame);
    if !report.good {
        return Ok(JudgedShot { report, face: None });
    }
    let main = super::shots::main_face(&faces, frame).map_err(|r| failed(&r.advice))?;
    let chosen = faces.into_iter().nth(main).into_iter().collect();
    let face = pipeline
        .embed(chosen)
        .map_err(|e| failed(&e))?
        .pop()
        .map(|e| GoodFace {
            landmarks: e.face.detection.landmarks,
            crop: e.face.aligned.to_frame(),
            embedding: e.embedding,
        });
    Ok(JudgedShot { report, face })
}
