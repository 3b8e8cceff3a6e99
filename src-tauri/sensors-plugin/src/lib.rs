//! Rollcall's own Tauri plugin for the phone readings the official plugins do not
//! give: the Wi-Fi access points around (Android's `WifiManager` scan results;
//! iOS lets an app read only the network it has joined), BLE advertisements on
//! Android, and the OS's mocked-location flag for the last fix
//! (`tauri-plugin-geolocation` reports a position but not that flag).
//!
//! The Kotlin half is in `android/`, the Swift half in `ios/`. Only the app's Rust
//! code calls it (no commands are open to the window). On desktops the plugin is
//! not used: the app reads NetworkManager and BlueZ there.

use serde::{Deserialize, Serialize};

/// One access point the phone hears.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessPoint {
    /// Its BSSID, `aa:bb:cc:dd:ee:ff`.
    pub bssid: String,
    /// Signal strength in dBm; `None` where the OS does not say (iOS).
    pub rssi: Option<i16>,
}

/// What a Wi-Fi scan found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WifiScan {
    /// The access points heard.
    pub access_points: Vec<AccessPoint>,
    /// Only the joined network could be read (iOS), not everything around.
    pub joined_only: bool,
}

/// Manufacturer-specific data in an advertisement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManufacturerData {
    /// The Bluetooth SIG company identifier (0x004C: Apple, for iBeacons).
    pub company_id: u16,
    /// The bytes after the company identifier.
    pub data: Vec<u8>,
}

/// One BLE advertisement heard during a scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BleAdvert {
    /// The advertised local name, if any.
    pub name: Option<String>,
    /// Signal strength in dBm.
    pub rssi: i16,
    /// Manufacturer-specific data sections.
    pub manufacturer_data: Vec<ManufacturerData>,
}

/// Whether the OS flagged the last location fix as mocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MockedFlag {
    /// The OS knows of a recent fix and said whether it was mocked.
    pub known: bool,
    /// The fix came from a mock provider / was simulated by software.
    pub mocked: bool,
}

/// How long a BLE scan listens.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BleScanRequest {
    /// Milliseconds.
    pub listen_ms: u32,
}

/// Why the plugin gave no reading.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The Kotlin or Swift half refused or failed; its message.
    #[error("{0}")]
    Phone(String),
}

#[cfg(mobile)]
mod mobile;
#[cfg(mobile)]
pub use mobile::{init, RollcallSensors, RollcallSensorsExt};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_halves_answers_read_as_the_rust_types() {
        let scan: WifiScan = serde_json::from_str(
            r#"{"accessPoints":[{"bssid":"aa:bb:cc:dd:ee:ff","rssi":-51},{"bssid":"00:11:22:33:44:55","rssi":null}],"joinedOnly":false}"#,
        )
        .unwrap();
        assert_eq!(scan.access_points.len(), 2);
        assert_eq!(scan.access_points[1].rssi, None);
        let adverts: Vec<BleAdvert> = serde_json::from_str(
            r#"[{"name":null,"rssi":-70,"manufacturerData":[{"companyId":76,"data":[2,21]}]}]"#,
        )
        .unwrap();
        assert_eq!(adverts[0].manufacturer_data[0].company_id, 0x004C);
        let flag: MockedFlag = serde_json::from_str(r#"{"known":true,"mocked":true}"#).unwrap();
        assert!(flag.mocked);
    }
}
