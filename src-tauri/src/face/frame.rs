//! Camera frames: the one image type the face pipeline reads.
//!
//! Every source (a webcam frame from the webview's `getUserMedia` as RGBA, a native camera,
//! an image file in a test or the CLI) becomes an [`RgbFrame`] first, so the pipeline has a
//! single input path and the tests exercise the same code the camera does. The test
//! transforms (scale, shift, brightness, blur, rotation) live here too, so tests and the
//! bench build "camera-like" frames from photos without a second image library.

use std::path::Path;

/// Why bytes could not become a frame.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The pixel buffer's length does not match the size.
    #[error("a {width}×{height} frame needs {expected} bytes, got {got}")]
    WrongLength {
        /// Frame width in pixels.
        width: u32,
        /// Frame height in pixels.
        height: u32,
        /// Bytes needed.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
    /// A zero-sized frame.
    #[error("a frame must be at least 1×1 pixels")]
    Empty,
    /// The image file could not be read.
    #[error("cannot read {path}: {message}")]
    Read {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The bytes are not a JPEG or PNG image this build can decode.
    #[error("not a JPEG or PNG image: {0}")]
    Decode(String),
}

/// An 8-bit RGB image, rows top to bottom, pixels packed `R G B`.
#[derive(Clone, PartialEq, Eq)]
pub struct RgbFrame {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl std::fmt::Debug for RgbFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RgbFrame")
            .field("width", &self.width)
            .field("height", &self.height)
            .finish_non_exhaustive()
    }
}

impl RgbFrame {
    /// A frame from packed RGB bytes.
    ///
    /// # Errors
    /// [`FrameError`] for a zero size or a buffer of the wrong length.
    pub fn from_rgb(width: u32, height: u32, pixels: Vec<u8>) -> Result<Self, FrameError> {
        let expected = Self::byte_len(width, height, 3)?;
        if pixels.len() != expected {
            return Err(FrameError::WrongLength {
                width,
                height,
                expected,
                got: pixels.len(),
            });
        }
        Ok(Self {
            width,
            height,
            pixels,
        })
    }

    /// A frame from packed RGBA bytes, as a canvas `ImageData` from the webview delivers
    /// them; alpha is dropped.
    ///
    /// # Errors
    /// [`FrameError`] for a zero size or a buffer of the wrong length.
    pub fn from_rgba(width: u32, height: u32, rgba: &[u8]) -> Result<Self, FrameError> {
        let expected = Self::byte_len(width, height, 4)?;
        if rgba.len() != expected {
            return Err(FrameError::WrongLength {
                width,
                height,
                expected,
                got: rgba.len(),
            });
        }
        let pixels = rgba
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        Ok(Self {
            width,
            height,
            pixels,
        })
    }

    /// A frame of one colour.
    ///
    /// # Errors
    /// [`FrameError::Empty`] for a zero size.
    pub fn filled(width: u32, height: u32, rgb: [u8; 3]) -> Result<Self, FrameError> {
        let n = Self::byte_len(width, height, 3)?;
        let pixels = rgb.iter().copied().cycle().take(n).collect();
        Ok(Self {
            width,
            height,
            pixels,
        })
    }

    /// Decodes a JPEG or PNG image (a photo, a snapshot the webview encoded).
    ///
    /// # Errors
    /// [`FrameError::Decode`] for anything else or a corrupt file.
    pub fn decode(bytes: &[u8]) -> Result<Self, FrameError> {
        let img = image::load_from_memory(bytes).map_err(|e| FrameError::Decode(e.to_string()))?;
        let rgb = img.into_rgb8();
        let (width, height) = rgb.dimensions();
        Self::from_rgb(width, height, rgb.into_raw())
    }

