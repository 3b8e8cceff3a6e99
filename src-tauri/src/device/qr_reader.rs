//! Reading the teacher's QR code from a camera frame on a desktop (the phone
//! uses the OS scanner): the frame as luminance, decoded with `rxing`.

use std::path::Path;

use image::GrayImage;
use rollcall_core::qr::QrPayload;
use rxing::BarcodeFormat;

use rollcall_checkin::sensors::{QrScanner, SensorError};

/// The text of the first QR code found in `frame`, if any.
#[must_use]
pub fn read(frame: &GrayImage) -> Option<String> {
    let (width, height) = frame.dimensions();
    rxing::helpers::detect_in_luma(
        frame.as_raw().clone(),
        width,
        height,
        Some(BarcodeFormat::QR_CODE),
    )
    .ok()
    .map(|found| found.getText().to_owned())
}

/// The text of the QR code in an encoded picture (PNG or JPEG bytes).
///
/// # Errors
/// A [`SensorError`] saying the picture could not be read or holds no QR code.
pub fn read_picture(bytes: &[u8]) -> Result<String, SensorError> {
    let frame = image::load_from_memory(bytes)
        .map_err(|e| SensorError::Failed {
            sensor: "camera",
            reason: format!("the picture could not be read: {e}"),
        })?
        .to_luma8();
    read(&frame).ok_or(SensorError::Failed {
        sensor: "camera",
        reason: "no QR code could be read in the picture".to_owned(),
    })
}

/// A camera that has already seen a code (a picture read with [`read_picture`]).
#[derive(Debug, Clone)]
pub struct SeenCode(pub String);

impl QrScanner for SeenCode {
    fn scan(&self) -> Result<String, SensorError> {
        Ok(self.0.clone())
    }
}

/// The teacher's Rollcall code in a webcam frame (base64 PNG or JPEG, a `data:`
/// URL allowed), if one is in view. Other QR codes are passed over, so a scan
/// goes on until the right code is seen.
///
/// # Errors
/// A [`SensorError`] when the frame is not a picture.
pub fn rollcall_code_in_frame(frame: &str) -> Result<Option<String>, SensorError> {
    let frame = crate::face::shots::decode_picture(frame).map_err(|e| SensorError::Failed {
        sensor: "camera",
        reason: e.to_string(),
    })?;
    let gray = image::RgbImage::from_raw(frame.width(), frame.height(), frame.pixels().to_vec())
        .map(|rgb| image::DynamicImage::ImageRgb8(rgb).to_luma8())
        .ok_or(SensorError::Failed {
            sensor: "camera",
            reason: "the frame's size does not match its pixels".to_owned(),
        })?;
    Ok(read(&gray).filter(|text| text.trim().parse::<QrPayload>().is_ok()))
}

/// No live camera behind this step: the code is typed, or a picture or the
/// phone's scanner gives it through their own commands.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLiveCamera;

impl QrScanner for NoLiveCamera {
    fn scan(&self) -> Result<String, SensorError> {
        Err(SensorError::Absent(
            "camera QR reader in this step; type the code",
        ))
    }
}

/// A camera that sees what is in an image file: the desktop's camera path fed
/// from a file (tests, and a photo the student picked).
#[derive(Debug, Clone)]
pub struct ImageFileCamera(std::path::PathBuf);

impl ImageFileCamera {
    /// A camera looking at the image in `path`.
    #[must_use]
    pub fn new(path: &Path) -> Self {
        Self(path.to_path_buf())
    }
}

impl QrScanner for ImageFileCamera {
    fn scan(&self) -> Result<String, SensorError> {
        let bytes = std::fs::read(&self.0).map_err(|e| SensorError::Failed {
            sensor: "camera",
            reason: format!("{} could not be read: {e}", self.0.display()),
        })?;
        read_picture(&bytes)
    }
}
