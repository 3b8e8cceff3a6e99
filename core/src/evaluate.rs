//! The one function that judges a claim: [`evaluate`] (and
//! [`evaluate_signed`], which checks the device signature first).
//!
//! The phone calls it to tell the student at once, the server calls it again
//! on arrival with its own secrets and clock; both get the same verdict for
//! the same reasons.
//!
//! The order of judgement:
//! 1. the claim must be for this session;
//! 2. the instant to judge at: the server's arrival time for a live claim,
//!    the device's scan time for one synced late (which must not be older
//!    than the allowed offline delay);
//! 3. the session must be running at that instant (not before, not ended);
//! 4. each factor that is present or required by the policy is judged
//!    (pass, doubtful, fail), and the policy combines them;
//! 5. anomalies from the student's and device's history send it to review.
//!
//! A factor that fails or is doubtful is always reported; whether it rejects,
//! sends to review, or is only noted depends on whether the policy needed it.

use crate::anomaly::{
    impossible_travel, NotRunning, SessionWindow, Sighting, DEFAULT_MAX_SPEED_MPS,
};
use crate::claim::{Claim, Token};
use crate::face::{FaceCheck, FaceSettings, ModelId};
use crate::geofence::{FixCheck, RoomFence};
use crate::ids::{SessionId, StudentId};
use crate::otp::{OtpRejection, SessionOtp};
use crate::policy::{Factor, Policy, Status};
use crate::qr::{QrPeriod, QrRejection, RotatingQr, SessionSecret};
use crate::radio::RadioExpectation;
use crate::signing::{DevicePublicKey, SignedClaim};
use crate::timestamp::Timestamp;
use crate::verdict::{FactorStatus, Outcome, Reason, ReasonCode, Severity, Verdict};
use serde::{Deserialize, Serialize};

/// A session's QR and OTP rules, built once from its secret: the server
/// judges tokens with them, the teacher's app shows their codes.
#[derive(Debug, Clone)]
pub struct SessionKeys {
    qr: RotatingQr,
    otp: SessionOtp,
}

/// Why a session's keys cannot be made from what the teacher's app holds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeysError {
    /// The secret is not base64url or too short.
    #[error(transparent)]
    Secret(#[from] crate::qr::SecretTooShort),
    /// The QR period is outside 10–60 s.
    #[error(transparent)]
    Period(#[from] crate::qr::PeriodOutOfRange),
}

impl SessionKeys {
    /// The rules of `session` from its secret as text
    /// ([`SessionSecret::to_text`]) and its QR period in seconds, as the
    /// teacher's app receives them.
    ///
    /// # Errors
    /// [`KeysError`] for a secret or a period that is not usable.
    pub fn from_text(session: SessionId, secret: &str, period_s: u16) -> Result<Self, KeysError> {
        let secret = SessionSecret::from_text(secret)?;
        Ok(Self::new(session, &secret, QrPeriod::new(period_s)?))
    }

    /// The token rules of `session`.
    #[must_use]
    pub fn new(session: SessionId, secret: &SessionSecret, period: QrPeriod) -> Self {
        Self {
            qr: RotatingQr::new(session, secret, period),
            otp: SessionOtp::new(secret),
        }
    }

    /// The rotating QR rule (the teacher's app shows its payloads).
    #[must_use]
    pub const fn qr(&self) -> &RotatingQr {
        &self.qr
    }

    /// The OTP rule (the teacher's app shows its codes).
    #[must_use]
    pub const fn otp(&self) -> &SessionOtp {
        &self.otp
    }
}

/// What a claim synced late needs when its token had expired by the time it
/// reached the server: its scan time is then only the device's word, and a
/// photo of the teacher's screen sent to a friend at home would otherwise
/// pass. A school setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "text", rename_all = "snake_case")
)]
pub enum LateSync {
    /// A teacher or an admin confirms it in the review queue.
    #[default]
    Review,
    /// It is refused; the teacher marks the student by hand if they were there.
    Reject,
}

