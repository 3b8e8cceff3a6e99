//! The HTTP API through a real socket, each test on a fresh database.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

mod account;
mod arbitrary_input;
mod attacks;
mod attendance;
mod contract;
mod devices;
mod helpers;
mod kiosk_marks;
mod login;
mod my_events;
mod operations;
mod privacy;
mod reports;
mod schemathesis;
mod school;
mod settings;
mod smtp_sink;
mod surface;
mod users;
