//! Quality gates: is this face good enough to enrol or to compare?
//!
//! Each gate measures one thing a person in front of the camera can fix, and a failure
//! carries the sentence to show them. Sharpness and exposure are measured on the aligned
//! 112×112 crop (the pixels the embedder sees), so they do not depend on how large the
//! face is in the frame; size and pose come from the detection.

use super::align::{AlignedFace, Similarity, ALIGNED_SIZE, TEMPLATE};
use super::detect::{landmark, Detection, Point};

/// Something wrong with a face, with what the person should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QualityIssue {
    /// The face is too small in the frame.
    TooSmall,
    /// The face is blurred (motion or focus).
    TooBlurry,
    /// The face is under-exposed.
    TooDark,
    /// The face is over-exposed.
    TooBright,
    /// The head is turned or tilted too far.
    NotFacing,
}

impl QualityIssue {
    /// The instruction shown to the person.
    #[must_use]
    pub const fn advice(self) -> &'static str {
        match self {
            Self::TooSmall => "move closer",
            Self::TooBlurry => "hold still",
            Self::TooDark => "too dark",
            Self::TooBright => "too bright",
            Self::NotFacing => "face the camera",
        }
    }

    /// A stable, machine-readable code for the UI.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::TooSmall => "face_too_small",
            Self::TooBlurry => "face_blurry",
            Self::TooDark => "face_too_dark",
            Self::TooBright => "face_too_bright",
            Self::NotFacing => "face_not_facing",
        }
    }
}

impl std::fmt::Display for QualityIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.advice())
    }
}

/// The limits the gates apply.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualityGates {
    /// Minimum distance between the eyes, in frame pixels.
    pub min_eye_distance: f32,
    /// Minimum variance of the Laplacian of the crop's luma.
    pub min_sharpness: f32,
    /// Minimum mean luma of the crop's centre, 0–255.
    pub min_brightness: f32,
    /// Maximum mean luma of the crop's centre, 0–255.
    pub max_brightness: f32,
    /// Maximum |yaw| as the nose's sideways offset from the eyes' midpoint over the eye
    /// distance (0 facing the camera, about 0.5 in profile).
    pub max_yaw: f32,
    /// Allowed range of the nose's height between the eyes (0) and the mouth (1).
    pub pitch_range: (f32, f32),
    /// Maximum head tilt (roll) in degrees.
    pub max_roll_degrees: f32,
}

impl Default for QualityGates {
    /// Measured on the shared test photos (see `docs/face-eval.md`): every face in them
    /// passes; the darkened, blurred and shrunken copies the tests build fail.
    fn default() -> Self {
        Self {
            min_eye_distance: 24.0,
            min_sharpness: 40.0,
            min_brightness: 45.0,
            max_brightness: 225.0,
            max_yaw: 0.3,
            pitch_range: (0.2, 0.8),
            max_roll_degrees: 30.0,
        }
    }
}

/// The measurements and the gates' verdict for one face.
#[derive(Debug, Clone, PartialEq)]
pub struct Quality {
    /// Distance between the eyes in frame pixels.
    pub eye_distance: f32,
    /// Variance of the Laplacian of the crop's luma.
    pub sharpness: f32,
    /// Mean luma of the crop's centre.
    pub brightness: f32,
    /// Sideways nose offset over eye distance (signed).
    pub yaw: f32,
    /// Nose height between eyes (0) and mouth (1).
    pub pitch: f32,
    /// Head tilt in degrees (signed).
    pub roll_degrees: f32,
    /// What failed, in the order a person should fix it.
    pub issues: Vec<QualityIssue>,
}

impl Quality {
    /// Whether every gate passed.
    #[must_use]
    pub fn is_good(&self) -> bool {
        self.issues.is_empty()
    }
}

/// The centre of the crop (brow to chin, cheek to cheek): no background, no black border.
const CORE: (usize, usize, usize, usize) = (28, 36, 84, 104);

impl QualityGates {
    /// Measures a detected face and its aligned crop.
    #[must_use]
    pub fn assess(&self, detection: &Detection, aligned: &AlignedFace) -> Quality {
        let lm = &detection.landmarks;
        let eye_distance = distance(lm[landmark::RIGHT_EYE], lm[landmark::LEFT_EYE]);
        let (yaw, pitch, roll_degrees) = pose(lm);
        let luma = aligned.luma();
        let sharpness = laplacian_variance(&luma);
        let brightness = core_mean(&luma);

        // Written so that a NaN measurement (degenerate landmarks) fails its gate.
        let within = |v: f32, lo: f32, hi: f32| v >= lo && v <= hi;
        let mut issues = Vec::new();
        if !within(eye_distance, self.min_eye_distance, f32::INFINITY) {
            issues.push(QualityIssue::TooSmall);
        }
        let facing = within(yaw.abs(), 0.0, self.max_yaw)
            && within(pitch, self.pitch_range.0, self.pitch_range.1)
            && within(roll_degrees.abs(), 0.0, self.max_roll_degrees);
        if !facing {
            issues.push(QualityIssue::NotFacing);
        }
        if brightness < self.min_brightness {
            issues.push(QualityIssue::TooDark);
        } else if brightness > self.max_brightness {
            issues.push(QualityIssue::TooBright);
        }
        if !within(sharpness, self.min_sharpness, f32::INFINITY) {
            issues.push(QualityIssue::TooBlurry);
        }
        Quality {
            eye_distance,
            sharpness,
            brightness,
            yaw,
            pitch,
            roll_degrees,
            issues,
        }
    }
}

