//! MobileFace V2: an aligned 112×112 face to a 256-value embedding, L2-normalised by
//! `rollcall-core` so every later comparison is a plain dot product.

use rollcall_core::face::{l2_normalize, FaceError};

use super::align::{AlignedFace, ALIGNED_SIZE};
use super::runtime::{OnnxModel, RuntimeError};

/// Values per embedding.
pub const EMBEDDING_DIM: usize = 256;

/// The embedder's output tensor.
const OUTPUT: &str = "fc5_bn";

/// Why a face could not be embedded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmbedError {
    /// The model failed.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// The model's output has no direction (a broken model or input).
    #[error("the embedding is unusable: {0}")]
    Unusable(#[from] FaceError),
}

/// The MobileFace V2 session and its input buffer.
#[derive(Debug)]
pub struct Embedder {
    model: OnnxModel,
    input: Vec<f32>,
}

impl Embedder {
    /// Wraps a MobileFace V2 session.
    #[must_use]
    pub const fn new(model: OnnxModel) -> Self {
        Self {
            model,
            input: Vec::new(),
        }
    }

    /// Unit-length embeddings of the faces, in order (one batched run).
    ///
    /// # Errors
    /// [`EmbedError`] when the model fails or returns an unusable vector.
    pub fn embed(&mut self, faces: &[&AlignedFace]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if faces.is_empty() {
            return Ok(Vec::new());
        }
        let plane = ALIGNED_SIZE * ALIGNED_SIZE;
        self.input.clear();
        self.input.resize(faces.len() * 3 * plane, 0.0);
        for (face, chunk) in faces.iter().zip(self.input.chunks_exact_mut(3 * plane)) {
            // Planar RGB, raw 0–255: the model normalises inside its graph.
            for (i, p) in face.pixels().chunks_exact(3).enumerate() {
                chunk[i] = f32::from(p[0]);
                chunk[plane + i] = f32::from(p[1]);
                chunk[2 * plane + i] = f32::from(p[2]);
            }
        }
        let shape = [faces.len(), 3, ALIGNED_SIZE, ALIGNED_SIZE];
        let out = self
            .model
            .run(&shape, &self.input, &[OUTPUT])?
            .pop()
            .unwrap_or_default();
        if out.values.len() != faces.len() * EMBEDDING_DIM {
            return Err(RuntimeError::Inference {
                model: self.model.name().to_owned(),
                message: format!(
                    "expected {} values, got shape {:?}",
                    faces.len() * EMBEDDING_DIM,
                    out.shape
                ),
            }
            .into());
        }
        out.values
            .chunks_exact(EMBEDDING_DIM)
            .map(|v| {
                let mut v = v.to_vec();
                l2_normalize(&mut v)?;
                Ok(v)
            })
            .collect()
    }
}