impl LateSync {
    /// The name used in the API and in storage.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Review => "review",
            Self::Reject => "reject",
        }
    }

    /// The rule named `text`, if it is one.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "review" => Some(Self::Review),
            "reject" => Some(Self::Reject),
            _ => None,
        }
    }
}

/// Time limits around a claim.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TimingRules {
    /// Seconds before the session's start at which check-in opens.
    pub early_s: i64,
    /// Seconds after the session's end during which check-in stays open.
    pub grace_after_end_s: i64,
    /// A claim arriving within this many seconds of its scan is live: judged
    /// at the arrival time. Later ones are synced late: judged at scan time.
    pub live_window_s: i64,
    /// Claims synced later than this after their scan are refused.
    pub max_late_age_s: i64,
    /// What a late claim whose token was stale on arrival needs.
    pub late_sync: LateSync,
    /// The claimant is one of the school's own devices (a kiosk bound to its
    /// room), whose scan time is taken as it says.
    pub trusted_device: bool,
    /// How far device and server clocks may disagree, seconds.
    pub max_clock_skew_s: i64,
    /// Speed above which two located claims of a student are impossible, m/s.
    pub max_speed_mps: f64,
}

impl Default for TimingRules {
    fn default() -> Self {
        Self {
            early_s: 0,
            grace_after_end_s: 300,
            live_window_s: 30,
            max_late_age_s: DEFAULT_LATE_SYNC_HOURS * 3600,
            late_sync: LateSync::Review,
            trusted_device: false,
            max_clock_skew_s: 30,
            max_speed_mps: DEFAULT_MAX_SPEED_MPS,
        }
    }
}

/// How long after its scan a claim made offline may still arrive, by default.
pub const DEFAULT_LATE_SYNC_HOURS: i64 = 24;

/// What the server knows of the claimant that the claim cannot tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enrolment<'a> {
    /// The student belongs to the session's division.
    pub in_division: bool,
    /// The model of the student's enrolled face template, if they have one.
    pub face_model: Option<&'a ModelId>,
}

/// What the caller knows of the past that the anomaly rules need.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct History<'a> {
    /// The student's most recent located claim before this one.
    pub last_sighting: Option<Sighting>,
    /// Other students this device checked in recently.
    pub other_students_on_device: &'a [StudentId],
}

/// Everything about the session a claim is judged against.
#[derive(Debug, Clone, Copy)]
pub struct SessionContext<'a> {
    /// The session the claim was submitted to.
    pub session: SessionId,
    /// When it runs.
    pub window: SessionWindow,
    /// Its QR and OTP rules.
    pub keys: &'a SessionKeys,
    /// Wrong OTPs this student already typed in this session.
    pub otp_failures: u32,
    /// The room's name, for reasons ("Room B-204").
    pub room: &'a str,
    /// The room's fence, if it has one.
    pub fence: Option<&'a RoomFence>,
    /// The room's radio fingerprint, if it has one.
    pub radio: Option<&'a RadioExpectation>,
    /// The face model's decision rule, if face is in use.
    pub face: Option<&'a FaceSettings>,
    /// Which factors are required.
    pub policy: &'a Policy,
    /// Time limits.
    pub timing: TimingRules,
    /// The past, for the anomaly rules.
    pub history: History<'a>,
    /// The claimant's division and face enrolment.
    pub enrolment: Enrolment<'a>,
}

/// Judges a signed claim: a bad signature rejects it outright; otherwise as
/// [`evaluate`].
#[must_use]
pub fn evaluate_signed(
    signed: &SignedClaim,
    device_key: &DevicePublicKey,
    ctx: &SessionContext<'_>,
    received_at: Timestamp,
) -> Verdict {
    evaluate_checked(
        &signed.claim,
        signed.verify(device_key).is_ok(),
        ctx,
        received_at,
    )
}

