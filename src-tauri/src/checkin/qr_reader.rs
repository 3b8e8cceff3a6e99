//! Reading the teacher's QR code from a camera frame on a desktop (the phone
//! uses the OS scanner): the frame as luminance, decoded with `rxing`.

use std::path::Path;

use image::GrayImage;
use rxing::BarcodeFormat;

use super::sensors::{QrScanner, SensorError};

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
        let frame = image::open(&self.0)
            .map_err(|e| SensorError::Failed {
                sensor: "camera",
                reason: format!("{} could not be read: {e}", self.0.display()),
            })?
            .to_luma8();
        read(&frame).ok_or(SensorError::Failed {
            sensor: "camera",
            reason: "no QR code could be read in the picture".to_owned(),
        })
    }
}
