//! Instants as whole unix seconds, always passed in by the caller.
//!
//! Core never reads a clock: the server passes its arrival time, the phone its
//! own, and tests any instant they like, so every rule is reproducible.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An instant, as whole seconds since 1970-01-01T00:00:00Z (UTC).
///
/// Serialised as a plain integer so the phone, the server and the database
/// agree on it without a date parser. Read from outside (JSON), it must lie in
/// [`Timestamp::EARLIEST`]`..=`[`Timestamp::LATEST`]: every such instant is a
/// calendar date that every clock library and Postgres can hold, so a claim
/// "scanned" in year 10000 or at `i64::MIN` is bad input, not a server error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "i64", try_from = "i64")]
pub struct Timestamp(i64);

/// An instant outside the range a [`Timestamp`] may be read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not an instant between 1970-01-01 and 9999-12-31 (unix seconds)")]
pub struct OutOfRange(pub i64);

impl TryFrom<i64> for Timestamp {
    type Error = OutOfRange;

    fn try_from(seconds: i64) -> Result<Self, OutOfRange> {
        Self::checked(seconds)
    }
}

impl From<Timestamp> for i64 {
    fn from(t: Timestamp) -> Self {
        t.0
    }
}

impl Timestamp {
    /// The earliest instant read from outside: 1970-01-01T00:00:00Z.
    pub const EARLIEST: Self = Self(0);
    /// The latest instant read from outside: 9999-12-31T23:59:59Z.
    pub const LATEST: Self = Self(253_402_300_799);

    /// The instant `seconds` after the unix epoch, if it lies in
    /// [`Self::EARLIEST`]`..=`[`Self::LATEST`].
    ///
    /// # Errors
    /// [`OutOfRange`] otherwise.
    pub const fn checked(seconds: i64) -> Result<Self, OutOfRange> {
        if seconds < Self::EARLIEST.0 || seconds > Self::LATEST.0 {
            Err(OutOfRange(seconds))
        } else {
            Ok(Self(seconds))
        }
    }

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

    #[test]
    fn only_calendar_instants_are_read_from_outside() {
        for bad in [i64::MIN, -1, 253_402_300_800, i64::MAX] {
            let text = bad.to_string();
            assert!(
                serde_json::from_str::<Timestamp>(&text).is_err(),
                "{bad} was read"
            );
        }
        for good in [0, 1_800_000_000, 253_402_300_799] {
            let t: Timestamp = serde_json::from_str(&good.to_string()).unwrap();
            assert_eq!(t.unix(), good);
        }
        assert!(serde_json::from_str::<Timestamp>("1e20").is_err());
        assert!(serde_json::from_str::<Timestamp>("12.5").is_err());
    }
}