    /// Reads and decodes an image file.
    ///
    /// # Errors
    /// [`FrameError`] when the file cannot be read or decoded.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, FrameError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| FrameError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::decode(&bytes)
    }

    fn byte_len(width: u32, height: u32, channels: usize) -> Result<usize, FrameError> {
        if width == 0 || height == 0 {
            return Err(FrameError::Empty);
        }
        Ok(width as usize * height as usize * channels)
    }

    /// Width in pixels.
    #[must_use]
    pub const fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    #[must_use]
    pub const fn height(&self) -> u32 {
        self.height
    }

    /// The packed RGB bytes.
    #[must_use]
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// The pixel at (`x`, `y`); black outside the frame.
    #[must_use]
    pub fn pixel(&self, x: i64, y: i64) -> [u8; 3] {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return [0; 3];
        }
        // In range: both are below u32::MAX.
        let i = (y as usize * self.width as usize + x as usize) * 3;
        [self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]]
    }

    /// Bilinear sample at a real position (pixel centres at integers); black outside.
    #[must_use]
    pub fn sample(&self, x: f32, y: f32) -> [f32; 3] {
        let x0 = x.floor();
        let y0 = y.floor();
        let fx = x - x0;
        let fy = y - y0;
        let (xi, yi) = (x0 as i64, y0 as i64);
        let p00 = self.pixel(xi, yi);
        let p10 = self.pixel(xi + 1, yi);
        let p01 = self.pixel(xi, yi + 1);
        let p11 = self.pixel(xi + 1, yi + 1);
        let mut out = [0f32; 3];
        for (c, o) in out.iter_mut().enumerate() {
            let top = f32::from(p00[c]) * (1.0 - fx) + f32::from(p10[c]) * fx;
            let bottom = f32::from(p01[c]) * (1.0 - fx) + f32::from(p11[c]) * fx;
            *o = top * (1.0 - fy) + bottom * fy;
        }
        out
    }

    /// Luma (BT.601) of every pixel, 0–255.
    #[must_use]
    pub fn luma(&self) -> Vec<f32> {
        self.pixels
            .chunks_exact(3)
            .map(|p| luma(f32::from(p[0]), f32::from(p[1]), f32::from(p[2])))
            .collect()
    }

    /// A frame of `width`×`height` whose pixel (x, y) is `f(x, y)` sampled from this one.
    fn remapped(
        &self,
        width: u32,
        height: u32,
        f: impl Fn(f32, f32) -> (f32, f32),
    ) -> Result<Self, FrameError> {
        let mut pixels = Vec::with_capacity(Self::byte_len(width, height, 3)?);
        for y in 0..height {
            for x in 0..width {
                let (sx, sy) = f(x as f32, y as f32);
                let p = self.sample(sx, sy);
                pixels.extend(p.map(to_u8));
            }
        }
        Self::from_rgb(width, height, pixels)
    }

    /// This frame resized to `width`×`height` (bilinear, box-averaged first when shrinking
    /// by more than half so small faces keep their detail).
    ///
    /// # Errors
    /// [`FrameError::Empty`] for a zero size.
    pub fn resized(&self, width: u32, height: u32) -> Result<Self, FrameError> {
        let sx = self.width as f32 / width.max(1) as f32;
        let sy = self.height as f32 / height.max(1) as f32;
        let factor = sx.min(sy).floor() as u32;
        let source = if factor >= 2 {
            self.box_shrunk(factor)
        } else {
            self.clone()
        };
        let sx = source.width as f32 / width.max(1) as f32;
        let sy = source.height as f32 / height.max(1) as f32;
        source.remapped(width, height, |x, y| {
            ((x + 0.5) * sx - 0.5, (y + 0.5) * sy - 0.5)
        })
    }

    /// Averages `factor`×`factor` blocks (the last partial row/column is dropped).
    fn box_shrunk(&self, factor: u32) -> Self {
        let w = (self.width / factor).max(1);
        let h = (self.height / factor).max(1);
        let mut pixels = Vec::with_capacity(w as usize * h as usize * 3);
        let area = (factor * factor) as f32;
        for by in 0..h {
            for bx in 0..w {
                let mut acc = [0f32; 3];
                for dy in 0..factor {
                    for dx in 0..factor {
                        let p =
                            self.pixel(i64::from(bx * factor + dx), i64::from(by * factor + dy));
                        for c in 0..3 {
                            acc[c] += f32::from(p[c]);
                        }
                    }
                }
                pixels.extend(acc.map(|v| to_u8(v / area)));
            }
        }
        Self {
            width: w,
            height: h,
            pixels,
        }
    }

    /// This frame scaled by `factor` (both sides).
    ///
    /// # Errors
    /// [`FrameError::Empty`] when the result would have no pixels.
    pub fn scaled(&self, factor: f32) -> Result<Self, FrameError> {
        let w = (self.width as f32 * factor).round() as u32;
        let h = (self.height as f32 * factor).round() as u32;
        self.resized(w, h)
    }

    /// This frame placed on a black canvas of `width`×`height` with its top-left corner at
    /// (`x`, `y`) (negative values push it off the canvas), like a camera that sees the scene
    /// shifted.
    ///
    /// # Errors
    /// [`FrameError::Empty`] for a zero size.
    pub fn placed(&self, width: u32, height: u32, x: i64, y: i64) -> Result<Self, FrameError> {
        let mut pixels = Vec::with_capacity(Self::byte_len(width, height, 3)?);
        for cy in 0..i64::from(height) {
            for cx in 0..i64::from(width) {
                pixels.extend(self.pixel(cx - x, cy - y));
            }
        }
        Self::from_rgb(width, height, pixels)
    }

    /// Every channel multiplied by `gain` (below 1 darkens, above 1 brightens), clamped.
    #[must_use]
    pub fn with_gain(&self, gain: f32) -> Self {
        Self {
            width: self.width,
            height: self.height,
            pixels: self
                .pixels
                .iter()
                .map(|&v| to_u8(f32::from(v) * gain))
                .collect(),
        }
    }

    /// A box blur of the given radius, applied three times (close to a Gaussian with
    /// σ ≈ radius), like a frame taken while moving.
    #[must_use]
    pub fn blurred(&self, radius: u32) -> Self {
        let mut out = self.clone();
        for _ in 0..3 {
            out = out.box_pass(radius, true).box_pass(radius, false);
        }
        out
    }

    fn box_pass(&self, radius: u32, horizontal: bool) -> Self {
        let (w, h) = (i64::from(self.width), i64::from(self.height));
        let r = i64::from(radius);
        let mut pixels = vec![0u8; self.pixels.len()];
        for y in 0..h {
            for x in 0..w {
                let mut acc = [0f32; 3];
                let mut n = 0f32;
                for d in -r..=r {
                    let (sx, sy) = if horizontal { (x + d, y) } else { (x, y + d) };
                    if sx < 0 || sy < 0 || sx >= w || sy >= h {
                        continue;
                    }
                    let p = self.pixel(sx, sy);
                    for c in 0..3 {
                        acc[c] += f32::from(p[c]);
                    }
                    n += 1.0;
                }
                let i = ((y * w + x) * 3) as usize;
                for c in 0..3 {
                    pixels[i + c] = to_u8(acc[c] / n);
                }
            }
        }
        Self {
            width: self.width,
            height: self.height,
            pixels,
        }
    }

    /// This frame rotated by `degrees` (counter-clockwise as seen) about its centre, same
    /// size, black corners.
    ///
    /// # Errors
    /// Never in practice (the size is this frame's).
    pub fn rotated(&self, degrees: f32) -> Result<Self, FrameError> {
        let (s, c) = degrees.to_radians().sin_cos();
        let cx = (self.width as f32 - 1.0) / 2.0;
        let cy = (self.height as f32 - 1.0) / 2.0;
        // Inverse mapping: rotate each output position back by the angle (y points down,
        // so a counter-clockwise turn on screen is a negative angle in these axes).
        self.remapped(self.width, self.height, |x, y| {
            let (dx, dy) = (x - cx, y - cy);
            (cx + c * dx - s * dy, cy + s * dx + c * dy)
        })
    }

    /// The region from (`x`, `y`) of `width`×`height`, black where it leaves the frame.
    ///
    /// # Errors
    /// [`FrameError::Empty`] for a zero size.
    pub fn cropped(&self, x: i64, y: i64, width: u32, height: u32) -> Result<Self, FrameError> {
        self.placed(width, height, -x, -y)
    }
}

