//! The sensors of a laptop or desktop as this build has them: no GPS (the room's
//! policy then rests on the other factors), and neither a Wi-Fi scan nor a webcam
//! QR reader yet, so the student types the six digits. Each says so in words.

use rollcall_core::geofence::LocationFix;
use rollcall_core::radio::RadioScan;

use super::sensors::{LocationSource, QrScanner, RadioScanner, SensorError};

/// A desktop's sensors.
#[derive(Debug, Clone, Copy, Default)]
pub struct DesktopSensors;

impl LocationSource for DesktopSensors {
    fn fix(&self) -> Result<LocationFix, SensorError> {
        Err(SensorError::Absent("GPS"))
    }
}

impl RadioScanner for DesktopSensors {
    fn scan(&self) -> Result<RadioScan, SensorError> {
        Err(SensorError::Absent("Wi-Fi scanner in this build"))
    }
}

impl QrScanner for DesktopSensors {
    fn scan(&self) -> Result<String, SensorError> {
        Err(SensorError::Absent(
            "camera QR reader in this build; type the code",
        ))
    }
}
