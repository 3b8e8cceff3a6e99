//! This device's own hardware and secrets: the platform's sensors (GPS, Wi-Fi, BLE),
//! the device key in the OS keystore (or a private file), and reading QR codes from
//! camera frames. The student's check-in and the admin's "Scan nearby" both use it.

#[cfg(not(target_os = "android"))]
pub mod ble_scan;
#[cfg(desktop)]
pub mod desktop;
pub mod key_file;
pub mod key_store;
#[cfg(mobile)]
pub mod mobile;
pub mod qr_reader;
pub mod wifi_scan;
