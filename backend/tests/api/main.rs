//! The HTTP API through a real socket, each test on a fresh database.

mod helpers;
mod login;
mod surface;
