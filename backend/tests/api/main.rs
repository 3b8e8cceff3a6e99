//! The HTTP API through a real socket, each test on a fresh database.

mod account;
mod attendance;
mod contract;
mod devices;
mod helpers;
mod kiosk_marks;
mod login;
mod operations;
mod privacy;
mod reports;
mod school;
mod settings;
mod smtp_sink;
mod surface;
mod users;
