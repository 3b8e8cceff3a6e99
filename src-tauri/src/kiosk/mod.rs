//! The kiosk at a classroom door: the door's recognition loop and its commands.

#[allow(
    clippy::needless_pass_by_value,
    reason = "Tauri hands commands their arguments and State by value"
)]
pub mod commands;
pub mod door;
