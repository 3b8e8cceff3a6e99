//! The models folder and the manifest that vouches for its files.
//!
//! Models are files the app is configured with (`ROLLCALL_MODELS_DIR`), never downloaded
//! at run time. The manifest (`src-tauri/models.json`, compiled in) names each file with its
//! sha256, source and licence; a file is read once, hashed, and only then handed to ONNX
//! Runtime from memory, so what runs is exactly what was checked.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The environment variable naming the models folder.
pub const MODELS_DIR_ENV: &str = "ROLLCALL_MODELS_DIR";

/// The manifest committed with the app.
const MANIFEST_JSON: &str = include_str!("../../models.json");

/// What a model does in the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelRole {
    /// Finds faces and their five landmarks (YuNet).
    Detector,
    /// Turns an aligned 112×112 face into an embedding (MobileFace V2).
    Embedder,
}

/// One model file the app accepts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ModelEntry {
    /// What it does.
    pub role: ModelRole,
    /// The file name inside the models folder.
    pub file: String,
    /// The file's sha256, lowercase hex.
    pub sha256: String,
    /// Where the weights come from.
    pub source: String,
    /// Their licence.
    pub licence: String,
}

/// The list of accepted model files.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Manifest {
    /// Why the list exists (kept for people reading the JSON).
    #[serde(default)]
    pub note: String,
    /// The files.
    pub models: Vec<ModelEntry>,
}

impl Manifest {
    /// The manifest compiled into the app.
    ///
    /// # Panics
    /// Never for the committed file (a unit test parses it).
    #[must_use]
    pub fn bundled() -> Self {
        #[allow(
            clippy::expect_used,
            reason = "the committed manifest, parsed by a unit test too"
        )]
        let manifest = serde_json::from_str(MANIFEST_JSON).expect("src-tauri/models.json is valid");
        manifest
    }

    /// The entry for `file`.
    #[must_use]
    pub fn entry(&self, file: &str) -> Option<&ModelEntry> {
        self.models.iter().find(|m| m.file == file)
    }
}

/// Why the face models cannot be used. Every variant means the same to the app: the face
/// factor is unavailable and the non-biometric path is offered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// No models folder is configured.
    #[error("no face models folder is configured (set {MODELS_DIR_ENV})")]
    NotConfigured,
    /// The configured folder does not exist.
    #[error("the face models folder {path} does not exist")]
    FolderMissing {
        /// The folder.
        path: PathBuf,
    },
    /// A model the pipeline needs is not in the folder.
    #[error("the face model {file} is missing from {folder}")]
    Missing {
        /// The file name.
        file: String,
        /// The models folder.
        folder: PathBuf,
    },
    /// The file's content is not the one in the manifest.
    #[error(
        "the face model {file} has been altered or replaced (sha256 {actual}, expected {expected}); \
         restore the original file"
    )]
    Altered {
        /// The file name.
        file: String,
        /// The manifest's hash.
        expected: String,
        /// The file's hash.
        actual: String,
    },
    /// The manifest does not list the file, so it is not trusted.
    #[error("{file} is not a face model this app knows (not in models.json)")]
    NotInManifest {
        /// The file name.
        file: String,
    },
    /// The file exists but cannot be read.
    #[error("cannot read the face model {path}: {message}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The OS error.
        message: String,
    },
}

impl ModelError {
    /// A stable, machine-readable code for the UI.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::NotConfigured => "face_models_not_configured",
            Self::FolderMissing { .. } => "face_models_folder_missing",
            Self::Missing { .. } => "face_model_missing",
            Self::Altered { .. } => "face_model_altered",
            Self::NotInManifest { .. } => "face_model_unknown",
            Self::Unreadable { .. } => "face_model_unreadable",
        }
    }
}

/// A model file whose bytes matched the manifest.
#[derive(Clone)]
pub struct VerifiedModel {
    /// Its manifest entry.
    pub entry: ModelEntry,
    /// The checked bytes.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for VerifiedModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedModel")
            .field("entry", &self.entry)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// A configured models folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelsDir {
    path: PathBuf,
    manifest: Manifest,
}

