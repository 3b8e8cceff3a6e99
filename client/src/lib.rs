//! # rollcall-client
//!
//! The one typed client of the Rollcall server's HTTP API: every route of the
//! OpenAPI document once, as a function that takes and returns `rollcall-core`'s
//! types, and the error envelope turned into one typed error. The desktop and
//! phone app, the tests and (compiled to wasm32, over the browser's fetch) the
//! students' web app all talk to the server through it.
//!
//! ## Table of contents
//! - [`Client`]: the signed-in session (tokens kept here, renewed once when a
//!   request finds the access token expired), sign-in and sign-out.
//! - [`ServerAddress`]: a server's base address, as a person types it.
//! - [`ClientError`]: every way a call fails, with a stable code.
//! - [`routes`]: the table of routes the endpoint functions are made from; a
//!   test checks it against the server's document both ways.
//! - The endpoints, by the API's tags: [`endpoints::account`],
//!   [`endpoints::users`], [`endpoints::school`], [`endpoints::devices`],
//!   [`endpoints::sessions`], [`endpoints::attendance`], [`endpoints::reports`],
//!   [`endpoints::face`], [`endpoints::operations`].
//! - [`live`]: a session's live roster over a WebSocket (host only).
//! - [`every_page`]: the whole of a short paged list.

mod address;
mod client;
pub mod endpoints;
mod error;
#[cfg(not(target_arch = "wasm32"))]
pub mod live;
pub mod paging;
mod request;
pub mod routes;

pub use address::ServerAddress;
pub use client::{Client, Session, TokenKeeper};
pub use error::ClientError;
pub use paging::every_page;
pub use request::Download;