/// As [`evaluate_signed`], for a claim whose signature was already checked
/// against the device's key (the server checks the signatures of claims
/// arriving together in one batch: [`crate::signing::verify_many`]).
#[must_use]
pub fn evaluate_checked(
    claim: &Claim,
    signature_verifies: bool,
    ctx: &SessionContext<'_>,
    received_at: Timestamp,
) -> Verdict {
    let mut verdict = evaluate(claim, ctx, received_at);
    if !signature_verifies {
        verdict.add(Reason {
            code: ReasonCode::SignatureInvalid,
            factor: None,
            severity: Severity::Rejects,
            message: "the claim is not signed by this student's registered device".into(),
        });
    }
    verdict
}

/// Judges a claim against its session at `received_at` (the server's clock at
/// arrival; on the phone, its own clock).
#[must_use]
pub fn evaluate(claim: &Claim, ctx: &SessionContext<'_>, received_at: Timestamp) -> Verdict {
    // 0. only a class of the student's own division counts; nothing else is
    // judged (or told) for anyone else's.
    if !ctx.enrolment.in_division {
        return Verdict::refused(
            ReasonCode::NotInDivision,
            "this class is not for your division".into(),
            received_at,
        );
    }
    let t = &ctx.timing;
    let mut gates: Vec<Reason> = Vec::new();
    let gate = |code, severity, message: String| Reason {
        code,
        factor: None,
        severity,
        message,
    };

    if claim.session != ctx.session {
        gates.push(gate(
            ReasonCode::WrongSession,
            Severity::Rejects,
            "the claim is for another session".into(),
        ));
    }

    // 2. the instant to judge at
    let age = received_at.seconds_since(claim.scanned_at);
    let mut judged_at = received_at;
    let mut synced_late = false;
    if age < -t.max_clock_skew_s {
        gates.push(gate(
            ReasonCode::ScanTimeInFuture,
            Severity::NeedsReview,
            format!(
                "the device's clock is {} ahead of the server's",
                duration(age.saturating_neg())
            ),
        ));
    } else if age > t.live_window_s {
        synced_late = true;
        judged_at = claim.scanned_at;
        if age > t.max_late_age_s {
            gates.push(gate(
                ReasonCode::ClaimTooOld,
                Severity::Rejects,
                format!(
                    "the claim reached the server {} after the scan; the limit is {}",
                    duration(age),
                    duration(t.max_late_age_s)
                ),
            ));
        } else {
            gates.push(gate(
                ReasonCode::SyncedLate,
                Severity::Info,
                format!(
                    "made offline and synced {} later; judged at its scan time",
                    duration(age)
                ),
            ));
            if !t.trusted_device && !token_fresh(claim, ctx, received_at) {
                let (severity, then) = match t.late_sync {
                    LateSync::Review => (Severity::NeedsReview, "a teacher confirms it"),
                    LateSync::Reject => (Severity::Rejects, "the school refuses such claims"),
                };
                gates.push(gate(
                    ReasonCode::LateScanUnverified,
                    severity,
                    format!(
                        "the code had expired when the claim reached the server, so its scan time \
                         is only the phone's word; {then}"
                    ),
                ));
            }
        }
    }

    // 3. the session must be running
    match ctx.window.check(judged_at, t.early_s, t.grace_after_end_s) {
        Ok(()) => {}
        Err(NotRunning::NotStarted { starts_in_s }) => gates.push(gate(
            ReasonCode::SessionNotStarted,
            Severity::Rejects,
            format!(
                "the session has not started yet (it starts in {})",
                duration(starts_in_s)
            ),
        )),
        Err(NotRunning::Ended { ended_ago_s }) => gates.push(gate(
            ReasonCode::SessionEnded,
            Severity::Rejects,
            format!("the session ended {} ago", duration(ended_ago_s)),
        )),
    }

    // 4. the factors
    let mut statuses = [Status::Fail; 4];
    let mut factor_reasons: Vec<(Factor, Status, ReasonCode, String)> = Vec::new();
    let mut factors = Vec::with_capacity(4);
    for (i, factor) in Factor::ALL.into_iter().enumerate() {
        let required = ctx.policy.mentions(factor);
        let Some((status, problem)) = judge_factor(factor, claim, ctx, judged_at, required) else {
            continue;
        };
        statuses[i] = status;
        factors.push(FactorStatus {
            factor,
            status,
            required,
        });
        if let Some((code, message)) = problem {
            factor_reasons.push((factor, status, code, message));
        }
    }
    let index = |f: Factor| Factor::ALL.iter().position(|x| *x == f).unwrap_or(0);
    let overall = ctx.policy.judge(|f| statuses[index(f)]);

    let mut verdict = Verdict {
        outcome: Outcome::from_status(overall),
        reasons: Vec::new(),
        factors,
        judged_at,
        synced_late,
    };
    for (factor, status, code, message) in factor_reasons {
        let severity = weigh(ctx.policy, &statuses, index(factor), status, overall);
        verdict.add(Reason {
            code,
            factor: Some(factor),
            severity,
            message,
        });
    }
    // The policy's outcome already counts the factor reasons; `add` only
    // lowers it, so re-adding their severities changes nothing.
    for reason in gates {
        verdict.add(reason);
    }

    // 5. anomalies
    if let (Some(before), Some(fix)) = (ctx.history.last_sighting, claim.evidence.location) {
        let now = Sighting {
            at: claim.scanned_at,
            point: fix.point,
            accuracy: fix.accuracy,
        };
        if let Some(trip) = impossible_travel(&before, &now, t.max_speed_mps) {
            verdict.add(Reason {
                code: ReasonCode::ImpossibleTravel,
                factor: Some(Factor::Location),
                severity: Severity::NeedsReview,
                message: format!(
                    "{:.1} km from the previous check-in {} earlier ({:.0} km/h)",
                    trip.distance_m / 1000.0,
                    duration(trip.seconds),
                    trip.speed_mps * 3.6
                ),
            });
        }
    }
    let others = ctx
        .history
        .other_students_on_device
        .iter()
        .filter(|s| **s != claim.student)
        .count();
    if others > 0 {
        verdict.add(Reason {
            code: ReasonCode::SharedDevice,
            factor: None,
            severity: Severity::NeedsReview,
            message: format!(
                "this device recently checked in {others} other student{}",
                if others == 1 { "" } else { "s" }
            ),
        });
    }
    verdict
}

