//! Pictures in, faces judged: the one path every camera frame takes, whether it
//! came from the webcam in the webview, a phone's camera or an image file in a test.
//!
//! The UI sends a frame as base64 PNG or JPEG; [`decode_picture`] turns it into an
//! [`RgbFrame`] for the pipeline, and [`judge_shot`] says whether a frame's main face
//! is good enough to enrol or to compare, with the sentence to show the person.

use base64::Engine as _;
use rollcall_core::api::{FaceBox, ShotReport};

use super::frame::RgbFrame;
use super::pipeline::Face;

/// The largest picture accepted, in base64 characters (≈12 MB of image).
pub const MAX_PICTURE_BASE64: usize = 16 * 1024 * 1024;

/// A second face at least this fraction of the main face's area makes a shot ambiguous.
const RIVAL_AREA: f32 = 0.5;

/// Why a picture could not be used at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PictureError {
    /// Not base64, not a PNG or JPEG, or too large.
    #[error("the picture could not be read ({0})")]
    Unreadable(String),
}

/// Decodes a base64 PNG or JPEG (a `data:` URL prefix is allowed) into a frame.
///
/// # Errors
/// [`PictureError::Unreadable`].
pub fn decode_picture(base64: &str) -> Result<RgbFrame, PictureError> {
    let text = base64.trim();
    let text = text
        .strip_prefix("data:")
        .and_then(|rest| rest.split_once(',').map(|(_, data)| data))
        .unwrap_or(text);
    if text.len() > MAX_PICTURE_BASE64 {
        return Err(PictureError::Unreadable("larger than 12 MB".to_owned()));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| PictureError::Unreadable("not base64".to_owned()))?;
    RgbFrame::decode(&bytes).map_err(|e| PictureError::Unreadable(e.to_string()))
}

/// A face's box as fractions of the frame.
#[must_use]
pub fn face_box(face: &Face, frame: &RgbFrame) -> FaceBox {
    #[allow(clippy::cast_precision_loss, reason = "frame sides are far below 2^24")]
    let (w, h) = (frame.width() as f32, frame.height() as f32);
    let b = face.detection.bbox;
    let x = (b.x / w).clamp(0.0, 1.0);
    let y = (b.y / h).clamp(0.0, 1.0);
    FaceBox {
        x,
        y,
        width: (b.width / w).clamp(0.0, 1.0 - x),
        height: (b.height / h).clamp(0.0, 1.0 - y),
    }
}

/// The index of the frame's main face: the largest, unless another is nearly as large
/// (then the shot is ambiguous and `Err` holds the report saying so).
///
/// # Errors
/// A report for no face or for several faces of a similar size.
pub fn main_face(faces: &[Face], frame: &RgbFrame) -> Result<usize, ShotReport> {
    let mut order: Vec<usize> = (0..faces.len()).collect();
    order.sort_by(|a, b| {
        faces[*b]
            .detection
            .bbox
            .area()
            .total_cmp(&faces[*a].detection.bbox.area())
    });
    let count = u32::try_from(faces.len()).unwrap_or(u32::MAX);
    let Some(&main) = order.first() else {
        return Err(ShotReport {
            faces: 0,
            good: false,
            advice: "No face found: face the camera in good light".to_owned(),
            issue: Some("no_face".to_owned()),
            face: None,
        });
    };
    let main_area = faces[main].detection.bbox.area();
    if let Some(&second) = order.get(1) {
        if faces[second].detection.bbox.area() >= RIVAL_AREA * main_area {
            return Err(ShotReport {
                faces: count,
                good: false,
                advice: "Only one person in the picture, please".to_owned(),
                issue: Some("several_faces".to_owned()),
                face: Some(face_box(&faces[main], frame)),
            });
        }
    }
    Ok(main)
}

/// Judges a frame's faces as one shot: its main face, and whether it passes every
/// quality gate.
#[must_use]
pub fn judge_shot(faces: &[Face], frame: &RgbFrame) -> ShotReport {
    let main = match main_face(faces, frame) {
        Ok(main) => main,
        Err(report) => return report,
    };
    let face = &faces[main];
    let count = u32::try_from(faces.len()).unwrap_or(u32::MAX);
    match face.quality.issues.first() {
        None => ShotReport {
            faces: count,
            good: true,
            advice: "Good".to_owned(),
            issue: None,
            face: Some(face_box(face, frame)),
        },
        Some(issue) => ShotReport {
            faces: count,
            good: false,
            advice: capitalised(issue.advice()),
            issue: Some(issue.code().to_owned()),
            face: Some(face_box(face, frame)),
        },
    }
}

/// `text` with its first letter upper case, as a sentence shown to a person starts.
#[must_use]
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A small JPEG of `frame` as base64 (a review thumbnail), or `None` if it cannot be
/// encoded. A 112×112 face crop is a few kilobytes, far below the server's 32 KiB limit.
#[must_use]
pub fn jpeg_thumbnail(frame: &RgbFrame) -> Option<String> {
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
        .encode(
            frame.pixels(),
            frame.width(),
            frame.height(),
            image::ExtendedColorType::Rgb8,
        )
        .ok()?;
    Some(base64::engine::general_purpose::STANDARD.encode(jpeg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_that_are_not_images_are_refused_with_a_reason() {
        assert!(matches!(
            decode_picture("not base64 at all!"),
            Err(PictureError::Unreadable(_))
        ));
        let text = base64::engine::general_purpose::STANDARD.encode(b"plain text, no image");
        assert!(decode_picture(&text).is_err());
        assert!(decode_picture(&format!("data:image/png;base64,{text}")).is_err());
    }

    #[test]
    fn a_data_url_of_a_png_decodes() {
        let frame = RgbFrame::filled(4, 3, [10, 20, 30]).unwrap();
        let mut png = Vec::new();
        image::RgbImage::from_raw(4, 3, frame.pixels().to_vec())
            .unwrap()
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let text = base64::engine::general_purpose::STANDARD.encode(&png);
        let decoded = decode_picture(&format!("data:image/png;base64,{text}")).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (4, 3));
        assert_eq!(decoded.pixel(1, 1), [10, 20, 30]);
    }

    #[test]
    fn a_thumbnail_is_a_small_jpeg() {
        let frame = RgbFrame::filled(112, 112, [120, 90, 60]).unwrap();
        let text = jpeg_thumbnail(&frame).unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap();
        assert!(bytes.starts_with(&[0xFF, 0xD8, 0xFF]));
        assert!(bytes.len() < 32 * 1024);
    }

    #[test]
    fn no_faces_is_a_shot_with_advice() {
        let frame = RgbFrame::filled(8, 8, [0, 0, 0]).unwrap();
        let report = judge_shot(&[], &frame);
        assert!(!report.good);
        assert_eq!(report.issue.as_deref(), Some("no_face"));
        assert_eq!(report.faces, 0);
    }
}
