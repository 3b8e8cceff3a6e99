//! YuNet face detection: letterbox, run, decode each stride, threshold, NMS.
//!
//! The model takes a square BGR image (0–255, no normalisation); the frame is scaled to fit
//! and placed top-left, so mapping back is a single division by the scale. Each stride
//! (8, 16, 32) gives per-cell class and objectness scores, a box (centre offset in cells,
//! log size) and five landmarks (offsets in cells).

use super::frame::RgbFrame;
use super::runtime::{OnnxModel, RuntimeError};

/// A point in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Point {
    /// Horizontal, pixels from the left.
    pub x: f32,
    /// Vertical, pixels from the top.
    pub y: f32,
}

/// A box in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BBox {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
}

impl BBox {
    /// Area in square pixels.
    #[must_use]
    pub fn area(&self) -> f32 {
        self.width.max(0.0) * self.height.max(0.0)
    }

    /// Intersection over union.
    #[must_use]
    pub fn iou(&self, other: &Self) -> f32 {
        let x0 = self.x.max(other.x);
        let y0 = self.y.max(other.y);
        let x1 = (self.x + self.width).min(other.x + other.width);
        let y1 = (self.y + self.height).min(other.y + other.height);
        let inter = (x1 - x0).max(0.0) * (y1 - y0).max(0.0);
        let union = self.area() + other.area() - inter;
        if union > 0.0 {
            inter / union
        } else {
            0.0
        }
    }
}

/// Which of the five landmarks.
pub mod landmark {
    /// The subject's right eye (left in the image).
    pub const RIGHT_EYE: usize = 0;
    /// The subject's left eye (right in the image).
    pub const LEFT_EYE: usize = 1;
    /// The nose tip.
    pub const NOSE: usize = 2;
    /// The right mouth corner (left in the image).
    pub const RIGHT_MOUTH: usize = 3;
    /// The left mouth corner (right in the image).
    pub const LEFT_MOUTH: usize = 4;
}

/// A detected face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    /// The face box.
    pub bbox: BBox,
    /// Eyes, nose tip, mouth corners (see [`landmark`]).
    pub landmarks: [Point; 5],
    /// Detector confidence, 0–1.
    pub score: f32,
}

/// Detection settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectorSettings {
    /// Keep faces scoring at least this.
    pub score_threshold: f32,
    /// Suppress a face overlapping a better one by more than this IoU.
    pub nms_iou: f32,
    /// At most this many faces per frame (best first).
    pub max_faces: usize,
}

impl Default for DetectorSettings {
    fn default() -> Self {
        Self {
            score_threshold: 0.7,
            nms_iou: 0.3,
            max_faces: 64,
        }
    }
}

const STRIDES: [usize; 3] = [8, 16, 32];

/// The YuNet detector with its session and input buffer.
#[derive(Debug)]
pub struct Detector {
    model: OnnxModel,
    size: usize,
    settings: DetectorSettings,
    input: Vec<f32>,
    outputs: Vec<String>,
}

impl Detector {
    /// Wraps a YuNet session; the input size comes from the model (640 or 320).
    ///
    /// # Errors
    /// [`RuntimeError::Session`] when the model's input is not a fixed square.
    pub fn new(model: OnnxModel, settings: DetectorSettings) -> Result<Self, RuntimeError> {
        let shape = model.input_shape().unwrap_or_default();
        let size = match shape.as_slice() {
            [1, 3, h, w] if h == w && *h >= 32 => usize::try_from(*h).unwrap_or(0),
            _ => 0,
        };
        if size == 0 || !size.is_multiple_of(32) {
            return Err(RuntimeError::Session {
                model: model.name().to_owned(),
                message: format!("expected a 1×3×S×S input with S a multiple of 32, got {shape:?}"),
            });
        }
        let outputs = STRIDES
            .iter()
            .flat_map(|s| ["cls", "obj", "bbox", "kps"].map(|k| format!("{k}_{s}")))
            .collect();
        Ok(Self {
            model,
            size,
            settings,
            input: vec![0.0; 3 * size * size],
            outputs,
        })
    }

    /// The square input side in pixels.
    #[must_use]
    pub const fn input_size(&self) -> usize {
        self.size
    }

    /// The settings in use.
    #[must_use]
    pub const fn settings(&self) -> DetectorSettings {
        self.settings
    }

    /// Every face in `frame`, best first.
    ///
    /// # Errors
    /// [`RuntimeError::Inference`] when the model fails.
    pub fn detect(&mut self, frame: &RgbFrame) -> Result<Vec<Detection>, RuntimeError> {
        let scale = self.letterbox(frame);
        let names: Vec<&str> = self.outputs.iter().map(String::as_str).collect();
        let s = self.size;
        let outs = self.model.run(&[1, 3, s, s], &self.input, &names)?;
        let mut found = Vec::new();
        for (i, stride) in STRIDES.iter().enumerate() {
            let [cls, obj, bbox, kps] = [
                &outs[4 * i],
                &outs[4 * i + 1],
                &outs[4 * i + 2],
                &outs[4 * i + 3],
            ];
            let cols = s / stride;
            let cells = cols * cols;
            if cls.values.len() < cells
                || obj.values.len() < cells
                || bbox.values.len() < 4 * cells
                || kps.values.len() < 10 * cells
            {
                return Err(RuntimeError::Inference {
                    model: self.model.name().to_owned(),
                    message: format!("stride {stride}: outputs smaller than {cells} cells"),
                });
            }
            decode_stride(
                *stride,
                cols,
                [&cls.values, &obj.values, &bbox.values, &kps.values],
                self.settings.score_threshold,
                scale,
                &mut found,
            );
        }
        Ok(nms(found, self.settings.nms_iou, self.settings.max_faces))
    }