fn distance(a: Point, b: Point) -> f32 {
    (a.x - b.x).hypot(a.y - b.y)
}

/// (yaw, pitch, roll in degrees) from the landmarks, measured after mapping them onto the
/// template so that roll and scale do not leak into yaw and pitch.
fn pose(lm: &[Point; 5]) -> (f32, f32, f32) {
    let (re, le) = (lm[landmark::RIGHT_EYE], lm[landmark::LEFT_EYE]);
    let roll = (le.y - re.y).atan2(le.x - re.x).to_degrees();
    let Some(t) = Similarity::estimate(lm, &TEMPLATE) else {
        return (f32::NAN, f32::NAN, roll);
    };
    let p: Vec<Point> = lm.iter().map(|q| t.apply(*q)).collect();
    let eyes = Point {
        x: (p[landmark::RIGHT_EYE].x + p[landmark::LEFT_EYE].x) / 2.0,
        y: (p[landmark::RIGHT_EYE].y + p[landmark::LEFT_EYE].y) / 2.0,
    };
    let mouth = Point {
        x: (p[landmark::RIGHT_MOUTH].x + p[landmark::LEFT_MOUTH].x) / 2.0,
        y: (p[landmark::RIGHT_MOUTH].y + p[landmark::LEFT_MOUTH].y) / 2.0,
    };
    let eye_dist = distance(p[landmark::RIGHT_EYE], p[landmark::LEFT_EYE]).max(1e-3);
    let nose = p[landmark::NOSE];
    let yaw = (nose.x - eyes.x) / eye_dist;
    let span = (mouth.y - eyes.y).abs().max(1e-3);
    let pitch = (nose.y - eyes.y) / span;
    (yaw, pitch, roll)
}

/// Variance of the 4-neighbour Laplacian over the crop's centre.
#[must_use]
pub fn laplacian_variance(luma: &[f32]) -> f32 {
    let n = ALIGNED_SIZE;
    if luma.len() != n * n {
        return 0.0;
    }
    let (x0, y0, x1, y1) = CORE;
    let (mut sum, mut sq, mut count) = (0f64, 0f64, 0f64);
    for y in y0..y1 {
        for x in x0..x1 {
            let c = luma[y * n + x];
            let l = luma[(y - 1) * n + x]
                + luma[(y + 1) * n + x]
                + luma[y * n + x - 1]
                + luma[y * n + x + 1]
                - 4.0 * c;
            sum += f64::from(l);
            sq += f64::from(l) * f64::from(l);
            count += 1.0;
        }
    }
    let mean = sum / count;
    (sq / count - mean * mean) as f32
}

fn core_mean(luma: &[f32]) -> f32 {
    let n = ALIGNED_SIZE;
    if luma.len() != n * n {
        return 0.0;
    }
    let (x0, y0, x1, y1) = CORE;
    let mut sum = 0f64;
    for y in y0..y1 {
        for x in x0..x1 {
            sum += f64::from(luma[y * n + x]);
        }
    }
    (sum / ((x1 - x0) * (y1 - y0)) as f64) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_itself_faces_the_camera() {
        let (yaw, pitch, roll) = pose(&TEMPLATE);
        assert!(yaw.abs() < 0.01, "{yaw}");
        assert!((0.4..0.6).contains(&pitch), "{pitch}");
        assert!(roll.abs() < 1.0, "{roll}");
        let mut turned = TEMPLATE;
        turned[landmark::NOSE].x += 20.0;
        assert!(pose(&turned).0 > 0.3);
    }

    #[test]
    fn flat_crops_have_no_sharpness() {
        assert!(laplacian_variance(&vec![100.0; ALIGNED_SIZE * ALIGNED_SIZE]) < 1e-6);
        let checker: Vec<f32> = (0..ALIGNED_SIZE * ALIGNED_SIZE)
            .map(|i| {
                if (i % ALIGNED_SIZE + i / ALIGNED_SIZE).is_multiple_of(2) {
                    0.0
                } else {
                    255.0
                }
            })
            .collect();
        assert!(laplacian_variance(&checker) > 1000.0);
        assert_eq!(QualityIssue::TooDark.advice(), "too dark");
    }
}
