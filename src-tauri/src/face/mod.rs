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
pub mod enrolment;
pub mod eval;
pub mod frame;
pub mod kiosk;
pub mod liveness;
pub mod models;
mod pipeline;
pub mod quality;
pub mod runtime;
pub mod service;
pub mod shots;

pub use frame::{FrameError, RgbFrame};
pub use models::{ModelError, ModelsDir};
pub use pipeline::{EmbeddedFace, Face, FaceOptions, FacePipeline, FaceUnavailable, PipelineError};
pub use runtime::RuntimeError;
pub use service::FaceService;

// The calibrated rule lives in rollcall-core, so the phone, the kiosk and the
// server judge scores the same way.
pub use rollcall_core::face::calibrated::{
    model_id, settings, DOUBTFUL_MARGIN, MODEL_ID, THRESHOLD,
};
