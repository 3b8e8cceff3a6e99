//! The teacher's side: the classroom (today's classes, the presentation screen's QR
//! and OTP, manual marks, ending a class), the live roster, and their commands.

pub mod classroom;
#[allow(
    clippy::needless_pass_by_value,
    reason = "Tauri hands commands their arguments and State by value"
)]
pub mod commands;
pub mod live;
pub mod presentation;

pub use classroom::Classroom;
