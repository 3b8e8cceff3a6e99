//! Instants as whole unix seconds, always passed in by the caller.
//!
//! Core never reads a clock: the server passes its arrival time, the phone its
//! own, and tests any instant they like, so every rule is reproducible.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An instant, as whole seconds since 1970-01-01T00:00:00Z (UTC).
///
/// Serialised as a plain integer so the phone, the server and the database
/// agree on it without a date parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The instant `seconds` after the unix epoch (negative: before it).
    #[must_use]
    pub const fn from_unix(seconds: i64) -> Self {
        Self(seconds)
    }

    /// Seconds since the unix epoch.
    #[must_use]
    pub const fn unix(self) -> i64 {
        self.0
    }

    /// This instant moved by `seconds` (saturating at the ends of time).
    #[must_use]
    pub const fn plus(self, seconds: i64) -> Self {
        Self(self.0.saturating_add(seconds))
    }

    /// Seconds from `earlier` to `self`; negative when `earlier` is later.
    #[must_use]
    pub const fn seconds_since(self, earlier: Self) -> i64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "@{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates_and_measures_signed_gaps() {
        let t = Timestamp::from_unix(100);
        assert_eq!(t.plus(20).unix(), 120);
        assert_eq!(t.plus(20).seconds_since(t), 20);
        assert_eq!(t.seconds_since(t.plus(20)), -20);
        assert_eq!(Timestamp::from_unix(i64::MAX).plus(1).unix(), i64::MAX);
        assert_eq!(serde_json::to_string(&t).unwrap(), "100");
    }
}
