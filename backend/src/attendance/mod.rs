//! Attendance: class sessions, the claims that students and kiosks submit,
//! re-verified with `rollcall-core`, and the one record per student per
//! session that they produce; changes reach live rosters through Postgres
//! LISTEN/NOTIFY.

pub mod claim_state;
pub mod claim_writer;
pub mod claimant;
pub mod claims;
pub mod device_keys;
pub mod judged;
pub mod kiosk;
pub mod live;
pub mod otp_guesses;
pub mod record_writer;
pub mod records;
pub mod session;
pub mod signatures;

use time::OffsetDateTime;

/// Unix seconds of a database timestamp.
#[must_use]
pub fn unix(t: OffsetDateTime) -> rollcall_core::timestamp::Timestamp {
    rollcall_core::timestamp::Timestamp::from_unix(t.unix_timestamp())
}
