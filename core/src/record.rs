//! A student's record in a session: present or late by the session's late
//! line, at the instant the claim was judged; and which record stands when a
//! second one arrives. The server writes every record (claims, kiosk marks,
//! review decisions, manual marks, the absences at a session's end) by these
//! rules, so a claim accepted at once and the same claim approved from the
//! review queue get the same mark.

use serde::{Deserialize, Serialize};

use crate::api::AttendanceStatus;
use crate::timestamp::Timestamp;

/// Where a session's "late" begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LateLine {
    /// When the session started (or was timetabled to start, before it did).
    pub starts_at: Timestamp,
    /// Minutes after the start from which a check-in is late.
    pub late_after_min: u16,
}

impl LateLine {
    /// The last instant that is still on time.
    #[must_use]
    pub fn on_time_until(&self) -> Timestamp {
        self.starts_at.plus(i64::from(self.late_after_min) * 60)
    }

    /// Present, or late when judged after the line.
    #[must_use]
    pub fn status_at(&self, judged_at: Timestamp) -> AttendanceStatus {
        if judged_at > self.on_time_until() {
            AttendanceStatus::Late
        } else {
            AttendanceStatus::Present
        }
    }
}

/// The instant a stored claim was judged at: its arrival for a live claim,
/// its scan for one synced late (see [`crate::evaluate`]).
#[must_use]
pub const fn judged_instant(
    scanned_at: Timestamp,
    received_at: Timestamp,
    synced_late: bool,
) -> Timestamp {
    if synced_late {
        scanned_at
    } else {
        received_at
    }
}

/// How a record was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "snake_case")
)]
pub enum RecordSource {
    /// A student's accepted claim.
    Claim,
    /// A kiosk's accepted mark.
    Kiosk,
    /// A teacher's or an admin's mark by hand.
    Manual,
    /// Absent because nothing else stood when the session ended.
    SessionEnd,
    /// A doubtful claim approved from the review queue.
    Review,
}

impl RecordSource {
    /// Every source.
    pub const ALL: [Self; 5] = [
        Self::Claim,
        Self::Kiosk,
        Self::Manual,
        Self::SessionEnd,
        Self::Review,
    ];

    /// The name used in the API and the database.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Claim => "claim",
            Self::Kiosk => "kiosk",
            Self::Manual => "manual",
            Self::SessionEnd => "session_end",
            Self::Review => "review",
        }
    }

    /// Parses [`RecordSource::as_str`].
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|source| source.as_str() == s)
    }

    /// Whether a record made this way replaces one that stands, made
    /// `standing`: a teacher's mark replaces anything; any other record
    /// replaces only an automatic absence; otherwise the first one stands.
    #[must_use]
    pub const fn replaces(self, standing: Self) -> bool {
        matches!(self, Self::Manual)
            || (matches!(standing, Self::SessionEnd) && !matches!(self, Self::SessionEnd))
    }
}

/// Attendance as a percentage, one decimal: attended (present or late) over the
/// classes held that were not excused; `None` while no such class was held.
#[must_use]
#[allow(
    clippy::cast_precision_loss,
    reason = "counts of classes are far below 2^52"
)]
pub fn attendance_percentage(attended: u64, held: u64, excused: u64) -> Option<f64> {
    let countable = held.saturating_sub(excused);
    (countable > 0).then(|| (attended as f64 * 1000.0 / countable as f64).round() / 10.0)
}

/// Whether a percentage is below the school's at-risk line (no classes yet is
/// not at risk).
#[must_use]
pub fn at_risk(percentage: Option<f64>, line: f64) -> bool {
    percentage.is_some_and(|p| p < line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_begins_after_the_line() {
        let line = LateLine {
            starts_at: Timestamp::from_unix(36_000),
            late_after_min: 10,
        };
        assert_eq!(
            line.status_at(Timestamp::from_unix(36_000)),
            AttendanceStatus::Present
        );
        assert_eq!(
            line.status_at(Timestamp::from_unix(36_600)),
            AttendanceStatus::Present
        );
        assert_eq!(
            line.status_at(Timestamp::from_unix(36_601)),
            AttendanceStatus::Late
        );
        let at_once = LateLine {
            late_after_min: 0,
            ..line
        };
        assert_eq!(
            at_once.status_at(Timestamp::from_unix(36_001)),
            AttendanceStatus::Late
        );
    }

    #[test]
    fn a_stored_claim_is_judged_at_its_arrival_unless_synced_late() {
        let (scan, arrival) = (Timestamp::from_unix(10), Timestamp::from_unix(25));
        assert_eq!(judged_instant(scan, arrival, false), arrival);
        assert_eq!(judged_instant(scan, arrival, true), scan);
    }

    #[test]
    fn a_manual_mark_replaces_anything_and_others_only_an_automatic_absence() {
        use RecordSource::{Claim, Kiosk, Manual, Review, SessionEnd};
        for standing in RecordSource::ALL {
            assert!(Manual.replaces(standing), "manual over {standing:?}");
            assert!(
                !SessionEnd.replaces(standing),
                "session end over {standing:?}"
            );
            for incoming in [Claim, Kiosk, Review] {
                assert_eq!(incoming.replaces(standing), standing == SessionEnd);
            }
        }
        for source in RecordSource::ALL {
            assert_eq!(RecordSource::parse(source.as_str()), Some(source));
        }
        assert_eq!(RecordSource::parse("other"), None);
    }

    #[test]
    fn the_percentage_leaves_excused_classes_out_and_rounds_to_one_decimal() {
        assert_eq!(attendance_percentage(0, 0, 0), None);
        assert_eq!(attendance_percentage(0, 2, 2), None, "all excused");
        assert_eq!(attendance_percentage(2, 3, 0), Some(66.7));
        assert_eq!(attendance_percentage(2, 3, 1), Some(100.0));
        assert!(at_risk(Some(74.9), 75.0));
        assert!(!at_risk(Some(75.0), 75.0), "on the line is not below it");
        assert!(!at_risk(None, 75.0), "no classes yet");
    }
}
