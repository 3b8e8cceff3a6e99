//! The sensors of a laptop or desktop: no GPS (the room's policy then rests on the
//! other factors), Wi-Fi through NetworkManager where it is installed, and no live
//! camera QR reader (the student types the six digits or picks a photo of the code).
//! Each missing one says so in words.

use rollcall_core::geofence::LocationFix;
use rollcall_core::radio::RadioScan;

use super::sensors::{LocationSource, QrScanner, RadioScanner, SensorError};
use super::wifi_scan::NetworkManagerWifi;

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
        NetworkManagerWifi::default().scan()
    }
}

impl QrScanner for DesktopSensors {
    fn scan(&self) -> Result<String, SensorError> {
        Err(SensorError::Absent(
            "camera QR reader in this build; type the code",
        ))
    }
}