/// Whether the claim's token would pass at `received_at` too: only then does
/// the server itself know the student had the code while it was current.
fn token_fresh(claim: &Claim, ctx: &SessionContext<'_>, received_at: Timestamp) -> bool {
    match &claim.evidence.token {
        Some(Token::Qr(payload)) => ctx.keys.qr.verify(payload, received_at).is_ok(),
        // The lock is judged with the token itself; freshness is the code's age.
        Some(Token::Otp(otp)) => ctx.keys.otp.verify(otp, received_at, 0).is_ok(),
        None => false,
    }
}

/// How much a factor's problem weighs: does it, given the others, lower the
/// outcome (it is needed), or would it alone lower it were all else fine?
fn weigh(
    policy: &Policy,
    statuses: &[Status; 4],
    i: usize,
    status: Status,
    overall: Status,
) -> Severity {
    let severity_of = |s: Status| match s {
        Status::Fail => Severity::Rejects,
        Status::Doubtful => Severity::NeedsReview,
        Status::Pass => Severity::Info,
    };
    let mut fixed = *statuses;
    fixed[i] = Status::Pass;
    let pos = |f: Factor| Factor::ALL.iter().position(|x| *x == f).unwrap_or(0);
    if policy.judge(|f| fixed[pos(f)]) > overall {
        return severity_of(overall);
    }
    let alone = policy.judge(|f| if pos(f) == i { status } else { Status::Pass });
    severity_of(alone)
}

type Judgement = (Status, Option<(ReasonCode, String)>);

