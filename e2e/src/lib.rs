//! Helpers for Rollcall's desktop end-to-end journeys: a small W3C WebDriver client and a
//! guard that runs `tauri-driver` for the length of a test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test support: a failed set-up step fails the test that called it"
)]

pub mod env;
pub mod journey;
pub mod mailbox;
pub mod school;
pub mod tauri_driver;
pub mod tile_server;
pub mod webdriver;
