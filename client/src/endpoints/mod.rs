//! Every route of the API as a method of [`crate::Client`], by the API's tags.
//! Each is one line of routing: the route's constant, its parameters, its
//! query or body, and how its answer is read.

pub mod account;
pub mod attendance;
pub mod devices;
pub mod face;
pub mod operations;
pub mod reports;
pub mod school;
pub mod sessions;
pub mod users;
