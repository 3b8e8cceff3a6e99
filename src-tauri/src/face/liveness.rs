//! Presentation-attack screening across frames: a photo does not move like a face.
//!
//! A printed photo or a still image on a screen is flat. However it is held, shifted,
//! turned or tilted in front of the camera, its five landmarks move together under (very
//! nearly) one affine map of the image plane. A live head is not flat: turning it even a
//! little moves the nose tip against the eyes and mouth corners (parallax), and expressions
//! move the mouth corners on their own. The screen fits an affine map from the first
//! frame's landmarks to each later frame's and measures what the map cannot explain, as a
//! fraction of the eye distance. Above the threshold on enough frames: live.
//!
//! Limits (see `docs/face-eval.md` for the measured figures): this is a screening, not a
//! certified presentation-attack detector. It stops a still photo or a still image on a
//! phone held up to the camera, moved or not. It does not stop a *video* of the student
//! replayed on a screen, a photo bent or folded while moving, or a 3D mask; and a live
//! person who keeps perfectly still is not confirmed (the UI should ask for a small head
//! turn). It needs several frames, so it belongs to the kiosk and to a short selfie
//! burst, not to a single snapshot.

use rollcall_core::face::Liveness;

use super::detect::{landmark, Point};

/// How the screen decides.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LivenessSettings {
    /// Frames needed before any verdict.
    pub min_frames: usize,
    /// Non-rigid landmark motion (RMS residual of the affine fit over the eye distance)
    /// above which a frame counts as moving like a face.
    pub min_nonrigid: f32,
    /// How many frames must show it.
    pub min_moving_frames: usize,
}

impl Default for LivenessSettings {
    fn default() -> Self {
        Self {
            min_frames: 6,
            min_nonrigid: 0.08,
            min_moving_frames: 2,
        }
    }
}

/// The screen's conclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LivenessVerdict {
    /// Too few frames yet.
    NotEnoughFrames,
    /// The landmarks moved like a face's.
    Live,
    /// Every frame was explained by moving a flat picture (or nothing moved): a photo,
    /// a still screen, or a person who kept perfectly still.
    StillImage,
}

impl LivenessVerdict {
    /// The evidence value for a claim.
    #[must_use]
    pub const fn evidence(self) -> Liveness {
        match self {
            Self::NotEnoughFrames => Liveness::NotTaken,
            Self::Live => Liveness::Passed,
            Self::StillImage => Liveness::Failed,
        }
    }

    /// What to tell the person while screening.
    #[must_use]
    pub const fn advice(self) -> &'static str {
        match self {
            Self::NotEnoughFrames => "hold on",
            Self::Live => "thank you",
            Self::StillImage => "turn your head a little",
        }
    }
}

/// The measurements behind a verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct LivenessReport {
    /// The verdict.
    pub verdict: LivenessVerdict,
    /// Frames seen.
    pub frames: usize,
    /// Non-rigid motion of each later frame against the first.
    pub nonrigid: Vec<f32>,
}

impl LivenessReport {
    /// The largest non-rigid motion seen.
    #[must_use]
    pub fn max_nonrigid(&self) -> f32 {
        self.nonrigid.iter().copied().fold(0.0, f32::max)
    }
}

/// Landmarks of one face across consecutive frames.
#[derive(Debug, Clone, Default)]
pub struct LivenessScreen {
    settings: LivenessSettings,
    tracks: Vec<[Point; 5]>,
}

impl LivenessScreen {
    /// A new screen.
    #[must_use]
    pub const fn new(settings: LivenessSettings) -> Self {
        Self {
            settings,
            tracks: Vec::new(),
        }
    }

    /// Adds the tracked face's landmarks from the next frame.
    pub fn push(&mut self, landmarks: [Point; 5]) {
        self.tracks.push(landmarks);
    }

    /// Forgets every frame (a new person).
    pub fn reset(&mut self) {
        self.tracks.clear();
    }

    /// The verdict so far.
    #[must_use]
    pub fn report(&self) -> LivenessReport {
        let Some(first) = self.tracks.first() else {
            return LivenessReport {
                verdict: LivenessVerdict::NotEnoughFrames,
                frames: 0,
                nonrigid: Vec::new(),
            };
        };
        let nonrigid: Vec<f32> = self.tracks[1..]
            .iter()
            .map(|later| nonrigid_motion(first, later))
            .collect();
        let verdict = if self.tracks.len() < self.settings.min_frames {
            LivenessVerdict::NotEnoughFrames
        } else if nonrigid
            .iter()
            .filter(|m| **m >= self.settings.min_nonrigid)
            .count()
            >= self.settings.min_moving_frames
        {
            LivenessVerdict::Live
        } else {
            LivenessVerdict::StillImage
        };
        LivenessReport {
            verdict,
            frames: self.tracks.len(),
            nonrigid,
        }
    }
}

