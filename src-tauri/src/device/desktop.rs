//! The sensors of a laptop or desktop: no GPS (the room's policy then rests on the
//! other factors), Wi-Fi through NetworkManager where it is installed, BLE beacons
//! through BlueZ where there is an adapter, and no live
//! camera QR reader (the student types the six digits or picks a photo of the code).
//! Each missing one says so in words. No biometric prompt either: the device key
//! sits in the OS keystore, which the user's own session unlocks.

use rollcall_core::geofence::LocationFix;
use rollcall_core::radio::RadioScan;

use super::wifi_scan::NetworkManagerWifi;
use rollcall_checkin::sensors::{
    BiometricGate, LocationSource, QrScanner, RadioScanner, SensorError,
};

/// A desktop's sensors.
#[derive(Debug, Clone, Copy, Default)]
pub struct DesktopSensors;

impl LocationSource for DesktopSensors {
    fn fix(&self) -> Result<LocationFix, SensorError> {
        Err(SensorError::Absent("GPS"))
    }
}

/// How long a desktop listens for BLE beacons.
const BLE_LISTEN: std::time::Duration = std::time::Duration::from_secs(2);

impl RadioScanner for DesktopSensors {
    fn scan(&self) -> Result<RadioScan, SensorError> {
        let wifi = NetworkManagerWifi::default().scan();
        let beacons = super::ble_scan::listen(BLE_LISTEN);
        match (wifi, beacons) {
            (Err(wifi), Err(_)) => Err(wifi),
            (wifi, beacons) => Ok(RadioScan {
                wifi: wifi.map(|scan| scan.wifi).unwrap_or_default(),
                beacons: beacons.unwrap_or_default(),
            }),
        }
    }
}

impl QrScanner for DesktopSensors {
    fn scan(&self) -> Result<String, SensorError> {
        super::qr_reader::NoLiveCamera.scan()
    }
}

impl BiometricGate for DesktopSensors {
    fn confirm(&self, _reason: &str) -> Result<(), SensorError> {
        // The keystore is unlocked with the user's session; there is no second
        // prompt on desktops (the biometric plugin has nothing to ask on Linux).
        Ok(())
    }
}