/// Judges one factor; `None` when it is neither present nor required.
fn judge_factor(
    factor: Factor,
    claim: &Claim,
    ctx: &SessionContext<'_>,
    at: Timestamp,
    required: bool,
) -> Option<Judgement> {
    let e = &claim.evidence;
    let present = match factor {
        Factor::Token => e.token.is_some(),
        Factor::Location => e.location.is_some(),
        Factor::Radio => e.radio.is_some(),
        Factor::Face => e.face.is_some(),
    };
    if !present {
        let (code, what) = match factor {
            Factor::Token => (ReasonCode::TokenMissing, "no QR code or OTP"),
            Factor::Location => (ReasonCode::LocationMissing, "no location fix"),
            Factor::Radio => (ReasonCode::RadioMissing, "no Wi-Fi or Bluetooth scan"),
            Factor::Face => (ReasonCode::FaceMissing, "no face check"),
        };
        return required.then(|| fail(code, what.into()));
    }
    Some(match factor {
        Factor::Token => judge_token(e.token.as_ref()?, ctx, at),
        Factor::Location => judge_location(e.location.as_ref()?, claim.scanned_at, ctx),
        Factor::Radio => judge_radio(e.radio.as_ref()?, ctx),
        Factor::Face => judge_face(e.face.as_ref()?, ctx),
    })
}

fn fail(code: ReasonCode, message: String) -> Judgement {
    (Status::Fail, Some((code, message)))
}

fn doubt(code: ReasonCode, message: String) -> Judgement {
    (Status::Doubtful, Some((code, message)))
}

const PASS: Judgement = (Status::Pass, None);

fn judge_token(token: &Token, ctx: &SessionContext<'_>, at: Timestamp) -> Judgement {
    match token {
        Token::Qr(payload) => match ctx.keys.qr.verify(payload, at) {
            Ok(()) => PASS,
            Err(QrRejection::WrongSession) => fail(
                ReasonCode::QrWrongSession,
                "the QR code belongs to another session".into(),
            ),
            Err(QrRejection::BadTag) => {
                fail(ReasonCode::QrForged, "the QR code is not genuine".into())
            }
            Err(QrRejection::Expired { seconds_ago }) => fail(
                ReasonCode::QrExpired,
                format!("QR expired {} ago", duration(seconds_ago)),
            ),
            Err(QrRejection::FromFuture { seconds_ahead })
                if seconds_ahead <= ctx.timing.max_clock_skew_s =>
            {
                PASS
            }
            Err(QrRejection::FromFuture { seconds_ahead }) => doubt(
                ReasonCode::QrNotYetValid,
                format!(
                    "the QR code is {} ahead of the server's clock (teacher's clock wrong?)",
                    duration(seconds_ahead)
                ),
            ),
        },
        Token::Otp(otp) => match ctx.keys.otp.verify(otp, at, ctx.otp_failures) {
            Ok(()) => PASS,
            Err(OtpRejection::Wrong) => fail(ReasonCode::OtpWrong, "the OTP is wrong".into()),
            Err(OtpRejection::Expired { seconds_ago }) => fail(
                ReasonCode::OtpExpired,
                format!("OTP expired {} ago", duration(seconds_ago)),
            ),
            Err(OtpRejection::Locked { failures }) => fail(
                ReasonCode::OtpLocked,
                format!("OTP locked after {failures} wrong codes; ask the teacher to mark you"),
            ),
        },
    }
}

