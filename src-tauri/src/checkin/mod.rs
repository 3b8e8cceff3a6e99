//! The student's check-in on this device: the platform's sensors, the device
//! key in the OS keystore (or a private file), reading QR codes from pictures,
//! the selfie check, and the prepared phone. The engine itself (claims, the
//! outbox, the one sync worker) is `rollcall-checkin`, which has no Tauri in it.

#[cfg(not(target_os = "android"))]
pub mod ble_scan;
#[cfg(desktop)]
pub mod desktop;
pub mod key_file;
pub mod key_store;
#[cfg(mobile)]
pub mod mobile;
pub mod qr_reader;
pub mod selfie;
pub mod student_phone;
pub mod wifi_scan;
