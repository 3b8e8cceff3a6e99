//! Request and response bodies of the `/api/v1` HTTP API.
//!
//! The server serialises these, the app deserialises them, and the UI receives
//! them through Tauri commands; one definition keeps the three in step.
//!
//! - [`account`]: roles, sign-in, tokens, passwords, the error envelope.
//! - [`paging`]: list parameters and pages.
//! - [`users`]: accounts as an admin manages them, and CSV import.

pub mod account;
pub mod paging;
pub mod users;

pub use account::*;
pub use paging::*;
pub use users::*;