fn judge_location(
    fix: &crate::geofence::LocationFix,
    scanned_at: Timestamp,
    ctx: &SessionContext<'_>,
) -> Judgement {
    let Some(room) = ctx.fence else {
        return doubt(
            ReasonCode::GeofenceNotConfigured,
            format!("{} has no geofence to check the location against", ctx.room),
        );
    };
    match room.check(fix, scanned_at) {
        FixCheck::Inside { .. } => PASS,
        FixCheck::Outside { distance_m } => fail(
            ReasonCode::OutsideGeofence,
            format!("{} outside {}", metres(distance_m), room.name),
        ),
        FixCheck::Mocked => fail(
            ReasonCode::LocationMocked,
            "the phone reported a mocked (fake) location".into(),
        ),
        FixCheck::Inaccurate {
            accuracy_m,
            bound_m,
        } => doubt(
            ReasonCode::LocationInaccurate,
            format!(
                "location accurate only to {}, worse than the {} allowed",
                metres(accuracy_m),
                metres(bound_m)
            ),
        ),
        FixCheck::Stale { age_s } => doubt(
            ReasonCode::LocationStale,
            format!(
                "the location fix was taken {} before the scan",
                duration(age_s)
            ),
        ),
    }
}

fn judge_radio(scan: &crate::radio::RadioScan, ctx: &SessionContext<'_>) -> Judgement {
    let Some(expected) = ctx.radio else {
        return doubt(
            ReasonCode::RadioNotConfigured,
            format!(
                "{} has no Wi-Fi access points or beacons configured",
                ctx.room
            ),
        );
    };
    let check = expected.check(scan);
    match check.status() {
        Status::Pass => PASS,
        _ if check.expected == 0 => doubt(
            ReasonCode::RadioNotConfigured,
            format!(
                "{} has no Wi-Fi access points or beacons configured",
                ctx.room
            ),
        ),
        Status::Doubtful => doubt(
            ReasonCode::RadioWeak,
            format!(
                "only weak signals from {}'s access points ({} strong, {} weak, {} needed)",
                ctx.room, check.strong, check.weak, check.required
            ),
        ),
        Status::Fail => fail(
            ReasonCode::RadioNotSeen,
            format!(
                "{} of the {} access points or beacons needed in {} were heard",
                check.strong + check.weak,
                check.required,
                ctx.room
            ),
        ),
    }
}

fn judge_face(face: &crate::face::FaceEvidence, ctx: &SessionContext<'_>) -> Judgement {
    let Some(settings) = ctx.face else {
        return doubt(
            ReasonCode::FaceNotConfigured,
            "face verification is not configured".into(),
        );
    };
    if ctx.enrolment.face_model != Some(&face.model) {
        return fail(
            ReasonCode::FaceNotEnrolled,
            format!(
                "no face is enrolled for you with model {}, so the score cannot be yours",
                face.model
            ),
        );
    }
    match settings.check(face) {
        FaceCheck::Match { .. } => PASS,
        FaceCheck::Borderline { score, threshold } => doubt(
            ReasonCode::FaceBorderline,
            format!("face match {score:.2} is just above the threshold {threshold:.2}"),
        ),
        FaceCheck::NoMatch { score, threshold } => fail(
            ReasonCode::FaceNoMatch,
            format!("face match {score:.2} is below the threshold {threshold:.2}"),
        ),
        FaceCheck::LivenessFailed => fail(
            ReasonCode::FaceLivenessFailed,
            "the liveness check suggests a photo or screen, not a person".into(),
        ),
        FaceCheck::LivenessMissing => doubt(
            ReasonCode::FaceLivenessMissing,
            "no liveness check was taken".into(),
        ),
        FaceCheck::ModelMismatch { expected, got } => doubt(
            ReasonCode::FaceModelMismatch,
            format!("the face score comes from model {got}, the threshold is for {expected}"),
        ),
    }
}

/// A distance a person reads: "84 m", "1.2 km".
fn metres(m: f64) -> String {
    if m < 1000.0 {
        format!("{m:.0} m")
    } else {
        format!("{:.1} km", m / 1000.0)
    }
}

/// A duration a person reads: "41 s", "5 min", "3 h", "2 days".
fn duration(seconds: i64) -> String {
    match seconds.unsigned_abs() {
        s @ 0..120 => format!("{s} s"),
        s @ 120..7200 => format!("{} min", s / 60),
        s @ 7200..172_800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

#[cfg(test)]
mod tests;
