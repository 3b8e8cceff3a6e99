//! The student's check-in: sensors, the phone's key and registration, the
//! SQLite outbox and the sync worker.

#[cfg(not(target_os = "android"))]
pub mod ble_scan;
#[cfg(desktop)]
pub mod desktop;
pub mod key_store;
#[cfg(mobile)]
pub mod mobile;
pub mod outbox;
pub mod phone;
pub mod qr_reader;
pub mod selfie;
pub mod sensors;
pub mod student_phone;
pub mod sync;
pub mod wifi_scan;
