//! The plugin's handle on a phone.

use serde::Deserialize;
use tauri::plugin::{Builder, PluginHandle, TauriPlugin};
use tauri::{Manager, Runtime};

use crate::{BleAdvert, BleScanRequest, Error, MockedFlag, WifiScan};

#[cfg(target_os = "ios")]
tauri::ios_plugin_binding!(init_plugin_rollcall_sensors);

/// The phone's readings through the plugin.
pub struct RollcallSensors<R: Runtime>(PluginHandle<R>);

impl<R: Runtime> std::fmt::Debug for RollcallSensors<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RollcallSensors")
    }
}

#[derive(Deserialize)]
struct Adverts {
    adverts: Vec<BleAdvert>,
}

impl<R: Runtime> RollcallSensors<R> {
    /// The access points around (on iOS: the joined one only).
    ///
    /// # Errors
    /// No permission, Wi-Fi off, or the OS's refusal, in its words.
    pub fn wifi_scan(&self) -> Result<WifiScan, Error> {
        self.0
            .run_mobile_plugin("wifiScan", ())
            .map_err(|e| Error::Phone(e.to_string()))
    }

    /// The BLE advertisements heard for `listen_ms` milliseconds (Android).
    ///
    /// # Errors
    /// No permission, Bluetooth off, or no BLE on this phone.
    pub fn ble_scan(&self, listen_ms: u32) -> Result<Vec<BleAdvert>, Error> {
        self.0
            .run_mobile_plugin::<Adverts>("bleScan", BleScanRequest { listen_ms })
            .map(|a| a.adverts)
            .map_err(|e| Error::Phone(e.to_string()))
    }

    /// Whether the OS flagged its last location fix as mocked.
    ///
    /// # Errors
    /// When the OS could not be asked.
    pub fn location_mocked(&self) -> Result<MockedFlag, Error> {
        self.0
            .run_mobile_plugin("locationMocked", ())
            .map_err(|e| Error::Phone(e.to_string()))
    }

    /// Asks Android for the plugin's permissions (`location`, `nearbyWifi`,
    /// `bluetoothScan`) and answers each one's state (`granted`, `denied`,
    /// `prompt`…). iOS asks when a reading is first made.
    ///
    /// # Errors
    /// When the OS could not be asked.
    pub fn request_permissions(&self) -> Result<std::collections::HashMap<String, String>, Error> {
        #[derive(serde::Serialize)]
        struct Request {
            permissions: [&'static str; 3],
        }
        self.0
            .run_mobile_plugin(
                "requestPermissions",
                Request {
                    permissions: ["location", "nearbyWifi", "bluetoothScan"],
                },
            )
            .map_err(|e| Error::Phone(e.to_string()))
    }
}

/// Access to [`RollcallSensors`] from the app.
pub trait RollcallSensorsExt<R: Runtime> {
    /// The plugin's handle.
    fn rollcall_sensors(&self) -> &RollcallSensors<R>;
}

impl<R: Runtime, T: Manager<R>> RollcallSensorsExt<R> for T {
    fn rollcall_sensors(&self) -> &RollcallSensors<R> {
        self.state::<RollcallSensors<R>>().inner()
    }
}

/// The plugin, to add to the app's builder on phones.
#[must_use]
pub fn init<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("rollcall-sensors")
        .setup(|app, api| {
            #[cfg(target_os = "android")]
            let handle = api.register_android_plugin("org.rollcall.sensors", "SensorsPlugin")?;
            #[cfg(target_os = "ios")]
            let handle = api.register_ios_plugin(init_plugin_rollcall_sensors)?;
            app.manage(RollcallSensors(handle));
            Ok(())
        })
        .build()
}
