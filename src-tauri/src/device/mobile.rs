//! The sensors of an Android or iOS phone, through the plugins: the position from
//! `tauri-plugin-geolocation` with the OS's mocked-location flag from our own
//! `tauri-plugin-rollcall-sensors`; Wi-Fi (and BLE on Android) from our plugin;
//! the biometric gate from `tauri-plugin-biometric`. The QR code is read by
//! `tauri-plugin-barcode-scanner` in the window, which hands the text to the
//! `check_in_with_scanned_code` command.
//!
//! Written for the phones and checked with `cargo check --target
//! aarch64-linux-android`; it could not be run here (no Android or iOS device or
//! SDK). The same check-in code runs with the simulated sensors in `mobile-tests`.

use rollcall_core::geofence::{GeoPoint, LocationFix, Metres};
use rollcall_core::radio::{BeaconId, BeaconSighting, Bssid, RadioScan, Rssi, WifiSighting};
use rollcall_core::timestamp::Timestamp;
use tauri::{AppHandle, Runtime};
use tauri_plugin_biometric::{AuthOptions, BiometricExt as _};
use tauri_plugin_geolocation::{GeolocationExt as _, PositionOptions};
use tauri_plugin_rollcall_sensors::RollcallSensorsExt as _;

use super::key_store::SeedSealer;
use rollcall_checkin::sensors::{BiometricGate, LocationSource, RadioScanner, SensorError};

/// How long a GPS fix may take, in milliseconds.
const FIX_TIMEOUT_MS: u32 = 10_000;
/// How long the BLE scan listens, in milliseconds.
const BLE_LISTEN_MS: u32 = 2_000;

/// A phone's sensors.
#[derive(Debug, Clone)]
pub struct MobileSensors<R: Runtime> {
    app: AppHandle<R>,
}

impl<R: Runtime> MobileSensors<R> {
    /// The sensors of the phone the app runs on.
    #[must_use]
    pub fn new(app: AppHandle<R>) -> Self {
        Self { app }
    }
}

/// A plugin's refusal in our words: a missing permission is told apart.
fn plugin_error(sensor: &'static str, message: String) -> SensorError {
    let lower = message.to_lowercase();
    if lower.contains("permission") || lower.contains("denied") || lower.contains("not authorized")
    {
        SensorError::NotPermitted(sensor)
    } else {
        SensorError::Failed {
            sensor,
            reason: message,
        }
    }
}

impl<R: Runtime> LocationSource for MobileSensors<R> {
    fn fix(&self) -> Result<LocationFix, SensorError> {
        let position = self
            .app
            .geolocation()
            .get_current_position(Some(PositionOptions {
                enable_high_accuracy: true,
                timeout: FIX_TIMEOUT_MS,
                maximum_age: 0,
            }))
            .map_err(|e| plugin_error("location", e.to_string()))?;
        let bad = |what: &str| SensorError::Failed {
            sensor: "GPS",
            reason: format!("the OS reported {what}"),
        };
        let point = GeoPoint::new(position.coords.latitude, position.coords.longitude)
            .map_err(|_| bad("a position off the globe"))?;
        let accuracy =
            Metres::new(position.coords.accuracy).map_err(|_| bad("a negative accuracy"))?;
        // A flag that cannot be read is not taken as "mocked": the server's
        // other checks (accuracy, travel speed, radio) still apply.
        let mocked = self
            .app
            .rollcall_sensors()
            .location_mocked()
            .map(|flag| flag.known && flag.mocked)
            .unwrap_or(false);
        let seconds = i64::try_from(position.timestamp / 1000).unwrap_or(i64::MAX);
        Ok(LocationFix {
            point,
            accuracy,
            mocked,
            fixed_at: Timestamp::from_unix(seconds),
        })
    }
}

