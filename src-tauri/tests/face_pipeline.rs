//! The face pipeline on the real models and the shared photos: detection, alignment,
//! embedding, 1:1 verdicts, quality gates, and camera-like frames built from photos.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

mod face_common;

use face_common::{embedding, photo, pipeline};
use rollcall_app::face::quality::QualityIssue;
use rollcall_app::face::{self, FacePipeline, RgbFrame};
use rollcall_core::face::{cosine, FaceCheck};
use rollcall_core::policy::Status;

fn verdict(a: &[f32], b: &[f32]) -> FaceCheck {
    face::settings().judge_score(cosine(a, b))
}

#[test]
fn same_person_is_accepted() {
    let mut p = pipeline();
    for (a, b) in [
        ("deepface/img1.jpg", "deepface/img2.jpg"),
        (
            "face_recognition/train/obama/obama.jpg",
            "face_recognition/test/obama1.jpg",
        ),
        (
            "face_recognition/train/biden/biden.jpg",
            "face_recognition/train/biden/biden2.jpg",
        ),
        (
            "face_recognition/train/kit_harington/john1.jpeg",
            "face_recognition/test/johnsnow_test1.jpg",
        ),
    ] {
        let check = verdict(&embedding(&mut p, a), &embedding(&mut p, b));
        assert_eq!(check.status(), Status::Pass, "{a} vs {b}: {check:?}");
    }
}

#[test]
fn different_people_are_refused() {
    let mut p = pipeline();
    for (a, b) in [
        ("deepface/img1.jpg", "deepface/img20.jpg"),
        (
            "face_recognition/train/obama/obama.jpg",
            "face_recognition/train/biden/biden.jpg",
        ),
        (
            "face_recognition/train/rose_leslie/img1.jpg",
            "face_recognition/train/alex_lacamoire/img1.jpg",
        ),
        (
            "face_recognition/train/kit_harington/john1.jpeg",
            "face_recognition/train/obama/obama2.jpg",
        ),
    ] {
        let check = verdict(&embedding(&mut p, a), &embedding(&mut p, b));
        assert_eq!(check.status(), Status::Fail, "{a} vs {b}: {check:?}");
    }
}

#[test]
fn the_group_photo_gives_every_face() {
    let mut p = pipeline();
    let obama = embedding(&mut p, "face_recognition/train/obama/obama.jpg");
    let biden = embedding(&mut p, "face_recognition/train/biden/biden.jpg");
    let faces = p
        .analyse(&photo("face_recognition/test/obama_and_biden.jpg"))
        .unwrap();
    for f in &faces {
        eprintln!("{:?} q={:?}", f.face.detection.bbox, f.face.quality);
    }
    // Biden, Obama and the girl at the right; the woman cut off by the right edge shows too
    // little face to count.
    assert!((3..=4).contains(&faces.len()), "{} faces", faces.len());
    let best = |who: &[f32]| {
        faces
            .iter()
            .map(|f| cosine(who, &f.embedding))
            .fold(f32::MIN, f32::max)
    };
    assert!(
        best(&obama) >= face::THRESHOLD + face::DOUBTFUL_MARGIN,
        "obama {}",
        best(&obama)
    );
    assert!(
        best(&biden) >= face::THRESHOLD + face::DOUBTFUL_MARGIN,
        "biden {}",
        best(&biden)
    );
    // Biden is left of Obama in the picture.
    let centre = |who: &[f32]| {
        let f = faces
            .iter()
            .max_by(|a, b| cosine(who, &a.embedding).total_cmp(&cosine(who, &b.embedding)))
            .unwrap();
        f.face.detection.bbox.x
    };
    assert!(centre(&biden) < centre(&obama));
}

#[test]
fn blank_and_non_face_images_give_no_face() {
    let mut p = pipeline();
    for frame in [
        RgbFrame::filled(640, 480, [0, 0, 0]).unwrap(),
        RgbFrame::filled(640, 480, [255, 255, 255]).unwrap(),
        RgbFrame::filled(1, 1, [128, 128, 128]).unwrap(),
        RgbFrame::filled(3000, 40, [90, 140, 30]).unwrap(),
        // The sky and flag behind the speakers: texture, no face.
        photo("face_recognition/test/obama_and_biden.jpg")
            .cropped(0, 0, 600, 300)
            .unwrap(),
    ] {
        let faces = p.analyse(&frame).unwrap();
        assert!(faces.is_empty(), "{frame:?}: {} faces", faces.len());
        assert!(p.main_face(&frame).unwrap().is_none());
    }
}

