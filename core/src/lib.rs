//! # rollcall-core
//!
//! Everything that decides whether a check-in is valid lives here, once, so the
//! phone, the kiosk and the server reach the same verdict for the same reasons.
//! This crate does no I/O, needs no async runtime, reads no clock and owns no
//! random source (time and RNGs are parameters); it builds for native,
//! `wasm32-unknown-unknown` and the mobile targets.
//!
//! ## Table of contents: the rules
//! - [`evaluate`]: **the verdict on a claim**: [`evaluate::evaluate`] and
//!   [`evaluate::evaluate_signed`] over a [`evaluate::SessionContext`].
//! - [`verdict`]: accepted / review / rejected, with reasons that carry a
//!   stable [`verdict::ReasonCode`] and a sentence.
//! - [`policy`]: which factors are required, `token & location & (radio | face)`,
//!   judged with three-valued logic (pass, doubtful, fail).
//! - [`qr`]: the rotating QR: HMAC-SHA256 over session and time slot,
//!   valid in its slot and the next.
//! - [`otp`]: the six-digit TOTP typed instead of scanning.
//! - [`geofence`]: circle and polygon fences, geodesic distance, accuracy,
//!   mocked and stale fixes.
//! - [`radio`]: expected Wi-Fi BSSIDs and BLE beacons with minimum RSSI.
//! - [`face`]: embedding math: normalisation, cosine, enrolment template,
//!   1:1 threshold with a doubtful margin, 1:N top-k search.
//! - [`anomaly`]: session not running, impossible travel, shared devices.
//! - [`record`]: present or late by the late line, and which record stands
//!   when a second one arrives.
//!
//! ## The data
//! - [`claim`]: a claim and its evidence, with canonical bytes for signing.
//! - [`signing`]: Ed25519 device keys that sign claims.
//! - [`ids`]: typed ids (student, session, device, room, claim).
//! - [`timestamp`]: instants as unix seconds, passed in by the caller.
//! - [`api`]: the request and response types of the HTTP API, shared by the
//!   server, the app and the UI so no DTO is written twice.
#![warn(missing_docs)]

pub mod anomaly;
pub mod api;
pub mod claim;
pub mod evaluate;
pub mod face;
pub mod geofence;
pub mod ids;
#[cfg(feature = "openapi")]
mod openapi;
pub mod otp;
pub mod policy;
pub mod qr;
pub mod radio;
pub mod record;
pub mod signing;
pub mod timestamp;
pub mod verdict;
