//! Request and response bodies of the `/api/v1` HTTP API.
//!
//! The server serialises these, the app deserialises them, and the UI receives
//! them through Tauri commands; one definition keeps the three in step.
//!
//! - [`account`]: roles, sign-in, tokens, passwords, the error envelope.
//! - [`app`]: the Tauri commands' arguments, answers and errors.
//! - [`attendance`]: class sessions, claims, records and the roster.
//! - [`devices`]: student devices (binding) and kiosks.
//! - [`face`]: face checks, enrolment and the kiosk's frames.
//! - [`operations`]: health answers and the audit log.
//! - [`paging`]: list parameters and pages.
//! - [`queries`]: the query strings of lists, reports and files.
//! - [`school`]: divisions, subjects, rooms, access points, timetable.
//! - [`users`]: accounts as an admin manages them, and CSV import.

pub mod account;
pub mod app;
pub mod attendance;
pub mod devices;
pub mod events;
pub mod face;
pub mod operations;
pub mod paging;
pub mod queries;
pub mod school;
pub mod users;

pub use account::*;
pub use app::*;
pub use attendance::*;
pub use devices::*;
pub use events::*;
pub use face::*;
pub use operations::*;
pub use paging::*;
pub use queries::*;
pub use school::*;
pub use users::*;
