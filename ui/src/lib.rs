//! Rollcall's Yew frontend. It never talks to the network: every call goes to the Rust
//! side through [`client`].
//!
//! By role, each a folder with its desk (the screen the role lands on) and what it opens:
//! - [`student`]: checking in (`student::check_in_screen`), the outbox's state,
//!   the student's own attendance.
//! - [`teacher`]: today's classes, the classroom with its presentation screen, the live
//!   roster and marks.
//! - [`admin`]: the dashboard and reports, the review queue, people and devices, the
//!   school's structure (rooms, subjects, divisions, the timetable, settings), faces.
//! - [`kiosk`]: the door that recognises enrolled faces.
//!
//! Shared by them: [`app`] (sign-in or the workspace), [`workspace`] (the bar and the
//! role's desk), [`shared`] (the session, the webcam, labels, clock times) and [`client`].

mod admin;
mod app;
pub mod client;
mod kiosk;
mod shared;
mod student;
mod teacher;
mod workspace;

pub use app::App;
