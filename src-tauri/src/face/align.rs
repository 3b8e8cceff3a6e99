//! Alignment: a similarity transform from the five detected landmarks to the standard
//! ArcFace template, then a bilinear warp to 112×112.
//!
//! The embedder was trained on faces placed exactly like this, so the crop's geometry
//! matters as much as its pixels.

use super::detect::Point;
use super::frame::RgbFrame;

/// The side of an aligned face in pixels.
pub const ALIGNED_SIZE: usize = 112;

/// Where the five landmarks sit in a 112×112 aligned face (the ArcFace template).
pub const TEMPLATE: [Point; 5] = [
    Point {
        x: 38.2946,
        y: 51.6963,
    },
    Point {
        x: 73.5318,
        y: 51.5014,
    },
    Point {
        x: 56.0252,
        y: 71.7366,
    },
    Point {
        x: 41.5493,
        y: 92.3655,
    },
    Point {
        x: 70.7299,
        y: 92.2041,
    },
];

/// A similarity transform `p ↦ (a·x − b·y + tx, b·x + a·y + ty)`: rotation and uniform
/// scale (`a + ib` as a complex factor) and a translation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// Scale × cos(angle).
    pub a: f32,
    /// Scale × sin(angle).
    pub b: f32,
    /// Horizontal translation.
    pub tx: f32,
    /// Vertical translation.
    pub ty: f32,
}

impl Similarity {
    /// The least-squares similarity taking `from` onto `to` (Umeyama's estimate without
    /// reflection, solved in closed form with complex numbers). `None` when the source
    /// points all coincide.
    #[must_use]
    pub fn estimate(from: &[Point], to: &[Point]) -> Option<Self> {
        let n = from.len().min(to.len());
        if n < 2 {
            return None;
        }
        let nf = n as f64;
        let mean = |ps: &[Point]| {
            let (sx, sy) = ps[..n].iter().fold((0f64, 0f64), |(sx, sy), p| {
                (sx + f64::from(p.x), sy + f64::from(p.y))
            });
            (sx / nf, sy / nf)
        };
        let (fx, fy) = mean(from);
        let (tx, ty) = mean(to);
        let (mut re, mut im, mut norm) = (0f64, 0f64, 0f64);
        for (p, q) in from[..n].iter().zip(&to[..n]) {
            let (px, py) = (f64::from(p.x) - fx, f64::from(p.y) - fy);
            let (qx, qy) = (f64::from(q.x) - tx, f64::from(q.y) - ty);
            // conj(p) · q
            re += px * qx + py * qy;
            im += px * qy - py * qx;
            norm += px * px + py * py;
        }
        if norm <= f64::EPSILON {
            return None;
        }
        let (a, b) = (re / norm, im / norm);
        Some(Self {
            a: a as f32,
            b: b as f32,
            tx: (tx - (a * fx - b * fy)) as f32,
            ty: (ty - (b * fx + a * fy)) as f32,
        })
    }

    /// Applies the transform.
    #[must_use]
    pub fn apply(&self, p: Point) -> Point {
        Point {
            x: self.a * p.x - self.b * p.y + self.tx,
            y: self.b * p.x + self.a * p.y + self.ty,
        }
    }

    /// The inverse transform (`None` for a zero scale).
    #[must_use]
    pub fn inverse(&self) -> Option<Self> {
        let d = self.a * self.a + self.b * self.b;
        if d <= f32::MIN_POSITIVE {
            return None;
        }
        let (a, b) = (self.a / d, -self.b / d);
        Some(Self {
            a,
            b,
            tx: -(a * self.tx - b * self.ty),
            ty: -(b * self.tx + a * self.ty),
        })
    }

    /// The uniform scale factor.
    #[must_use]
    pub fn scale(&self) -> f32 {
        self.a.hypot(self.b)
    }

    /// The rotation in degrees.
    #[must_use]
    pub fn angle_degrees(&self) -> f32 {
        self.b.atan2(self.a).to_degrees()
    }
}

/// A 112×112 RGB face crop in the template's geometry.
#[derive(Clone, PartialEq)]
pub struct AlignedFace {
    pixels: Vec<u8>,
}

impl std::fmt::Debug for AlignedFace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlignedFace").finish_non_exhaustive()
    }
}

impl AlignedFace {
    /// Packed RGB, 112 rows of 112 pixels.
    #[must_use]
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// As a frame (for saving a thumbnail or a test).
    ///
    /// # Panics
    /// Never: the size is fixed.
    #[must_use]
    #[allow(
        clippy::expect_used,
        reason = "the crop is always 112×112×3 bytes; from_rgb checks only that"
    )]
    pub fn to_frame(&self) -> RgbFrame {
        RgbFrame::from_rgb(
            ALIGNED_SIZE as u32,
            ALIGNED_SIZE as u32,
            self.pixels.clone(),
        )
        .expect("112×112×3 bytes")
    }

    /// Luma of every pixel, 0–255.
    #[must_use]
    pub fn luma(&self) -> Vec<f32> {
        self.pixels
            .chunks_exact(3)
            .map(|p| super::frame::luma(f32::from(p[0]), f32::from(p[1]), f32::from(p[2])))
            .collect()
    }
}

/// Warps the face with these landmarks to the template (bilinear, black outside the
/// frame). `None` when the landmarks are degenerate.
#[must_use]
pub fn align(frame: &RgbFrame, landmarks: &[Point; 5]) -> Option<AlignedFace> {
    let to_template = Similarity::estimate(landmarks, &TEMPLATE)?;
    let back = to_template.inverse()?;
    let mut pixels = Vec::with_capacity(ALIGNED_SIZE * ALIGNED_SIZE * 3);
    for y in 0..ALIGNED_SIZE {
        for x in 0..ALIGNED_SIZE {
            let src = back.apply(Point {
                x: x as f32,
                y: y as f32,
            });
            let p = frame.sample(src.x, src.y);
            pixels.extend(p.map(|v| v.round().clamp(0.0, 255.0) as u8));
        }
    }
    Some(AlignedFace { pixels })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_recovers_a_known_similarity() {
        let truth = Similarity {
            a: 0.8,
            b: 0.3,
            tx: 5.0,
            ty: -7.0,
        };
        let from: Vec<Point> = TEMPLATE.to_vec();
        let to: Vec<Point> = from.iter().map(|p| truth.apply(*p)).collect();
        let est = Similarity::estimate(&from, &to).unwrap();
        for (x, y) in [
            (est.a, truth.a),
            (est.b, truth.b),
            (est.tx, truth.tx),
            (est.ty, truth.ty),
        ] {
            assert!((x - y).abs() < 1e-4, "{est:?}");
        }
        let inv = est.inverse().unwrap();
        let back = inv.apply(est.apply(Point { x: 3.0, y: 4.0 }));
        assert!((back.x - 3.0).abs() < 1e-4 && (back.y - 4.0).abs() < 1e-4);
        assert!(Similarity::estimate(&[Point::default(); 5], &TEMPLATE).is_none());
    }

    #[test]
    fn aligning_the_template_itself_is_the_identity() {
        let mut px = Vec::new();
        for y in 0..ALIGNED_SIZE {
            for x in 0..ALIGNED_SIZE {
                px.extend([x as u8, y as u8, 7]);
            }
        }
        let frame = RgbFrame::from_rgb(112, 112, px.clone()).unwrap();
        let aligned = align(&frame, &TEMPLATE).unwrap();
        assert_eq!(aligned.pixels(), px.as_slice());
    }
}
