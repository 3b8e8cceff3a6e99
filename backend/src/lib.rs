//! # rollcall-server
//!
//! The HTTP server behind every Rollcall app: it owns the school's data in
//! Postgres and re-verifies every claim with the rules of `rollcall-core`.
//!
//! - [`cli`]: the `serve`, `migrate`, `seed-demo` and `db` subcommands.
//! - [`config`]: configuration from the environment.
//! - [`private_cluster`]: the embedded default database, a Postgres cluster of
//!   the server's own under its data folder.
//! - [`database`]: the pool and the migrations.
//! - [`http`]: the router, the error envelope and the endpoints.
//! - [`auth`]: password hashing and access tokens.
//! - [`attendance`]: sessions, claims, records, the live roster.
//! - [`audit`]: the audit log of admin writes.
//! - [`reports`]: attendance reports, CSV and PDF.
//! - [`face_templates`]: templates encrypted at rest.
//! - [`privacy`]: retention of location evidence.
//! - [`seed`]: the demo school.
//! - [`testing`]: starting a server on a loopback port for tests.

pub mod attendance;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod config;
pub mod database;
pub mod face_templates;
pub mod grouped;
pub mod http;
pub mod privacy;
pub mod private_cluster;
pub mod reports;
pub mod seed;
pub mod testing;

/// The server's version, as `GET /api/v1/meta` reports it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
