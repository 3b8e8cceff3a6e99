//! ONNX Runtime through `ort`, loaded at run time from `ORT_DYLIB_PATH`.
//!
//! The build never downloads a runtime: the library (`libonnxruntime.so.1.31.1`, from the
//! PyPI wheel that `cargo xtask` unpacks) is named by `ORT_DYLIB_PATH` and opened on first
//! use. One process-wide environment; each model gets one session, created once and reused
//! for every frame, with a single intra-op thread (two threads were slower on the 2-core
//! machines this was measured on, and the kiosk runs detection and UI side by side).

use std::path::PathBuf;
use std::sync::OnceLock;

use ort::environment::Environment;
use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use ort::value::TensorRef;

use super::models::VerifiedModel;

/// The environment variable naming the ONNX Runtime library.
pub const ORT_DYLIB_ENV: &str = "ORT_DYLIB_PATH";

/// Why a model cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuntimeError {
    /// `ORT_DYLIB_PATH` is unset.
    #[error(
        "ONNX Runtime is not configured: set {ORT_DYLIB_ENV} to libonnxruntime.so.1.31.1 \
         (`cargo xtask run` and `cargo xtask test` do)"
    )]
    NotConfigured,
    /// The library named by `ORT_DYLIB_PATH` cannot be loaded.
    #[error("cannot load ONNX Runtime from {path}: {message}")]
    Load {
        /// The library path.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// ONNX Runtime refused the model.
    #[error("ONNX Runtime cannot prepare {model}: {message}")]
    Session {
        /// The model file.
        model: String,
        /// What went wrong.
        message: String,
    },
    /// A run failed or gave outputs of an unexpected shape.
    #[error("{model} failed: {message}")]
    Inference {
        /// The model file.
        model: String,
        /// What went wrong.
        message: String,
    },
}

impl RuntimeError {
    /// A stable, machine-readable code for the UI.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::NotConfigured => "face_runtime_not_configured",
            Self::Load { .. } => "face_runtime_unloadable",
            Self::Session { .. } => "face_model_rejected",
            Self::Inference { .. } => "face_inference_failed",
        }
    }
}

static ENVIRONMENT: OnceLock<Result<Environment, RuntimeError>> = OnceLock::new();

/// The process's ONNX Runtime environment, loading the library on first use.
///
/// # Errors
/// [`RuntimeError::NotConfigured`] or [`RuntimeError::Load`]; the outcome of the first call
/// is kept (the library cannot be unloaded and loaded again).
pub fn environment() -> Result<&'static Environment, RuntimeError> {
    ENVIRONMENT
        .get_or_init(|| {
            let path = std::env::var_os(ORT_DYLIB_ENV)
                .filter(|p| !p.is_empty())
                .map(PathBuf::from)
                .ok_or(RuntimeError::NotConfigured)?;
            if !path.is_file() {
                return Err(RuntimeError::Load {
                    message: "no such file".to_owned(),
                    path,
                });
            }
            let load_error = |message: String| RuntimeError::Load {
                path: path.clone(),
                message,
            };
            ort::init_from(&path)
                .map_err(|e| load_error(e.to_string()))?
                .with_name("rollcall-face")
                .build()
                .map_err(|e| load_error(e.to_string()))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// One model's session, created once.
pub struct OnnxModel {
    name: String,
    session: Session,
}

impl std::fmt::Debug for OnnxModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnnxModel")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// An output tensor copied out of a run: its shape and values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Output {
    /// The dimensions.
    pub shape: Vec<i64>,
    /// The values, row-major.
    pub values: Vec<f32>,
}

impl OnnxModel {
    /// A session for a checked model, from its bytes (never re-read from disk).
    ///
    /// # Errors
    /// [`RuntimeError`] when the runtime is missing or rejects the model.
    pub fn new(model: &VerifiedModel) -> Result<Self, RuntimeError> {
        let env = environment()?;
        let name = model.entry.file.clone();
        let rejected = |message: String| RuntimeError::Session {
            model: name.clone(),
            message,
        };
        let session = Session::builder(env)
            .map_err(|e| rejected(e.to_string()))?
            .with_optimization_level(GraphOptimizationLevel::All)
            .map_err(|e| rejected(e.to_string()))?
            .with_intra_threads(1)
            .map_err(|e| rejected(e.to_string()))?
            .with_inter_threads(1)
            .map_err(|e| rejected(e.to_string()))?
            .commit_from_memory(&model.bytes)
            .map_err(|e| rejected(e.to_string()))?;
        Ok(Self { name, session })
    }

    /// The model file's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The fixed dimensions of the first input, where the model declares them.
    #[must_use]
    pub fn input_shape(&self) -> Option<Vec<i64>> {
        self.session
            .inputs()
            .first()
            .and_then(|i| i.dtype().tensor_shape())
            .map(|s| s.iter().copied().collect())
    }

    /// Runs the model on one f32 tensor and copies out the named outputs, in order.
    ///
    /// # Errors
    /// [`RuntimeError::Inference`] when the run fails or an output is missing.
    pub fn run(
        &mut self,
        shape: &[usize],
        input: &[f32],
        outputs: &[&str],
    ) -> Result<Vec<Output>, RuntimeError> {
        let name = self.name.clone();
        let failed = |message: String| RuntimeError::Inference {
            model: name.clone(),
            message,
        };
        let tensor =
            TensorRef::from_array_view((shape, input)).map_err(|e| failed(e.to_string()))?;
        let result = self
            .session
            .run(ort::inputs![tensor])
            .map_err(|e| failed(e.to_string()))?;
        outputs
            .iter()
            .map(|out| {
                let value = result
                    .get(*out)
                    .ok_or_else(|| failed(format!("no output named {out}")))?;
                let (shape, values) = value
                    .try_extract_tensor::<f32>()
                    .map_err(|e| failed(e.to_string()))?;
                Ok(Output {
                    shape: shape.iter().copied().collect(),
                    values: values.to_vec(),
                })
            })
            .collect()
    }
}
