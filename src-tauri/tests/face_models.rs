//! The models folder: missing or altered models give typed errors, never a crash, and the
//! face factor is simply unavailable.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

mod face_common;

use face_common::{models_dir, require_runtime};
use rollcall_app::face::models::sha256_hex;
use rollcall_app::face::{FaceOptions, FacePipeline, FaceUnavailable, ModelError, ModelsDir};

/// A private copy of the shared models folder (in the system temp folder, never the repo).
fn copy_of_models(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rollcall-face-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["yunet_s_640_640.onnx", "mobileface_v2.onnx"] {
        std::fs::copy(models_dir().join(file), dir.join(file)).unwrap();
    }
    dir
}

#[test]
fn the_manifest_matches_the_shared_sha256sums() {
    require_runtime();
    let sums = std::fs::read_to_string(models_dir().join("SHA256SUMS")).expect("SHA256SUMS");
    let dir = ModelsDir::new(models_dir()).unwrap();
    for line in sums.lines().filter(|l| !l.trim().is_empty()) {
        let (hash, file) = line.split_once(char::is_whitespace).unwrap();
        let entry = dir
            .manifest()
            .entry(file.trim())
            .expect("listed in models.json");
        assert_eq!(entry.sha256, hash, "{file}");
        let model = dir.load(file.trim()).unwrap();
        assert_eq!(sha256_hex(&model.bytes), hash);
    }
}

#[test]
fn an_altered_model_is_refused_with_a_clear_error() {
    require_runtime();
    let dir = copy_of_models("altered");
    let path = dir.join("mobileface_v2.onnx");
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    let err =
        FacePipeline::load(&ModelsDir::new(&dir).unwrap(), &FaceOptions::default()).unwrap_err();
    match &err {
        FaceUnavailable::Models(ModelError::Altered {
            file,
            expected,
            actual,
        }) => {
            assert_eq!(file, "mobileface_v2.onnx");
            assert_ne!(expected, actual);
        }
        other => panic!("expected an altered-model error, got {other:?}"),
    }
    assert_eq!(err.code(), "face_model_altered");
    let message = err.to_string();
    assert!(
        message.contains("mobileface_v2.onnx") && message.contains("altered"),
        "{message}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_model_or_folder_gives_the_typed_error() {
    require_runtime();
    let missing = std::env::temp_dir().join("rollcall-face-no-such-folder");
    assert_eq!(
        ModelsDir::new(&missing).unwrap_err(),
        ModelError::FolderMissing { path: missing }
    );

    let dir = copy_of_models("missing");
    std::fs::remove_file(dir.join("yunet_s_640_640.onnx")).unwrap();
    let err =
        FacePipeline::load(&ModelsDir::new(&dir).unwrap(), &FaceOptions::default()).unwrap_err();
    assert_eq!(err.code(), "face_model_missing", "{err}");
    assert!(err.to_string().contains("yunet_s_640_640.onnx"));
    std::fs::remove_dir_all(&dir).unwrap();

    // A file the manifest does not list is not trusted, whatever it contains.
    let options = FaceOptions {
        detector_file: "my_detector.onnx".to_owned(),
        ..FaceOptions::default()
    };
    let err = FacePipeline::load(&ModelsDir::new(models_dir()).unwrap(), &options).unwrap_err();
    assert_eq!(err.code(), "face_model_unknown");
}

#[test]
fn the_real_models_load_and_the_detector_size_comes_from_the_model() {
    require_runtime();
    let dir = ModelsDir::new(models_dir()).unwrap();
    for detector in [
        "yunet_s_640_640.onnx",
        "yunet_s_320_320.onnx",
        "yunet_n_320_320.onnx",
    ] {
        let options = FaceOptions {
            detector_file: detector.to_owned(),
            ..FaceOptions::default()
        };
        let mut p = FacePipeline::load(&dir, &options).unwrap();
        let frame = face_common::photo("face_recognition/test/obama1.jpg");
        assert!(p.main_face(&frame).unwrap().is_some(), "{detector}");
    }
}