/// RMS residual of the best affine map from `a` to `b`, over `a`'s eye distance: zero for
/// any motion of a flat picture (under weak perspective), larger for a 3D or changing face.
#[must_use]
pub fn nonrigid_motion(a: &[Point; 5], b: &[Point; 5]) -> f32 {
    let eye = (a[landmark::RIGHT_EYE].x - a[landmark::LEFT_EYE].x)
        .hypot(a[landmark::RIGHT_EYE].y - a[landmark::LEFT_EYE].y);
    if eye.is_nan() || eye <= 1.0 {
        return 0.0;
    }
    let Some(map) = fit_affine(a, b) else {
        return 0.0;
    };
    let sq: f64 = a
        .iter()
        .zip(b)
        .map(|(p, q)| {
            let (x, y) = (f64::from(p.x), f64::from(p.y));
            let ex = map[0] * x + map[1] * y + map[2] - f64::from(q.x);
            let ey = map[3] * x + map[4] * y + map[5] - f64::from(q.y);
            ex * ex + ey * ey
        })
        .sum();
    ((sq / a.len() as f64).sqrt() / f64::from(eye)) as f32
}

/// Least-squares affine map `[a b c; d e f]` taking `from` onto `to`.
fn fit_affine(from: &[Point; 5], to: &[Point; 5]) -> Option<[f64; 6]> {
    // Centre the source for a well-conditioned system.
    let n = from.len() as f64;
    let mx = from.iter().map(|p| f64::from(p.x)).sum::<f64>() / n;
    let my = from.iter().map(|p| f64::from(p.y)).sum::<f64>() / n;
    let (mut sxx, mut sxy, mut syy) = (0f64, 0f64, 0f64);
    let (mut bx, mut by) = ([0f64; 2], [0f64; 2]);
    let (mut qx, mut qy) = (0f64, 0f64);
    for (p, q) in from.iter().zip(to) {
        let (x, y) = (f64::from(p.x) - mx, f64::from(p.y) - my);
        sxx += x * x;
        sxy += x * y;
        syy += y * y;
        bx[0] += x * f64::from(q.x);
        bx[1] += y * f64::from(q.x);
        by[0] += x * f64::from(q.y);
        by[1] += y * f64::from(q.y);
        qx += f64::from(q.x);
        qy += f64::from(q.y);
    }
    let det = sxx * syy - sxy * sxy;
    if det.abs() <= 1e-9 * (sxx * syy).max(1.0) {
        return None;
    }
    let solve = |b: [f64; 2]| {
        (
            (syy * b[0] - sxy * b[1]) / det,
            (sxx * b[1] - sxy * b[0]) / det,
        )
    };
    let (a, bb) = solve(bx);
    let (d, e) = solve(by);
    // Translation: the centred fit passes through the means.
    let c = qx / n - a * mx - bb * my;
    let f = qy / n - d * mx - e * my;
    Some([a, bb, c, d, e, f])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::face::align::TEMPLATE;

    fn moved(p: &[Point; 5], m: [f32; 6]) -> [Point; 5] {
        p.map(|q| Point {
            x: m[0] * q.x + m[1] * q.y + m[2],
            y: m[3] * q.x + m[4] * q.y + m[5],
        })
    }

    #[test]
    fn a_flat_picture_moved_any_way_is_still() {
        let mut screen = LivenessScreen::new(LivenessSettings::default());
        for i in 0..8 {
            let t = i as f32;
            screen.push(moved(
                &TEMPLATE,
                [1.0 + 0.02 * t, 0.05 * t, 3.0 * t, -0.03 * t, 0.9, -2.0 * t],
            ));
        }
        let report = screen.report();
        assert_eq!(report.verdict, LivenessVerdict::StillImage);
        assert!(report.max_nonrigid() < 1e-4, "{report:?}");
    }

    #[test]
    fn a_turning_head_moves_its_nose_against_the_rest() {
        let mut screen = LivenessScreen::new(LivenessSettings::default());
        for i in 0..8 {
            let mut lm = TEMPLATE;
            lm[landmark::NOSE].x += 4.0 * i as f32;
            screen.push(lm);
            let expected = if i + 1 < 6 {
                LivenessVerdict::NotEnoughFrames
            } else {
                LivenessVerdict::Live
            };
            assert_eq!(screen.report().verdict, expected, "frame {i}");
        }
        assert_eq!(LivenessVerdict::Live.evidence(), Liveness::Passed);
    }
}