/// BT.601 luma.
#[must_use]
pub fn luma(r: f32, g: f32, b: f32) -> f32 {
    0.299 * r + 0.587 * g + 0.114 * b
}

/// Rounds and clamps to a byte.
fn to_u8(v: f32) -> u8 {
    v.round().clamp(0.0, 255.0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rgba_drops_alpha_and_lengths_are_checked() {
        let f = RgbFrame::from_rgba(2, 1, &[1, 2, 3, 255, 4, 5, 6, 0]).unwrap();
        assert_eq!(f.pixels(), &[1, 2, 3, 4, 5, 6]);
        assert!(matches!(
            RgbFrame::from_rgb(2, 2, vec![0; 5]),
            Err(FrameError::WrongLength { expected: 12, .. })
        ));
        assert!(matches!(
            RgbFrame::from_rgb(0, 2, vec![]),
            Err(FrameError::Empty)
        ));
        assert!(matches!(
            RgbFrame::decode(b"not an image"),
            Err(FrameError::Decode(_))
        ));
    }

    #[test]
    fn transforms_keep_sizes_and_values_sensible() {
        let f = RgbFrame::filled(40, 30, [100, 150, 200]).unwrap();
        assert_eq!(f.resized(10, 5).unwrap().pixel(3, 3), [100, 150, 200]);
        assert_eq!(f.scaled(0.5).unwrap().width(), 20);
        assert_eq!(f.with_gain(0.5).pixel(0, 0), [50, 75, 100]);
        assert_eq!(f.blurred(2).pixel(20, 15), [100, 150, 200]);
        let shifted = f.placed(60, 60, 10, 20).unwrap();
        assert_eq!(shifted.pixel(5, 5), [0, 0, 0]);
        assert_eq!(shifted.pixel(15, 25), [100, 150, 200]);
        let rotated = f.rotated(10.0).unwrap();
        assert_eq!(rotated.pixel(20, 15), [100, 150, 200]);
        assert_eq!(rotated.pixel(0, 0), [0, 0, 0]);
        assert_eq!(f.sample(-5.0, 3.0), [0.0; 3]);
    }
}
