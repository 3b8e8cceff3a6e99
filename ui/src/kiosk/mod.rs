//! The kiosk's screen at a classroom door.

pub mod desk;
