//! On-device face recognition: camera frame → faces → embeddings, and what is built on it
//! (kiosk 1:N, liveness screening).
//!
//! The score math (normalisation, cosine, templates, thresholds, 1:N search) is
//! `rollcall_core::face`; this module only turns pixels into vectors with ONNX Runtime
//! (YuNet detection, 5-point alignment, MobileFace V2) and decides which frames are good
//! enough. Without models or without the runtime library the rest of the app works and the
//! face factor is simply unavailable ([`FaceUnavailable`]).

pub mod align;
pub mod detect;
pub mod embed;
pub mod eval;
pub mod frame;
pub mod kiosk;
pub mod liveness;
pub mod models;
mod pipeline;
pub mod quality;
pub mod runtime;

pub use frame::{FrameError, RgbFrame};
pub use models::{ModelError, ModelsDir};
pub use pipeline::{EmbeddedFace, Face, FaceOptions, FacePipeline, FaceUnavailable, PipelineError};
pub use runtime::RuntimeError;

use rollcall_core::face::{FaceSettings, ModelId};

/// The id of the embeddings this pipeline produces: MobileFace V2 on YuNet landmarks with
/// the ArcFace 5-point alignment. Scores are only comparable within one id.
pub const MODEL_ID: &str = "mobileface-v2-arcface5";

/// Cosine at or above which two faces are the same person, from `rollcall-face eval` on
/// the shared photo sets (`docs/face-eval.md`).
pub const THRESHOLD: f32 = 0.40;

/// Scores in `THRESHOLD .. THRESHOLD + DOUBTFUL_MARGIN` are doubtful (see
/// `docs/face-eval.md` for the reasoning).
pub const DOUBTFUL_MARGIN: f32 = 0.08;

/// The model id as a `rollcall-core` value.
///
/// # Panics
/// Never: the constant is a valid id (a unit test checks it).
#[must_use]
pub fn model_id() -> ModelId {
    ModelId::new(MODEL_ID).expect("MODEL_ID is a valid model id")
}

/// The calibrated decision rule for this pipeline's scores.
#[must_use]
pub fn settings() -> FaceSettings {
    FaceSettings {
        model: model_id(),
        threshold: THRESHOLD,
        doubtful_margin: DOUBTFUL_MARGIN,
        require_liveness: false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn settings_are_valid() {
        let s = super::settings();
        assert_eq!(s.model.as_str(), super::MODEL_ID);
        assert!(s.threshold > 0.0 && s.doubtful_margin > 0.0);
    }
}