impl<R: Runtime> RadioScanner for MobileSensors<R> {
    fn scan(&self) -> Result<RadioScan, SensorError> {
        let sensors = self.app.rollcall_sensors();
        let wifi = sensors
            .wifi_scan()
            .map_err(|e| plugin_error("Wi-Fi", e.to_string()));
        let beacons = ble_beacons(&self.app);
        if let (Err(wifi), Err(_)) = (&wifi, &beacons) {
            return Err(wifi.clone());
        }
        let wifi = wifi
            .map(|scan| {
                scan.access_points
                    .iter()
                    .filter_map(|ap| {
                        Some(WifiSighting {
                            bssid: ap.bssid.parse::<Bssid>().ok()?,
                            // iOS gives the joined network without a strength:
                            // joined means in range, taken as a fair signal.
                            rssi: Rssi::new(ap.rssi.unwrap_or(JOINED_RSSI)).ok()?,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(RadioScan {
            wifi,
            beacons: beacons.unwrap_or_default(),
        })
    }
}

/// The signal taken for the joined network where the OS gives none (iOS).
const JOINED_RSSI: i16 = -65;

#[cfg(target_os = "android")]
fn ble_beacons<R: Runtime>(app: &AppHandle<R>) -> Result<Vec<BeaconSighting>, SensorError> {
    let adverts = app
        .rollcall_sensors()
        .ble_scan(BLE_LISTEN_MS)
        .map_err(|e| plugin_error("Bluetooth", e.to_string()))?;
    Ok(adverts
        .iter()
        .filter_map(|advert| {
            let beacon = BeaconId::from_advert(
                advert
                    .manufacturer_data
                    .iter()
                    .map(|m| (m.company_id, m.data.as_slice())),
                advert.name.as_deref(),
            )?;
            Some(BeaconSighting {
                beacon,
                rssi: Rssi::new(advert.rssi).ok()?,
            })
        })
        .collect())
}

#[cfg(target_os = "ios")]
fn ble_beacons<R: Runtime>(_app: &AppHandle<R>) -> Result<Vec<BeaconSighting>, SensorError> {
    super::ble_scan::listen(std::time::Duration::from_millis(u64::from(BLE_LISTEN_MS)))
}

impl<R: Runtime> BiometricGate for MobileSensors<R> {
    fn confirm(&self, reason: &str) -> Result<(), SensorError> {
        let biometric = self.app.biometric();
        let status = biometric
            .status()
            .map_err(|e| plugin_error("biometrics", e.to_string()))?;
        // The phone's PIN or pattern is accepted too: a phone without a
        // fingerprint reader is still locked to its owner. One with no lock at
        // all is refused (the key would sign for whoever holds it).
        let options = AuthOptions {
            allow_device_credential: true,
            title: Some("Rollcall check-in".to_owned()),
            cancel_title: Some("Cancel".to_owned()),
            ..AuthOptions::default()
        };
        match biometric.authenticate(reason.to_owned(), options) {
            Ok(()) => Ok(()),
            Err(e) if !status.is_available => Err(SensorError::Absent(
                "fingerprint, face or screen lock set up",
            ))
            .inspect_err(|_| eprintln!("rollcall: biometric gate unavailable: {e}")),
            Err(_) => Err(SensorError::NotPermitted("device key")),
        }
    }
}

/// Seals the device key's seed with the Android Keystore key of
/// `tauri-plugin-biometric` (AES-GCM, usable only after a strong biometric).
#[cfg(target_os = "android")]
#[derive(Debug, Clone)]
pub struct KeystoreSealer<R: Runtime> {
    app: AppHandle<R>,
}

#[cfg(target_os = "android")]
impl<R: Runtime> KeystoreSealer<R> {
    /// The sealer of the phone the app runs on.
    #[must_use]
    pub fn new(app: AppHandle<R>) -> Self {
        Self { app }
    }

    fn cipher(&self, options: AuthOptions) -> Result<String, String> {
        self.app
            .biometric()
            .biometric_cipher("Unlock your Rollcall device key".to_owned(), options)
            .map(|result| result.data)
            .map_err(|e| e.to_string())
    }
}

#[cfg(target_os = "android")]
impl<R: Runtime> SeedSealer for KeystoreSealer<R> {
    fn seal(&self, seed_hex: &str) -> Result<String, String> {
        self.cipher(AuthOptions {
            data_to_encrypt: Some(seed_hex.to_owned()),
            title: Some("Rollcall".to_owned()),
            ..AuthOptions::default()
        })
    }

    fn unseal(&self, sealed: &str) -> Result<String, String> {
        self.cipher(AuthOptions {
            data_to_decrypt: Some(sealed.to_owned()),
            title: Some("Rollcall".to_owned()),
            ..AuthOptions::default()
        })
    }
}
