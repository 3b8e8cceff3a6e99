//! Processing a batch of signed claims: each is re-verified with
//! `rollcall-core` against the server's own secrets, clock and room rules,
//! stored once (the claim id is the idempotency key) and turned into at most
//! one record per student per session.

use rollcall_core::anomaly::SessionWindow;
use rollcall_core::api::{AttendanceStatus, ClaimResult, ReviewStatus};
use rollcall_core::claim::{Claim, Token};
use rollcall_core::evaluate::{evaluate, evaluate_checked, Enrolment, History, SessionContext};
use rollcall_core::ids::SessionId;
use rollcall_core::signing::SignedClaim;
use rollcall_core::verdict::{Outcome, Reason, ReasonCode, Severity, Verdict};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::claim_state::{ClaimState, ReadClaimStates, StateQuery};
use super::claim_writer::{ClaimWrite, StoreClaims, Written};
use super::claimant::{Claimant, ClaimsError};
use super::device_keys::DeviceKeys;
use super::judged::{Judged, JudgedCache};
use super::otp_guesses::{self, Guess};
use super::session::SessionRow;
use super::signatures::SignatureChecks;
use super::unix;
use crate::grouped::Grouped;

/// Largest batch a client may send.
pub const MAX_BATCH: usize = 200;

/// What the verdict is stored as, so a resent claim gets the same answer.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(super) struct StoredVerdict {
    pub(super) reasons: Vec<Reason>,
    pub(super) factors: Vec<rollcall_core::verdict::FactorStatus>,
}

/// The work of judging claims shared by the requests arriving at the same
/// moment: the grouped statements, the signature checks, and the device keys
/// already parsed.
#[derive(Debug, Default)]
pub struct ClaimGroups {
    states: Grouped<ReadClaimStates>,
    writes: Grouped<StoreClaims>,
    signatures: SignatureChecks,
    keys: DeviceKeys,
}

/// Judges and stores every claim of `batch`, received at `now` (the caller has
/// checked that they are `claimant`'s own; the account itself is admitted
/// here, before the first claim is written).
///
/// # Errors
/// [`ClaimsError::NotAdmitted`] (nothing written) when the account is not an
/// active student's; otherwise only when the database fails: every problem
/// with a claim itself is a rejected result, not an error.
pub async fn process(
    pool: &PgPool,
    cache: &JudgedCache,
    groups: &ClaimGroups,
    claimant: &mut Claimant<'_>,
    batch: &[SignedClaim],
    now: OffsetDateTime,
) -> Result<Vec<ClaimResult>, ClaimsError> {
    let mut results = Vec::with_capacity(batch.len());
    for signed in batch {
        debug_assert_eq!(*signed.claim.student.as_uuid(), claimant.id());
        let judged = cache.get(pool, *signed.claim.session.as_uuid()).await?;
        results.push(process_one(pool, groups, claimant, signed, judged.as_deref(), now).await?);
    }
    Ok(results)
}

/// Who a stored claim must belong to for its answer to be told again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Owner {
    /// A student's own claim, from their device.
    Student(Uuid),
    /// A kiosk's mark.
    Kiosk(Uuid),
}

/// A claim id looked up.
#[derive(Debug)]
pub(super) enum Stored {
    /// Not stored yet.
    No,
    /// Stored by the same owner: its answer, as it was given.
    Own(ClaimResult),
    /// Stored by someone else: nothing about it may be told.
    Taken,
}

