//! Rollcall's Yew frontend. It never talks to the network: every call goes to the Rust
//! side through [`client`].

pub mod camera;
pub mod charts;
pub mod client;
mod components;
pub mod csv_preview;
pub mod desk;
pub mod exports;
pub mod face_shots;
pub mod room_draft;
pub mod session;

pub use components::App;
