//! Kiosk 1:N over a roster with the real models, and the liveness screen on photos moved
//! in front of the camera.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

mod face_common;

use std::time::{Duration, Instant};

use face_common::{embedding, photo, pipeline};
use rollcall_app::face::kiosk::{Kiosk, KioskEvent, KioskSettings};
use rollcall_app::face::liveness::{LivenessScreen, LivenessSettings, LivenessVerdict};
use rollcall_app::face::{self, FacePipeline, RgbFrame};
use rollcall_core::face::{FaceTemplate, TemplateMatrix};
use rollcall_core::ids::StudentId;
use uuid::Uuid;

const PEOPLE: [(&str, &[&str]); 5] = [
    ("obama", &["obama.jpg", "obama2.jpg", "obama3.jpg"]),
    ("biden", &["biden.jpg", "biden2.jpg"]),
    ("kit_harington", &["john1.jpeg", "john2.jpeg"]),
    ("rose_leslie", &["img1.jpg", "img2.jpg"]),
    ("alex_lacamoire", &["img1.jpg"]),
];

fn student(i: usize) -> StudentId {
    StudentId::from_uuid(Uuid::from_u128(i as u128 + 1))
}

/// The five people enrolled from their training photos, among `distractors` random
/// templates (other students the roster holds).
fn roster(p: &mut FacePipeline, distractors: usize) -> TemplateMatrix {
    let model = face::model_id();
    let mut m = TemplateMatrix::new(model.clone(), face::embed::EMBEDDING_DIM);
    for (i, (person, files)) in PEOPLE.iter().enumerate() {
        let shots: Vec<Vec<f32>> = files
            .iter()
            .map(|f| embedding(p, &format!("face_recognition/train/{person}/{f}")))
            .collect();
        m.push(
            student(i),
            &FaceTemplate::enrol(model.clone(), &shots).unwrap(),
        )
        .unwrap();
    }
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for j in 0..distractors {
        let v: Vec<f32> = (0..face::embed::EMBEDDING_DIM)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 40) as f32 / (1u64 << 24) as f32 - 0.5
            })
            .collect();
        m.push(
            student(1000 + j),
            &FaceTemplate::from_vector(model.clone(), v).unwrap(),
        )
        .unwrap();
    }
    m
}

fn kiosk(p: &mut FacePipeline) -> Kiosk {
    Kiosk::new(roster(p, 2000), KioskSettings::new(face::settings()))
}

/// Slightly different 640×480 frames of a photo, as a webcam would give of a person.
fn frames_of(photo: &RgbFrame, n: usize) -> Vec<RgbFrame> {
    (0..n)
        .map(|i| {
            let h = 400 + 20 * (i as u32 % 3);
            let scaled = photo.scaled(h as f32 / photo.height() as f32).unwrap();
            let x = (640 - i64::from(scaled.width())) / 2 + 12 * i as i64 - 20;
            let y = (480 - i64::from(scaled.height())) / 2 + 5 * (i as i64 % 2);
            scaled
                .placed(640, 480, x, y)
                .unwrap()
                .with_gain(0.9 + 0.05 * i as f32)
        })
        .collect()
}

fn probes(p: &mut FacePipeline, frame: &RgbFrame) -> Vec<Vec<f32>> {
    p.analyse(frame)
        .unwrap()
        .into_iter()
        .map(|f| f.embedding)
        .collect()
}

#[test]
fn one_to_n_picks_the_right_student_and_refuses_a_stranger() {
    let mut p = pipeline();
    let mut k = kiosk(&mut p);
    for (probe, who) in [
        ("face_recognition/test/obama1.jpg", 0),
        ("face_recognition/test/johnsnow_test1.jpg", 2),
        ("face_recognition/test/alex_lacamoire1.jpg", 4),
    ] {
        let e = embedding(&mut p, probe);
        let best = k
            .identify(&e)
            .unwrap_or_else(|s| panic!("{probe}: unknown ({s:?})"));
        assert_eq!(best.student, student(who), "{probe}");
    }
    for stranger in [
        "deepface/img1.jpg",
        "deepface/img20.jpg",
        "deepface/img38.jpg",
    ] {
        let e = embedding(&mut p, stranger);
        let best = k.identify(&e);
        assert!(best.is_err(), "{stranger} matched {best:?}");
    }
}