/// The stored answer to `claim`, if `owner` stored it.
pub(super) async fn stored_result(
    conn: &mut PgConnection,
    claim: Uuid,
    owner: Owner,
) -> anyhow::Result<Stored> {
    let stored = sqlx::query!(
        r#"SELECT session_id, student_id, kiosk_id, outcome AS "outcome: Outcome", synced_late,
           verdict AS "verdict: sqlx::types::Json<StoredVerdict>"
         FROM claims WHERE id = $1"#,
        claim
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(stored) = stored else {
        return Ok(Stored::No);
    };
    let (session, student, kiosk) = (stored.session_id, stored.student_id, stored.kiosk_id);
    let own = match owner {
        Owner::Student(id) => kiosk.is_none() && student == id,
        Owner::Kiosk(id) => kiosk == Some(id),
    };
    if !own {
        return Ok(Stored::Taken);
    }
    let record = record_status(conn, session, student).await?;
    Ok(Stored::Own(ClaimResult {
        claim_id: claim,
        outcome: stored.outcome,
        reasons: stored.verdict.0.reasons,
        factors: stored.verdict.0.factors,
        synced_late: stored.synced_late,
        record,
        duplicate: true,
    }))
}

/// The answer to a claim refused for one reason, with nothing written.
pub(super) fn refused(
    claim: Uuid,
    code: ReasonCode,
    message: &str,
    now: OffsetDateTime,
) -> ClaimResult {
    answered(
        claim,
        Verdict::refused(code, message.to_owned(), unix(now)),
        None,
    )
}

/// The answer to a claim judged now (not a resend).
/// The answer to a claim (or a kiosk mark) just judged and stored.
pub(super) fn answered(
    claim_id: Uuid,
    verdict: Verdict,
    record: Option<AttendanceStatus>,
) -> ClaimResult {
    ClaimResult {
        claim_id,
        outcome: verdict.outcome,
        reasons: verdict.reasons,
        factors: verdict.factors,
        synced_late: verdict.synced_late,
        record,
        duplicate: false,
    }
}

/// The answer to a claim id someone else used: a conflict that tells nothing
/// of their claim.
pub(super) fn taken(claim: Uuid, now: OffsetDateTime) -> ClaimResult {
    refused(
        claim,
        ReasonCode::ClaimIdTaken,
        "this claim id is already in use; the app makes a new one for each check-in",
        now,
    )
}

impl Stored {
    /// The answer to give for a stored claim id, if it is stored.
    pub(super) fn answer(self, claim: Uuid, now: OffsetDateTime) -> Option<ClaimResult> {
        match self {
            Self::No => None,
            Self::Own(result) => Some(result),
            Self::Taken => Some(taken(claim, now)),
        }
    }
}

pub(super) async fn record_status(
    conn: &mut PgConnection,
    session: Uuid,
    student: Uuid,
) -> Result<Option<AttendanceStatus>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT status AS "status: AttendanceStatus" FROM attendance_records
         WHERE session_id = $1 AND student_id = $2"#,
        session,
        student
    )
    .fetch_optional(conn)
    .await
}

fn unknown_session(claim: &Claim, now: OffsetDateTime) -> ClaimResult {
    refused(
        *claim.id.as_uuid(),
        ReasonCode::WrongSession,
        "there is no such session",
        now,
    )
}

async fn process_one(
    pool: &PgPool,
    groups: &ClaimGroups,
    claimant: &mut Claimant<'_>,
    signed: &SignedClaim,
    judged: Option<&Judged>,
    now: OffsetDateTime,
) -> Result<ClaimResult, ClaimsError> {
    let claim = &signed.claim;
    let claim_id = *claim.id.as_uuid();
    let student = *claim.student.as_uuid();
    let Some(judged) = judged else {
        claimant.admit(pool, None).await?;
        let mut conn = pool.acquire().await?;
        return Ok(stored_result(&mut conn, claim_id, Owner::Student(student))
            .await?
            .answer(claim_id, now)
            .unwrap_or_else(|| unknown_session(claim, now)));
    };
    let row = &judged.row;

    // Two statements per claim, each shared with the claims arriving at the same
    // moment: one read of everything the rules need, then one statement that
    // stores the claims, their records and the live notification together
    // (atomic on its own, so no transaction is held across the judging).
    let query = StateQuery {
        claim_id,
        session_id: row.id,
        division_id: row.division_id,
        student_id: student,
        device_id: *claim.device.as_uuid(),
        sign_in: claimant.sign_in(),
    };
    let state = groups.states.call(pool, query).await?;
    claimant.admit(pool, Some(state.account)).await?;
    match state.stored_as_own {
        Some(false) => return Ok(taken(claim_id, now)),
        Some(true) => {
            let mut conn = pool.acquire().await?;
            let stored = stored_result(&mut conn, claim_id, Owner::Student(student)).await?;
            if let Some(answer) = stored.answer(claim_id, now) {
                return Ok(answer);
            }
        }
        None => {}
    }
    let face_model = state
        .face_model
        .as_deref()
        .and_then(|m| rollcall_core::face::ModelId::new(m).ok());
    let enrolment = Enrolment {
        in_division: state.in_division,
        face_model: face_model.as_ref(),
    };
    if !enrolment.in_division {
        // Refused before anything is counted or written (core says why).
        let verdict = evaluate(
            claim,
            &context(judged, &state, enrolment, 0, now),
            unix(now),
        );
        return Ok(answered(claim_id, verdict, None));
    }
    // An OTP is checked only after one of the student's guesses is taken.
    let guess = match claim.evidence.token {
        Some(Token::Otp(_)) => Some(otp_guesses::take(pool, row.id, student).await?),
        _ => None,
    };
    let failures = guess.map_or(0, Guess::failures_before);
    let ctx = context(judged, &state, enrolment, failures, now);
    let device_key = state
        .device_key
        .as_deref()
        .and_then(|key| groups.keys.parse(key));
    let received_at = unix(now);
    let verdict = match device_key {
        Some(key) => {
            let verifies = groups
                .signatures
                .check(key, claim.canonical_bytes(), signed.signature)
                .await?;
            evaluate_checked(claim, verifies, &ctx, received_at)
        }
        None => {
            let mut v = evaluate(claim, &ctx, received_at);
            v.add(Reason {
                code: ReasonCode::DeviceNotBound,
                factor: None,
                severity: Severity::Rejects,
                message: "this phone is not the student's approved device".to_owned(),
            });
            v
        }
    };
    let guess_taken = guess.is_some_and(Guess::taken);
    let write = claim_write(signed, row, &verdict, guess_taken, now)?;
    let Written::Stored(record) = groups.writes.call(pool, write).await? else {
        // The same claim id arrived at the same moment: its answer stands.
        if guess_taken {
            otp_guesses::give_back(pool, row.id, student).await?;
        }
        let mut conn = pool.acquire().await?;
        return stored_result(&mut conn, claim_id, Owner::Student(student))
            .await?
            .answer(claim_id, now)
            .ok_or_else(|| anyhow::anyhow!("claim {claim_id} vanished while being stored").into());
    };
    Ok(answered(claim_id, verdict, record))
}

