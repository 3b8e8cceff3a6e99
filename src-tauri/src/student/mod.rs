//! The student's side: this device as the student's phone (its key, registration,
//! outbox and sync worker), the on-device selfie check, and the commands behind the
//! student's screens. The engine itself (claims, the outbox, the one sync worker) is
//! `rollcall-checkin`, which has no Tauri in it.

#[allow(
    clippy::needless_pass_by_value,
    reason = "Tauri hands commands their arguments and State by value"
)]
pub mod commands;
pub mod events;
pub mod phone;
pub mod selfie;
