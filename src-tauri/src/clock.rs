//! The wall clock, read in one place.

use std::time::{SystemTime, UNIX_EPOCH};

use rollcall_core::timestamp::Timestamp;

/// Milliseconds since 1970 (0 for a clock before it).
#[must_use]
pub fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Now, to the second.
#[must_use]
pub fn now() -> Timestamp {
    Timestamp::from_unix(unix_ms() / 1000)
}