/// What a claim is judged against: its session, the school's late-sync rule,
/// the student's state and enrolment.
fn context<'a>(
    judged: &'a Judged,
    state: &'a ClaimState,
    enrolment: Enrolment<'a>,
    otp_failures: u32,
    now: OffsetDateTime,
) -> SessionContext<'a> {
    let row = &judged.row;
    // A session not started yet opens at its start (never before now), so a
    // claim for it is "not started"; an ended one closes at its end.
    let starts_at = row.started_at.map_or_else(
        || unix(row.scheduled_start.max(now + time::Duration::SECOND)),
        unix,
    );
    SessionContext {
        session: SessionId::from(row.id),
        window: SessionWindow {
            starts_at,
            ends_at: row.ended_at.map(unix),
        },
        keys: &judged.keys,
        otp_failures,
        room: &row.room_name,
        fence: judged.rules.fence.as_ref(),
        radio: judged.rules.radio.as_ref(),
        face: Some(&judged.face),
        policy: &judged.policy,
        timing: judged.timing,
        history: History {
            last_sighting: state.last_sighting,
            other_students_on_device: &state.others,
        },
        enrolment,
    }
}

/// The write of a judged claim: the claim, a wrong OTP counted, the record of
/// an accepted claim.
fn claim_write(
    signed: &SignedClaim,
    row: &SessionRow,
    verdict: &Verdict,
    otp_guess_taken: bool,
    now: OffsetDateTime,
) -> anyhow::Result<ClaimWrite> {
    let claim = &signed.claim;
    let stored = StoredVerdict {
        reasons: verdict.reasons.clone(),
        factors: verdict.factors.clone(),
    };
    Ok(ClaimWrite {
        claim_id: *claim.id.as_uuid(),
        session_id: row.id,
        student_id: *claim.student.as_uuid(),
        device_id: *claim.device.as_uuid(),
        scanned_at: OffsetDateTime::from_unix_timestamp(claim.scanned_at.unix())?,
        received_at: now,
        outcome: verdict.outcome.as_str(),
        synced_late: verdict.synced_late,
        verdict: serde_json::to_string(&stored)?,
        location: claim
            .evidence
            .location
            .as_ref()
            .map(serde_json::to_string)
            .transpose()?,
        review_status: (verdict.outcome == Outcome::Review)
            .then_some(ReviewStatus::Pending.as_str()),
        otp_give_back: otp_guess_taken && !verdict.has(ReasonCode::OtpWrong),
        marks: (verdict.outcome == Outcome::Accepted)
            .then(|| row.late_line().status_at(verdict.judged_at)),
    })
}
