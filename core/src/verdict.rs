//! The answer to a claim: accepted, review, or rejected, with reasons that a
//! program can branch on (a stable snake_case [`ReasonCode`]) and a person can
//! read (a sentence).

use crate::policy::{Factor, Status};
use crate::timestamp::Timestamp;
use serde::{Deserialize, Serialize};

/// What happens to the claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "snake_case")
)]
pub enum Outcome {
    /// Refused: the student is not marked present by this claim.
    Rejected,
    /// Goes to the admin's review queue: something is doubtful.
    Review,
    /// The student is marked present.
    Accepted,
}

impl Outcome {
    /// The name used in the API and in storage.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Rejected => "rejected",
            Self::Review => "review",
            Self::Accepted => "accepted",
        }
    }

    /// The outcome a policy status leads to.
    #[must_use]
    pub const fn from_status(status: Status) -> Self {
        match status {
            Status::Pass => Self::Accepted,
            Status::Doubtful => Self::Review,
            Status::Fail => Self::Rejected,
        }
    }
}

/// How much a reason weighs on the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// This reason rejects the claim.
    Rejects,
    /// This reason sends the claim to review.
    NeedsReview,
    /// Reported for the record; it does not change the outcome (a factor
    /// the policy does not need, or one side of an `|` whose other side
    /// passed).
    Info,
}

/// The stable, machine-readable code of a reason. Never renamed; new codes
/// may be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReasonCode {
    // claim as a whole
    /// The claim names another session than the one it was submitted to.
    WrongSession,
    /// The session had not started at the instant judged.
    SessionNotStarted,
    /// The session had ended at the instant judged.
    SessionEnded,
    /// The device's scan time is later than the server's arrival time.
    ScanTimeInFuture,
    /// The claim arrived after the longest allowed offline delay.
    ClaimTooOld,
    /// The claim was made offline and synced later; judged at its scan time.
    SyncedLate,
    /// The device signature does not match the registered key.
    SignatureInvalid,
    /// The device is not this student's bound device (unknown, pending
    /// approval, or revoked).
    DeviceNotBound,
    /// The student is not in the session's division: the claim is refused
    /// and nothing is written.
    NotInDivision,
    /// The claim id was already used by someone else; nothing about that
    /// claim is revealed and nothing is written.
    ClaimIdTaken,
    /// Synced late with a token that had expired by the time it reached the
    /// server, so its scan time is only the device's word; the school's
    /// late-sync rule decides (a review by default).
    LateScanUnverified,
    // token
    /// Neither a QR payload nor an OTP.
    TokenMissing,
    /// The QR belongs to another session.
    QrWrongSession,
    /// The QR's tag is not genuine.
    QrForged,
    /// The QR's validity has ended.
    QrExpired,
    /// The QR's slot had not started at the instant judged.
    QrNotYetValid,
    /// The OTP is wrong.
    OtpWrong,
    /// The OTP is a past code of this session.
    OtpExpired,
    /// Too many wrong OTPs in this session.
    OtpLocked,
    // location
    /// No location fix.
    LocationMissing,
    /// The OS flagged the fix as mocked.
    LocationMocked,
    /// The fix is outside the room's fence.
    OutsideGeofence,
    /// The fix is too imprecise to decide.
    LocationInaccurate,
    /// The fix was taken too long before the scan.
    LocationStale,
    /// The room has no geofence.
    GeofenceNotConfigured,
    // radio
    /// No radio scan.
    RadioMissing,
    /// Too few of the room's access points or beacons were heard.
    RadioNotSeen,
    /// Enough were heard, but only counting weak signals.
    RadioWeak,
    /// The room lists no access points or beacons.
    RadioNotConfigured,
    // face
    /// No face evidence.
    FaceMissing,
    /// The face score is below the threshold.
    FaceNoMatch,
    /// The face score is just above the threshold.
    FaceBorderline,
    /// The liveness check said spoof.
    FaceLivenessFailed,
    /// Liveness is required and was not taken.
    FaceLivenessMissing,
    /// The score came from another model than the calibrated one.
    FaceModelMismatch,
    /// No face settings are configured.
    FaceNotConfigured,
    /// The student has no enrolled template for the model the score came
    /// from, so the score cannot be theirs.
    FaceNotEnrolled,
    // anomalies
    /// The student would have travelled impossibly fast since their last
    /// located claim.
    ImpossibleTravel,
    /// This device recently checked in other students.
    SharedDevice,
}