/// A 640×480 "webcam" frame showing the photo scaled to `height` pixels, shifted.
fn webcam(photo: &RgbFrame, height: u32, dx: i64, dy: i64) -> RgbFrame {
    let scaled = photo.scaled(height as f32 / photo.height() as f32).unwrap();
    let x = (640 - i64::from(scaled.width())) / 2 + dx;
    let y = (480 - i64::from(scaled.height())) / 2 + dy;
    scaled.placed(640, 480, x, y).unwrap()
}

#[test]
fn camera_like_frames_from_photos_go_through_the_same_path() {
    let mut p = pipeline();
    let enrolled = embedding(&mut p, "face_recognition/train/obama/obama.jpg");
    let other = photo("face_recognition/test/obama1.jpg");
    let base = webcam(&other, 480, 0, 0);
    let frames = [
        ("scaled", webcam(&other, 360, 0, 0)),
        ("shifted", webcam(&other, 420, 90, -30)),
        ("darkened", base.with_gain(0.55)),
        ("blurred", base.blurred(1)),
        ("rotated", base.rotated(10.0).unwrap()),
        ("rotated the other way", base.rotated(-8.0).unwrap()),
        ("rgba from a canvas", {
            let rgba: Vec<u8> = base
                .pixels()
                .chunks_exact(3)
                .flat_map(|c| [c[0], c[1], c[2], 255])
                .collect();
            RgbFrame::from_rgba(640, 480, &rgba).unwrap()
        }),
    ];
    for (what, frame) in frames {
        let face = p
            .main_face(&frame)
            .unwrap()
            .unwrap_or_else(|| panic!("{what}: no face"));
        let check = face::settings().judge_score(cosine(&enrolled, &face.embedding));
        eprintln!("{what}: {check:?} {:?}", face.face.quality);
        assert_eq!(check.status(), Status::Pass, "{what}: {check:?}");
        assert!(
            face.face.quality.is_good(),
            "{what}: {:?}",
            face.face.quality
        );
    }
}

#[test]
fn quality_gates_name_what_to_fix() {
    let mut p = pipeline();
    let base = webcam(&photo("face_recognition/test/obama1.jpg"), 480, 0, 0);
    let issues = |p: &mut FacePipeline, frame: &RgbFrame| {
        let face = p.main_face(frame).unwrap().expect("a face");
        eprintln!("{:?}", face.face.quality);
        face.face.quality.issues
    };
    assert!(issues(&mut p, &base).is_empty());
    assert!(issues(&mut p, &base.with_gain(0.2)).contains(&QualityIssue::TooDark));
    assert!(issues(&mut p, &base.blurred(4)).contains(&QualityIssue::TooBlurry));
    let far = webcam(&photo("face_recognition/test/obama1.jpg"), 100, 0, 0);
    assert!(issues(&mut p, &far).contains(&QualityIssue::TooSmall));
    assert_eq!(QualityIssue::TooSmall.advice(), "move closer");
    assert_eq!(QualityIssue::TooBlurry.advice(), "hold still");
    assert_eq!(QualityIssue::NotFacing.advice(), "face the camera");
}

#[test]
fn every_shared_photo_passes_the_quality_gates() {
    let mut p = pipeline();
    let mut bad = Vec::new();
    for rel in [
        "face_recognition/train/obama/obama.jpg",
        "face_recognition/train/obama/obama2.jpg",
        "face_recognition/train/obama/obama3.jpg",
        "face_recognition/train/biden/biden.jpg",
        "face_recognition/train/biden/biden2.jpg",
        "face_recognition/train/kit_harington/john1.jpeg",
        "face_recognition/train/kit_harington/john2.jpeg",
        "face_recognition/train/rose_leslie/img1.jpg",
        "face_recognition/train/rose_leslie/img2.jpg",
        "face_recognition/train/alex_lacamoire/img1.jpg",
        "deepface/img1.jpg",
        "deepface/img2.jpg",
        "deepface/img20.jpg",
    ] {
        let face = p.main_face(&photo(rel)).unwrap().expect("a face");
        eprintln!("{rel}: {:?}", face.face.quality);
        if !face.face.quality.is_good() {
            bad.push((rel, face.face.quality.issues));
        }
    }
    assert!(bad.is_empty(), "{bad:?}");
}