#[test]
fn a_student_is_marked_after_agreeing_frames_and_then_cools_down() {
    let mut p = pipeline();
    let mut k = kiosk(&mut p);
    let t0 = Instant::now();
    let frames = frames_of(&photo("face_recognition/test/obama1.jpg"), 5);
    let mut events = Vec::new();
    for (i, frame) in frames.iter().enumerate() {
        let e = probes(&mut p, frame);
        let refs: Vec<&[f32]> = e.iter().map(Vec::as_slice).collect();
        events.push(k.observe(t0 + Duration::from_millis(200 * i as u64), &refs));
    }
    assert!(
        matches!(events[0][..], [KioskEvent::Recognising { frames: 1, .. }]),
        "{events:?}"
    );
    assert!(
        matches!(events[1][..], [KioskEvent::Recognising { frames: 2, .. }]),
        "{events:?}"
    );
    assert!(
        matches!(events[2][..], [KioskEvent::Marked { student: s, .. }] if s == student(0)),
        "{events:?}"
    );
    assert!(
        matches!(events[3][..], [KioskEvent::AlreadyMarked { .. }]),
        "{events:?}"
    );

    // Two people in one frame are tracked separately.
    let pair = frames_of(&photo("face_recognition/test/kit_with_rose.jpg"), 3);
    let mut marked = Vec::new();
    for frame in &pair {
        let e = probes(&mut p, frame);
        let refs: Vec<&[f32]> = e.iter().map(Vec::as_slice).collect();
        for ev in k.observe(t0 + Duration::from_secs(2), &refs) {
            if let KioskEvent::Marked { student, .. } = ev {
                marked.push(student);
            }
        }
    }
    marked.sort();
    let mut expected = vec![student(2), student(3)];
    expected.sort();
    assert_eq!(marked, expected);
}

#[test]
fn a_stranger_is_never_marked() {
    let mut p = pipeline();
    let mut k = kiosk(&mut p);
    let t0 = Instant::now();
    for frame in frames_of(&photo("deepface/img1.jpg"), 6) {
        let e = probes(&mut p, &frame);
        assert!(!e.is_empty());
        let refs: Vec<&[f32]> = e.iter().map(Vec::as_slice).collect();
        for ev in k.observe(t0, &refs) {
            assert!(matches!(ev, KioskEvent::Unknown { .. }), "{ev:?}");
        }
    }
}

#[test]
fn a_photo_moved_in_front_of_the_camera_is_screened_as_still() {
    let mut p = pipeline();
    let mut worst = 0f32;
    for rel in [
        "face_recognition/test/obama1.jpg",
        "face_recognition/train/biden/biden.jpg",
        "face_recognition/train/rose_leslie/img1.jpg",
        "deepface/img1.jpg",
        "deepface/img20.jpg",
    ] {
        let base = photo(rel);
        let mut screen = LivenessScreen::new(LivenessSettings::default());
        for (i, frame) in frames_of(&base, 8).into_iter().enumerate() {
            // Held by hand: it also turns a little.
            let frame = frame.rotated(3.0 * (i as f32 - 4.0)).unwrap();
            let face = p.main_face(&frame).unwrap().expect("a face");
            screen.push(face.face.detection.landmarks);
        }
        let report = screen.report();
        eprintln!("{rel}: {report:?}");
        worst = worst.max(report.max_nonrigid());
        assert_eq!(
            report.verdict,
            LivenessVerdict::StillImage,
            "{rel}: {report:?}"
        );
    }
    eprintln!("largest non-rigid motion of a moved photo: {worst:.4}");
}