impl ReasonCode {
    /// Whether a teacher sees this reason of a student's latest claim as a
    /// flag on the roster and the class sheet.
    #[must_use]
    pub const fn is_roster_flag(self) -> bool {
        matches!(
            self,
            Self::LocationMocked
                | Self::OutsideGeofence
                | Self::LocationInaccurate
                | Self::SharedDevice
                | Self::ImpossibleTravel
                | Self::DeviceNotBound
                | Self::SignatureInvalid
                | Self::OtpLocked
                | Self::LateScanUnverified
                | Self::FaceNotEnrolled
        )
    }

    /// A short phrase a person reads on a chip or in a sheet's column.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::WrongSession => "Another class's claim",
            Self::SessionNotStarted => "Class not started",
            Self::SessionEnded => "Class had ended",
            Self::ScanTimeInFuture => "Phone clock ahead",
            Self::ClaimTooOld => "Synced too late",
            Self::SyncedLate => "Synced late",
            Self::SignatureInvalid => "Bad signature",
            Self::DeviceNotBound => "Unapproved phone",
            Self::NotInDivision => "Not in this division",
            Self::ClaimIdTaken => "Claim id reused",
            Self::LateScanUnverified => "Synced late, unverified",
            Self::TokenMissing => "No code",
            Self::QrWrongSession => "Another class's QR",
            Self::QrForged => "Forged QR",
            Self::QrExpired => "Expired QR",
            Self::QrNotYetValid => "QR from the future",
            Self::OtpWrong => "Wrong code",
            Self::OtpExpired => "Expired code",
            Self::OtpLocked => "Code locked",
            Self::LocationMissing => "No location",
            Self::LocationMocked => "Mocked location",
            Self::OutsideGeofence => "Outside the room",
            Self::LocationInaccurate => "Vague location",
            Self::LocationStale => "Old location",
            Self::GeofenceNotConfigured => "Room has no fence",
            Self::RadioMissing => "No radio scan",
            Self::RadioNotSeen => "Room's radios not heard",
            Self::RadioWeak => "Weak radio signal",
            Self::RadioNotConfigured => "Room has no radios",
            Self::FaceMissing => "No face check",
            Self::FaceNoMatch => "Face did not match",
            Self::FaceBorderline => "Face match borderline",
            Self::FaceLivenessFailed => "Photo or screen, not a face",
            Self::FaceLivenessMissing => "No liveness check",
            Self::FaceModelMismatch => "Other face model",
            Self::FaceNotConfigured => "Face check off",
            Self::FaceNotEnrolled => "No face enrolled",
            Self::ImpossibleTravel => "Impossible travel",
            Self::SharedDevice => "Shared phone",
        }
    }

    /// The code named `text` (its `snake_case` name), if there is one.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        use serde::de::IntoDeserializer as _;
        let text: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
            text.into_deserializer();
        Self::deserialize(text).ok()
    }
}

/// One reason behind a verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// The stable code.
    pub code: ReasonCode,
    /// The factor it concerns, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<Factor>,
    /// How it weighs on the outcome.
    pub severity: Severity,
    /// A sentence a person can read, e.g. "84 m outside Room B-204".
    pub message: String,
}

/// The status each factor got, for the roster and the review screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorStatus {
    /// The factor.
    pub factor: Factor,
    /// Its status.
    pub status: Status,
    /// Whether the policy mentions it.
    pub required: bool,
}