    /// Fills the input with the frame scaled to fit, top-left, as planar BGR; returns the
    /// scale from frame to input pixels.
    fn letterbox(&mut self, frame: &RgbFrame) -> f32 {
        let s = self.size;
        let scale = (s as f32 / frame.width() as f32).min(s as f32 / frame.height() as f32);
        let w = ((frame.width() as f32 * scale).round() as usize).clamp(1, s);
        let h = ((frame.height() as f32 * scale).round() as usize).clamp(1, s);
        self.input.fill(0.0);
        let scaled;
        let src = if w == frame.width() as usize && h == frame.height() as usize {
            frame
        } else {
            // Sizes are at most the input side, so they fit in u32.
            scaled = frame.resized(w as u32, h as u32);
            match &scaled {
                Ok(f) => f,
                Err(_) => return scale,
            }
        };
        let plane = s * s;
        let px = src.pixels();
        for y in 0..h {
            for x in 0..w {
                let i = (y * w + x) * 3;
                let o = y * s + x;
                self.input[o] = f32::from(px[i + 2]);
                self.input[plane + o] = f32::from(px[i + 1]);
                self.input[2 * plane + o] = f32::from(px[i]);
            }
        }
        scale
    }
}

/// Decodes one stride's outputs into detections in frame pixels.
fn decode_stride(
    stride: usize,
    cols: usize,
    [cls, obj, bbox, kps]: [&[f32]; 4],
    threshold: f32,
    scale: f32,
    out: &mut Vec<Detection>,
) {
    let st = stride as f32;
    for idx in 0..cols * cols {
        let score = (cls[idx].clamp(0.0, 1.0) * obj[idx].clamp(0.0, 1.0)).sqrt();
        // `score < threshold` would keep a NaN score.
        if score
            .partial_cmp(&threshold)
            .is_none_or(std::cmp::Ordering::is_lt)
        {
            continue;
        }
        let (r, c) = ((idx / cols) as f32, (idx % cols) as f32);
        let b = &bbox[4 * idx..4 * idx + 4];
        let cx = (c + b[0]) * st;
        let cy = (r + b[1]) * st;
        let w = b[2].exp() * st;
        let h = b[3].exp() * st;
        let k = &kps[10 * idx..10 * idx + 10];
        let mut landmarks = [Point::default(); 5];
        for (j, p) in landmarks.iter_mut().enumerate() {
            *p = Point {
                x: (k[2 * j] + c) * st / scale,
                y: (k[2 * j + 1] + r) * st / scale,
            };
        }
        out.push(Detection {
            bbox: BBox {
                x: (cx - w / 2.0) / scale,
                y: (cy - h / 2.0) / scale,
                width: w / scale,
                height: h / scale,
            },
            landmarks,
            score,
        });
    }
}

/// Greedy non-maximum suppression, best score first.
#[must_use]
pub fn nms(mut found: Vec<Detection>, iou: f32, max: usize) -> Vec<Detection> {
    found.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Detection> = Vec::new();
    for d in found {
        if kept.len() >= max {
            break;
        }
        if kept.iter().all(|k| k.bbox.iou(&d.bbox) <= iou) {
            kept.push(d);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(x: f32, score: f32) -> Detection {
        Detection {
            bbox: BBox {
                x,
                y: 0.0,
                width: 10.0,
                height: 10.0,
            },
            landmarks: [Point::default(); 5],
            score,
        }
    }

    #[test]
    fn nms_keeps_the_best_of_overlapping_boxes() {
        let kept = nms(vec![det(0.0, 0.8), det(1.0, 0.9), det(30.0, 0.75)], 0.3, 10);
        assert_eq!(kept.len(), 2);
        assert!((kept[0].score - 0.9).abs() < 1e-6);
        assert!((kept[1].bbox.x - 30.0).abs() < 1e-6);
        assert_eq!(nms(vec![det(0.0, 0.8), det(30.0, 0.9)], 0.3, 1).len(), 1);
    }

    #[test]
    fn decoding_follows_the_cell_layout() {
        // One 2×2 grid at stride 8; only cell (row 1, col 0) scores.
        let cls = [0.0, 0.0, 0.81, 0.0];
        let obj = [0.0, 0.0, 1.0, 0.0];
        let mut bbox = [0.0f32; 16];
        bbox[8..12].copy_from_slice(&[0.5, 0.5, 0.0, 2f32.ln()]);
        let kps = [0.25f32; 40];
        let mut out = Vec::new();
        decode_stride(8, 2, [&cls, &obj, &bbox, &kps], 0.7, 2.0, &mut out);
        assert_eq!(out.len(), 1);
        let d = out[0];
        assert!((d.score - 0.9).abs() < 1e-6);
        // centre (4, 12) in input pixels, size 8×16, halved by the scale.
        assert!((d.bbox.x - 0.0).abs() < 1e-5 && (d.bbox.y - 2.0).abs() < 1e-5);
        assert!((d.bbox.width - 4.0).abs() < 1e-5 && (d.bbox.height - 8.0).abs() < 1e-5);
        assert!((d.landmarks[0].x - 1.0).abs() < 1e-5 && (d.landmarks[0].y - 5.0).abs() < 1e-5);
    }
}
