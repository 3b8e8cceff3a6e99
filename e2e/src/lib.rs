//! Helpers for Rollcall's desktop end-to-end journeys: a small W3C WebDriver client and a
//! guard that runs `tauri-driver` for the length of a test.

pub mod env;
pub mod journey;
pub mod school;
pub mod tauri_driver;
pub mod tile_server;
pub mod webdriver;