/// The decision on one claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// Accepted, review or rejected.
    pub outcome: Outcome,
    /// Why, most severe first; empty for a clean acceptance.
    pub reasons: Vec<Reason>,
    /// The factors judged (present or required), in [`Factor::ALL`] order.
    pub factors: Vec<FactorStatus>,
    /// The instant the token and the session window were judged at.
    pub judged_at: Timestamp,
    /// Whether the claim was synced late (judged at its scan time).
    pub synced_late: bool,
}

impl Verdict {
    /// A claim refused outright for one reason, with nothing else judged.
    #[must_use]
    pub fn refused(code: ReasonCode, message: String, judged_at: Timestamp) -> Self {
        Self {
            outcome: Outcome::Rejected,
            reasons: vec![Reason {
                code,
                factor: None,
                severity: Severity::Rejects,
                message,
            }],
            factors: Vec::new(),
            judged_at,
            synced_late: false,
        }
    }

    /// Adds a reason and lowers the outcome to what its severity demands.
    pub fn add(&mut self, reason: Reason) {
        let cap = match reason.severity {
            Severity::Rejects => Outcome::Rejected,
            Severity::NeedsReview => Outcome::Review,
            Severity::Info => Outcome::Accepted,
        };
        self.outcome = self.outcome.min(cap);
        let at = self
            .reasons
            .partition_point(|r| r.severity <= reason.severity);
        self.reasons.insert(at, reason);
    }

    /// Whether any reason has this code.
    #[must_use]
    pub fn has(&self, code: ReasonCode) -> bool {
        self.reasons.iter().any(|r| r.code == code)
    }

    /// The status a factor got, if it was judged.
    #[must_use]
    pub fn factor(&self, factor: Factor) -> Option<Status> {
        self.factors
            .iter()
            .find(|f| f.factor == factor)
            .map(|f| f.status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(code: ReasonCode, severity: Severity) -> Reason {
        Reason {
            code,
            factor: None,
            severity,
            message: String::new(),
        }
    }

    #[test]
    fn reasons_lower_the_outcome_and_sort_by_severity() {
        let mut v = Verdict {
            outcome: Outcome::Accepted,
            reasons: vec![],
            factors: vec![],
            judged_at: Timestamp::from_unix(0),
            synced_late: false,
        };
        v.add(reason(ReasonCode::SyncedLate, Severity::Info));
        assert_eq!(v.outcome, Outcome::Accepted);
        v.add(reason(ReasonCode::SharedDevice, Severity::NeedsReview));
        assert_eq!(v.outcome, Outcome::Review);
        v.add(reason(ReasonCode::QrForged, Severity::Rejects));
        assert_eq!(v.outcome, Outcome::Rejected);
        v.add(reason(ReasonCode::ImpossibleTravel, Severity::NeedsReview));
        assert_eq!(v.outcome, Outcome::Rejected);
        let codes: Vec<_> = v.reasons.iter().map(|r| r.code).collect();
        assert_eq!(
            codes,
            [
                ReasonCode::QrForged,
                ReasonCode::SharedDevice,
                ReasonCode::ImpossibleTravel,
                ReasonCode::SyncedLate
            ]
        );
        assert!(v.has(ReasonCode::QrForged));
        let json = serde_json::to_value(&v.reasons[0]).unwrap();
        assert_eq!(json["code"], "qr_forged");
        assert_eq!(json["severity"], "rejects");
        assert_eq!(
            serde_json::to_string(&ReasonCode::OutsideGeofence).unwrap(),
            "\"outside_geofence\""
        );
    }

    #[test]
    fn codes_parse_from_their_names_and_flags_have_labels() {
        assert_eq!(
            ReasonCode::parse("late_scan_unverified"),
            Some(ReasonCode::LateScanUnverified)
        );
        assert_eq!(ReasonCode::parse("device_not_approved"), None);
        assert_eq!(ReasonCode::parse(""), None);
        assert!(ReasonCode::SharedDevice.is_roster_flag());
        assert!(!ReasonCode::SyncedLate.is_roster_flag());
        assert_eq!(ReasonCode::LocationMocked.label(), "Mocked location");
    }
}
