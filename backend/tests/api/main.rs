//! The HTTP API through a real socket, each test on a fresh database.

mod account;
mod devices;
mod helpers;
mod login;
mod operations;
mod smtp_sink;
mod surface;
mod users;