impl ModelsDir {
    /// The folder at `path`, checked against the bundled manifest.
    ///
    /// # Errors
    /// [`ModelError::FolderMissing`] when it is not a folder.
    pub fn new(path: impl Into<PathBuf>) -> Result<Self, ModelError> {
        Self::with_manifest(path, Manifest::bundled())
    }

    /// The folder at `path` with an explicit manifest (tests).
    ///
    /// # Errors
    /// [`ModelError::FolderMissing`] when it is not a folder.
    pub fn with_manifest(path: impl Into<PathBuf>, manifest: Manifest) -> Result<Self, ModelError> {
        let path = path.into();
        if !path.is_dir() {
            return Err(ModelError::FolderMissing { path });
        }
        Ok(Self { path, manifest })
    }

    /// The folder named by `ROLLCALL_MODELS_DIR`.
    ///
    /// # Errors
    /// [`ModelError::NotConfigured`] when unset or empty, [`ModelError::FolderMissing`] when
    /// it names no folder.
    pub fn from_env() -> Result<Self, ModelError> {
        match std::env::var_os(MODELS_DIR_ENV) {
            Some(p) if !p.is_empty() => Self::new(PathBuf::from(p)),
            _ => Err(ModelError::NotConfigured),
        }
    }

    /// The folder.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The manifest the files are checked against.
    #[must_use]
    pub const fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Reads `file` and checks it against the manifest.
    ///
    /// # Errors
    /// [`ModelError`] when it is unknown, missing, unreadable or altered.
    pub fn load(&self, file: &str) -> Result<VerifiedModel, ModelError> {
        let entry = self
            .manifest
            .entry(file)
            .ok_or_else(|| ModelError::NotInManifest {
                file: file.to_owned(),
            })?
            .clone();
        let path = self.path.join(&entry.file);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ModelError::Missing {
                    file: entry.file,
                    folder: self.path.clone(),
                })
            }
            Err(e) => {
                return Err(ModelError::Unreadable {
                    path,
                    message: e.to_string(),
                })
            }
        };
        let actual = sha256_hex(&bytes);
        if !actual.eq_ignore_ascii_case(&entry.sha256) {
            return Err(ModelError::Altered {
                file: entry.file,
                expected: entry.sha256,
                actual,
            });
        }
        Ok(VerifiedModel { entry, bytes })
    }
}

/// Lowercase hex sha256.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_manifest_parses_and_names_every_role() {
        let m = Manifest::bundled();
        assert!(m.models.iter().any(|e| e.role == ModelRole::Detector));
        assert!(m.models.iter().any(|e| e.role == ModelRole::Embedder));
        for e in &m.models {
            assert_eq!(e.sha256.len(), 64, "{}", e.file);
            assert!(!e.licence.is_empty() && !e.source.is_empty());
        }
    }

    #[test]
    fn hashes_and_typed_errors() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let dir = std::env::temp_dir().join(format!("rollcall-models-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let manifest = Manifest {
            note: String::new(),
            models: vec![ModelEntry {
                role: ModelRole::Embedder,
                file: "m.onnx".into(),
                sha256: sha256_hex(b"model"),
                source: "test".into(),
                licence: "MIT".into(),
            }],
        };
        let folder = ModelsDir::with_manifest(&dir, manifest).unwrap();
        assert_eq!(
            folder.load("m.onnx").unwrap_err().code(),
            "face_model_missing"
        );
        std::fs::write(dir.join("m.onnx"), b"model").unwrap();
        assert_eq!(folder.load("m.onnx").unwrap().bytes, b"model");
        std::fs::write(dir.join("m.onnx"), b"mode1").unwrap();
        assert_eq!(
            folder.load("m.onnx").unwrap_err().code(),
            "face_model_altered"
        );
        assert_eq!(
            folder.load("other.onnx").unwrap_err().code(),
            "face_model_unknown"
        );
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            ModelsDir::new(dir.join("nope")).unwrap_err().code(),
            "face_models_folder_missing"
        );
    }
}
