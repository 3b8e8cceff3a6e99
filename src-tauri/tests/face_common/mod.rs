//! Shared set-up for the face tests: the real models and photos from the `shared/` folder
//! beside the checkout, and ONNX Runtime from `ORT_DYLIB_PATH`.
#![allow(dead_code, reason = "each test file uses its own part")]

use std::path::PathBuf;

use rollcall_app::face::{FaceOptions, FacePipeline, ModelsDir, RgbFrame};

/// `shared/` beside the workspace (CI keeps it beside its clone too).
pub fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// The shared face models.
pub fn models_dir() -> PathBuf {
    shared().join("models/face")
}

/// A shared photo, by its path under `shared/faces`.
pub fn photo(rel: &str) -> RgbFrame {
    let path = shared().join("faces").join(rel);
    RgbFrame::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Fails (never skips) when ONNX Runtime is not configured.
pub fn require_runtime() {
    let set = std::env::var_os("ORT_DYLIB_PATH").is_some_and(|p| !p.is_empty());
    assert!(
        set,
        "ORT_DYLIB_PATH is unset: the face tests run the real models on ONNX Runtime. \
         Run them through `cargo xtask test`, which fetches libonnxruntime.so.1.31.1 and sets it \
         (or set ORT_DYLIB_PATH to that library yourself)."
    );
    assert!(
        models_dir().is_dir(),
        "the shared face models are missing at {}: the `shared/` folder must sit beside the checkout",
        models_dir().display()
    );
}

/// The pipeline with the default options on the shared models.
pub fn pipeline() -> FacePipeline {
    require_runtime();
    let dir = ModelsDir::new(models_dir()).expect("shared models folder");
    FacePipeline::load(&dir, &FaceOptions::default()).expect("the face pipeline loads")
}

/// The main face's embedding of a shared photo.
pub fn embedding(pipeline: &mut FacePipeline, rel: &str) -> Vec<f32> {
    pipeline
        .main_face(&photo(rel))
        .expect("the pipeline runs")
        .unwrap_or_else(|| panic!("{rel}: no face found"))
        .embedding
}
