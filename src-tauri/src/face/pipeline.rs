//! [`FacePipeline`]: frame → faces (box, landmarks, score, quality) → embeddings.

use std::time::{Duration, Instant};

use super::align::{align, AlignedFace};
use super::detect::{Detection, Detector, DetectorSettings};
use super::embed::{EmbedError, Embedder};
use super::frame::RgbFrame;
use super::models::{ModelError, ModelRole, ModelsDir};
use super::quality::{Quality, QualityGates};
use super::runtime::{OnnxModel, RuntimeError};

/// Why the face factor is unavailable on this device.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaceUnavailable {
    /// The models are not configured, missing or altered.
    #[error(transparent)]
    Models(#[from] ModelError),
    /// ONNX Runtime is missing or refused a model.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
}

impl FaceUnavailable {
    /// A stable, machine-readable code for the UI.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Models(e) => e.code(),
            Self::Runtime(e) => e.code(),
        }
    }
}

/// Why a frame could not be processed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PipelineError {
    /// Detection failed.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// Embedding failed.
    #[error(transparent)]
    Embed(#[from] EmbedError),
}

/// Which files and settings the pipeline uses.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceOptions {
    /// The detector file (`yunet_s_640_640.onnx` for photos and enrolment;
    /// `yunet_s_320_320.onnx` is about 4× cheaper for a kiosk's webcam).
    pub detector_file: String,
    /// The embedder file.
    pub embedder_file: String,
    /// Detection thresholds.
    pub detector: DetectorSettings,
    /// Quality gates.
    pub quality: QualityGates,
}

impl Default for FaceOptions {
    fn default() -> Self {
        Self {
            detector_file: "yunet_s_640_640.onnx".to_owned(),
            embedder_file: "mobileface_v2.onnx".to_owned(),
            detector: DetectorSettings::default(),
            quality: QualityGates::default(),
        }
    }
}

/// A face found in a frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Face {
    /// Box, landmarks and detector score.
    pub detection: Detection,
    /// The quality gates' measurements and verdict.
    pub quality: Quality,
    /// The crop the embedder sees.
    pub aligned: AlignedFace,
}

/// A face with its unit-length embedding.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddedFace {
    /// The face.
    pub face: Face,
    /// The L2-normalised embedding.
    pub embedding: Vec<f32>,
}

/// Time spent per stage on the last frame.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StageTimes {
    /// Letterbox + YuNet + decode + NMS.
    pub detect: Duration,
    /// Similarity estimate, warp and quality measures.
    pub align: Duration,
    /// MobileFace V2 and normalisation.
    pub embed: Duration,
}

/// Detection, alignment and embedding with sessions created once.
#[derive(Debug)]
pub struct FacePipeline {
    detector: Detector,
    embedder: Embedder,
    gates: QualityGates,
    times: StageTimes,
}

impl FacePipeline {
    /// Loads and checks the models from `dir` and creates their sessions.
    ///
    /// # Errors
    /// [`FaceUnavailable`] when a model is missing or altered or the runtime is missing.
    pub fn load(dir: &ModelsDir, options: &FaceOptions) -> Result<Self, FaceUnavailable> {
        let detector = dir.load(&options.detector_file)?;
        let embedder = dir.load(&options.embedder_file)?;
        for (model, role) in [
            (&detector, ModelRole::Detector),
            (&embedder, ModelRole::Embedder),
        ] {
            if model.entry.role != role {
                return Err(ModelError::NotInManifest {
                    file: format!("{} (as {role:?})", model.entry.file),
                }
                .into());
            }
        }
        Ok(Self {
            detector: Detector::new(OnnxModel::new(&detector)?, options.detector)?,
            embedder: Embedder::new(OnnxModel::new(&embedder)?),
            gates: options.quality,
            times: StageTimes::default(),
        })
    }

    /// Loads from `ROLLCALL_MODELS_DIR` with the default options.
    ///
    /// # Errors
    /// [`FaceUnavailable`]: the app then offers the non-biometric path.
    pub fn from_env() -> Result<Self, FaceUnavailable> {
        Self::load(&ModelsDir::from_env()?, &FaceOptions::default())
    }

    /// The quality gates in use.
    #[must_use]
    pub const fn gates(&self) -> &QualityGates {
        &self.gates
    }

    /// How long each stage took on the last frame.
    #[must_use]
    pub const fn last_times(&self) -> StageTimes {
        self.times
    }

    /// Every face in the frame, best detector score first, aligned and assessed.
    ///
    /// # Errors
    /// [`PipelineError`] when the detector fails.
    pub fn faces(&mut self, frame: &RgbFrame) -> Result<Vec<Face>, PipelineError> {
        let started = Instant::now();
        let detections = self.detector.detect(frame)?;
        let detected = Instant::now();
        let faces = detections
            .into_iter()
            .filter_map(|detection| {
                let aligned = align(frame, &detection.landmarks)?;
                let quality = self.gates.assess(&detection, &aligned);
                Some(Face {
                    detection,
                    quality,
                    aligned,
                })
            })
            .collect();
        self.times = StageTimes {
            detect: detected - started,
            align: detected.elapsed(),
            embed: Duration::ZERO,
        };
        Ok(faces)
    }

    /// Embeds faces (all of them, whatever their quality: callers decide).
    ///
    /// # Errors
    /// [`PipelineError`] when the embedder fails.
    pub fn embed(&mut self, faces: Vec<Face>) -> Result<Vec<EmbeddedFace>, PipelineError> {
        let started = Instant::now();
        let crops: Vec<&AlignedFace> = faces.iter().map(|f| &f.aligned).collect();
        let embeddings = self.embedder.embed(&crops)?;
        self.times.embed = started.elapsed();
        Ok(faces
            .into_iter()
            .zip(embeddings)
            .map(|(face, embedding)| EmbeddedFace { face, embedding })
            .collect())
    }

    /// Every face in the frame with its embedding.
    ///
    /// # Errors
    /// [`PipelineError`] when a model fails.
    pub fn analyse(&mut self, frame: &RgbFrame) -> Result<Vec<EmbeddedFace>, PipelineError> {
        let faces = self.faces(frame)?;
        self.embed(faces)
    }

    /// The largest face in the frame with its embedding (a selfie, an enrolment shot, a
    /// photo with one subject), or `None` when there is no face.
    ///
    /// # Errors
    /// [`PipelineError`] when a model fails.
    pub fn main_face(&mut self, frame: &RgbFrame) -> Result<Option<EmbeddedFace>, PipelineError> {
        let faces = self.faces(frame)?;
        let Some(largest) = faces
            .into_iter()
            .max_by(|a, b| a.detection.bbox.area().total_cmp(&b.detection.bbox.area()))
        else {
            return Ok(None);
        };
        Ok(self.embed(vec![largest])?.pop())
    }
}
