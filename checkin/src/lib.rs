//! # rollcall-checkin
//!
//! The student's check-in with no shell in it, so the desktop app, the phone
//! app and (compiled to wasm32) the phone's browser run the same engine:
//!
//! - [`sensors`]: what a check-in reads (location, radio, the QR camera, the
//!   biometric gate), as traits each shell implements; [`sensors::Simulated`]
//!   for tests.
//! - [`signer`]: the device key behind [`signer::ClaimSigner`] (Ed25519 in the
//!   apps; a passkey in the browser comes later).
//! - [`store`]: the outbox behind [`store::ClaimStore`]: a claim is kept before
//!   any network call and leaves only with the server's answer.
//!   [`sqlite::Outbox`] is the app's (feature `sqlite`).
//! - [`phone`]: [`phone::Phone`] builds a claim from the readings, asks the
//!   gate, signs and stores it.
//! - [`sync`]: [`sync::Courier`], the one owner of sending: batches, backoff
//!   with jitter, the server's `Retry-After`, and the answer to a check-in
//!   for whoever waits for it.

pub mod phone;
pub mod sensors;
pub mod signer;
#[cfg(feature = "sqlite")]
pub mod sqlite;
pub mod store;
pub mod sync;
