//! Processing a batch of signed claims: each is re-verified with
//! `rollcall-core` against the server's own secrets, clock and room rules,
//! stored once (the claim id is the idempotency key) and turned into at most
//! one record per student per session.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rollcall_core::anomaly::{SessionWindow, Sighting};
use rollcall_core::api::{AttendanceStatus, ClaimResult};
use rollcall_core::claim::Claim;
use rollcall_core::evaluate::{
    evaluate, evaluate_signed, History, SessionContext, SessionKeys, TimingRules,
};
use rollcall_core::geofence::LocationFix;
use rollcall_core::ids::{SessionId, StudentId};
use rollcall_core::policy::Policy;
use rollcall_core::signing::{DevicePublicKey, SignedClaim};
use rollcall_core::timestamp::Timestamp;
use rollcall_core::verdict::{Outcome, Reason, ReasonCode, Severity, Verdict};
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::live;
use super::session::{self, RoomRules, SessionRow};
use super::unix;

/// Largest batch a client may send.
pub const MAX_BATCH: usize = 200;

/// How far back another student's claim from the same device counts as sharing.
const SHARED_DEVICE_WINDOW: &str = "2 hours";

/// What the verdict is stored as, so a resent claim gets the same answer.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(super) struct StoredVerdict {
    pub(super) reasons: Vec<Reason>,
    pub(super) factors: Vec<rollcall_core::verdict::FactorStatus>,
}

/// How long a session's judging context is reused before it is read again.
/// Starting or ending a session on this server forgets it at once; another
/// replica sees the change within this time, well inside the 5-minute grace
/// after a session's end.
const JUDGED_TTL: Duration = Duration::from_secs(2);

/// Recently read sessions with their rooms, so a busy class does not re-read
/// the same session, room and access points for every claim.
#[derive(Default)]
pub struct JudgedCache {
    entries: Mutex<Entries>,
}

/// When each session was read, and what was found.
type Entries = HashMap<Uuid, (Instant, Option<Arc<Judged>>)>;

impl std::fmt::Debug for JudgedCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JudgedCache(..)")
    }
}

impl JudgedCache {
    /// Forgets `session` (it was started or ended here).
    pub fn forget(&self, session: Uuid) {
        self.lock().remove(&session);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn get(&self, pool: &PgPool, session: Uuid) -> anyhow::Result<Option<Arc<Judged>>> {
        if let Some((at, judged)) = self.lock().get(&session) {
            if at.elapsed() < JUDGED_TTL {
                return Ok(judged.clone());
            }
        }
        let mut conn = pool.acquire().await?;
        let judged = load_judged(&mut conn, session).await?.map(Arc::new);
        let mut entries = self.lock();
        if entries.len() > 10_000 {
            entries.retain(|_, (at, _)| at.elapsed() < JUDGED_TTL);
        }
        entries.insert(session, (Instant::now(), judged.clone()));
        Ok(judged)
    }
}

/// A session and its room, as claims are judged against them.
struct Judged {
    face: rollcall_core::face::FaceSettings,
    row: SessionRow,
    keys: SessionKeys,
    policy: Policy,
    rules: RoomRules,
}

pub(super) fn outcome_text(o: Outcome) -> &'static str {
    match o {
        Outcome::Accepted => "accepted",
        Outcome::Review => "review",
        Outcome::Rejected => "rejected",
    }
}

fn outcome_parse(s: &str) -> Outcome {
    match s {
        "accepted" => Outcome::Accepted,
        "review" => Outcome::Review,
        _ => Outcome::Rejected,
    }
}

/// Judges and stores every claim of `batch`, submitted by `student` at `now`.
///
/// # Errors
/// Only when the database fails; every problem with a claim itself is a
/// rejected result, not an error.
pub async fn process(
    pool: &PgPool,
    cache: &JudgedCache,
    student: Uuid,
    batch: &[SignedClaim],
    now: OffsetDateTime,
) -> anyhow::Result<Vec<ClaimResult>> {
    let mut results = Vec::with_capacity(batch.len());
    for signed in batch {
        let judged = cache.get(pool, *signed.claim.session.as_uuid()).await?;
        results.push(process_one(pool, student, signed, judged.as_deref(), now).await?);
    }
    Ok(results)
}

async fn load_judged(conn: &mut PgConnection, id: Uuid) -> anyhow::Result<Option<Judged>> {
    let Some(row) = session::load(conn, id).await? else {
        return Ok(None);
    };
    let (secret, period) = row.keys()?;
    let keys = SessionKeys::new(SessionId::from(row.id), &secret, period);
    let policy = Policy::parse(&row.policy)?;
    let rules = session::room_rules(conn, row.room_id).await?;
    Ok(Some(Judged {
        face: rollcall_core::face::calibrated::settings(),
        row,
        keys,
        policy,
        rules,
    }))
}

pub(super) async fn stored_result(
    conn: &mut PgConnection,
    claim: Uuid,
) -> anyhow::Result<Option<ClaimResult>> {
    let stored: Option<(Uuid, Uuid, String, bool, sqlx::types::Json<StoredVerdict>)> = sqlx::query_as(
        "SELECT session_id, student_id, outcome, synced_late, verdict FROM claims WHERE id = $1",
    )
    .bind(claim)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((session, student, outcome, synced_late, verdict)) = stored else {
        return Ok(None);
    };
    let record = record_status(conn, session, student).await?;
    Ok(Some(ClaimResult {
        claim_id: claim,
        outcome: outcome_parse(&outcome),
        reasons: verdict.0.reasons,
        factors: verdict.0.factors,
        synced_late,
        record,
        duplicate: true,
    }))
}

pub(super) async fn record_status(
    conn: &mut PgConnection,
    session: Uuid,
    student: Uuid,
) -> Result<Option<AttendanceStatus>, sqlx::Error> {
    let status: Option<String> = sqlx::query_scalar(
        "SELECT status FROM attendance_records WHERE session_id = $1 AND student_id = $2",
    )
    .bind(session)
    .bind(student)
    .fetch_optional(conn)
    .await?;
    Ok(status.as_deref().and_then(AttendanceStatus::parse))
}

fn unknown_session(claim: &Claim) -> ClaimResult {
    ClaimResult {
        claim_id: *claim.id.as_uuid(),
        outcome: Outcome::Rejected,
        reasons: vec![Reason {
            code: ReasonCode::WrongSession,
            factor: None,
            severity: Severity::Rejects,
            message: "there is no such session".to_owned(),
        }],
        factors: Vec::new(),
        synced_late: false,
        record: None,
        duplicate: false,
    }
}

/// What the rules need to know about the student and device beyond the
/// claim, read in one round trip, with whether this claim id was already stored.
struct ClaimState {
    already_stored: bool,
    device_key: Option<String>,
    otp_failures: i32,
    last_sighting: Option<Sighting>,
    others: Vec<StudentId>,
}

async fn claim_state(
    conn: &mut PgConnection,
    claim: &Claim,
    session: Uuid,
) -> Result<ClaimState, sqlx::Error> {
    type Row = (
        bool,
        Option<String>,
        i32,
        Option<sqlx::types::Json<LocationFix>>,
        Option<OffsetDateTime>,
        Vec<Uuid>,
    );
    let (already_stored, device_key, otp_failures, location, scanned_at, others): Row = sqlx::query_as(&format!(
        "SELECT EXISTS (SELECT 1 FROM claims WHERE id = $4), \
           (SELECT public_key FROM devices WHERE id = $1 AND user_id = $2 AND status = 'active'), \
           COALESCE((SELECT failures FROM otp_failures WHERE session_id = $3 AND student_id = $2), 0), \
           last.location, last.scanned_at, \
           COALESCE((SELECT array_agg(DISTINCT other) FROM ( \
             SELECT student_id AS other FROM claims WHERE device_id = $1 AND student_id < $2 \
               AND scanned_at > now() - interval '{SHARED_DEVICE_WINDOW}' \
             UNION ALL \
             SELECT student_id FROM claims WHERE device_id = $1 AND student_id > $2 \
               AND scanned_at > now() - interval '{SHARED_DEVICE_WINDOW}') others), '{{}}') \
         FROM (SELECT 1) one LEFT JOIN LATERAL ( \
           SELECT location, scanned_at FROM claims WHERE student_id = $2 AND location IS NOT NULL \
             AND id <> $4 AND outcome <> 'rejected' ORDER BY scanned_at DESC LIMIT 1) last ON true"
    ))
    .bind(claim.device.as_uuid())
    .bind(claim.student.as_uuid())
    .bind(session)
    .bind(claim.id.as_uuid())
    .fetch_one(conn)
    .await?;
    let last_sighting = location.zip(scanned_at).map(|(fix, at)| Sighting {
        at: unix(at),
        point: fix.0.point,
        accuracy: fix.0.accuracy,
    });
    Ok(ClaimState {
        already_stored,
        device_key,
        otp_failures,
        last_sighting,
        others: others.into_iter().map(StudentId::from).collect(),
    })
}

async fn process_one(
    pool: &PgPool,
    student: Uuid,
    signed: &SignedClaim,
    judged: Option<&Judged>,
    now: OffsetDateTime,
) -> anyhow::Result<ClaimResult> {
    let claim = &signed.claim;
    let claim_id = *claim.id.as_uuid();
    let mut conn = pool.acquire().await?;
    let Some(judged) = judged else {
        return Ok(stored_result(&mut conn, claim_id)
            .await?
            .unwrap_or_else(|| unknown_session(claim)));
    };
    let row = &judged.row;

    // Two round trips per claim: one read of everything the rules need, then one
    // statement that stores the claim, its record and the live notification
    // together (atomic on its own, so no transaction is held across the judging).
    let state = claim_state(&mut conn, claim, row.id).await?;
    if state.already_stored {
        if let Some(stored) = stored_result(&mut conn, claim_id).await? {
            return Ok(stored);
        }
    }
    let device_key = state
        .device_key
        .and_then(|key| key.parse::<DevicePublicKey>().ok());
    let (otp_failures, last_sighting, others) =
        (state.otp_failures, state.last_sighting, state.others);

    let received_at = unix(now);
    // A session not started yet opens at its start (never before now), so a
    // claim for it is "not started"; an ended one closes at its end.
    let starts_at = row.started_at.map_or_else(
        || unix(row.scheduled_start.max(now + time::Duration::SECOND)),
        unix,
    );
    let ctx = SessionContext {
        session: SessionId::from(row.id),
        window: SessionWindow {
            starts_at,
            ends_at: row.ended_at.map(unix),
        },
        keys: &judged.keys,
        otp_failures: u32::try_from(otp_failures).unwrap_or(0),
        room: &row.room_name,
        fence: judged.rules.fence.as_ref(),
        radio: judged.rules.radio.as_ref(),
        face: Some(&judged.face),
        policy: &judged.policy,
        timing: TimingRules::default(),
        history: History {
            last_sighting,
            other_students_on_device: &others,
        },
    };
    let verdict = match &device_key {
        Some(key) => evaluate_signed(signed, key, &ctx, received_at),
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
    let Some(record) = store(&mut conn, signed, row, student, &verdict, now).await? else {
        // The same claim id arrived at the same moment: its answer stands.
        return stored_result(&mut conn, claim_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("claim {claim_id} vanished while being stored"));
    };
    Ok(ClaimResult {
        claim_id,
        outcome: verdict.outcome,
        reasons: verdict.reasons,
        factors: verdict.factors,
        synced_late: verdict.synced_late,
        record,
        duplicate: false,
    })
}

/// Stores the judged claim in one statement: the claim (its id is the
/// idempotency key), a wrong OTP counted, the record of an accepted claim (the
/// first record stands, except an automatic absence), and the live roster's
/// notification. `Ok(None)` when the claim id was stored meanwhile (nothing was
/// written); else the student's record after it.
async fn store(
    conn: &mut PgConnection,
    signed: &SignedClaim,
    row: &SessionRow,
    student: Uuid,
    verdict: &Verdict,
    now: OffsetDateTime,
) -> anyhow::Result<Option<Option<AttendanceStatus>>> {
    let claim = &signed.claim;
    let otp_wrong = verdict
        .reasons
        .iter()
        .any(|r| r.code == ReasonCode::OtpWrong);
    let stored = StoredVerdict {
        reasons: verdict.reasons.clone(),
        factors: verdict.factors.clone(),
    };
    let scanned_at = OffsetDateTime::from_unix_timestamp(claim.scanned_at.unix())?;
    let marks = (verdict.outcome == Outcome::Accepted)
        .then(|| present_or_late(row, verdict.judged_at).as_str());
    let (inserted, marked, before): (bool, Option<String>, Option<String>) = sqlx::query_as(
        "WITH c AS ( \
           INSERT INTO claims (id, session_id, student_id, device_id, scanned_at, received_at, outcome, \
             synced_late, verdict, location, review_status) \
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
           ON CONFLICT (id) DO NOTHING RETURNING id), \
         f AS ( \
           INSERT INTO otp_failures (session_id, student_id, failures) \
           SELECT $2, $3, 1 FROM c WHERE $12 \
           ON CONFLICT (session_id, student_id) DO UPDATE SET failures = otp_failures.failures + 1 \
           RETURNING 1), \
         r AS ( \
           INSERT INTO attendance_records (session_id, student_id, status, source, claim_id) \
           SELECT $2, $3, $13, 'claim', $1 FROM c WHERE $13::text IS NOT NULL \
           ON CONFLICT (session_id, student_id) DO UPDATE \
             SET status = EXCLUDED.status, source = EXCLUDED.source, claim_id = EXCLUDED.claim_id, \
                 marked_at = now() \
             WHERE attendance_records.source = 'session_end' \
           RETURNING status), \
         n AS (SELECT pg_notify($14, $15) FROM c) \
         SELECT EXISTS (SELECT 1 FROM c), (SELECT status FROM r), \
           (SELECT status FROM attendance_records WHERE session_id = $2 AND student_id = $3) \
         FROM (SELECT count(*) FROM f) written_f, (SELECT count(*) FROM n) sent",
    )
    .bind(claim.id.as_uuid())
    .bind(row.id)
    .bind(claim.student.as_uuid())
    .bind(claim.device.as_uuid())
    .bind(scanned_at)
    .bind(now)
    .bind(outcome_text(verdict.outcome))
    .bind(verdict.synced_late)
    .bind(sqlx::types::Json(&stored))
    .bind(claim.evidence.location.as_ref().map(sqlx::types::Json))
    .bind((verdict.outcome == Outcome::Review).then_some("pending"))
    .bind(otp_wrong)
    .bind(marks)
    .bind(live::CHANNEL)
    .bind(live::payload(row.id, Some(student))?)
    .fetch_one(&mut *conn)
    .await?;
    if !inserted {
        return Ok(None);
    }
    // The record written now, else the one that stood before this claim.
    Ok(Some(
        marked
            .or(before)
            .as_deref()
            .and_then(AttendanceStatus::parse),
    ))
}

/// Present, or late when judged after the session's late threshold.
fn present_or_late(row: &SessionRow, judged_at: Timestamp) -> AttendanceStatus {
    let started = row.started_at.map_or(row.scheduled_start, |s| s);
    let late_from = unix(started).unix() + i64::from(row.late_after_min) * 60;
    if judged_at.unix() > late_from {
        AttendanceStatus::Late
    } else {
        AttendanceStatus::Present
    }
}

/// Marks the student present (or late) from an accepted claim. The first
/// record stands; a later accepted claim changes nothing, except that it
/// replaces an automatic absence written when the session ended.
pub(super) async fn mark_present(
    tx: &mut PgConnection,
    row: &SessionRow,
    student: Uuid,
    claim: Uuid,
    judged_at: Timestamp,
    source: &str,
) -> anyhow::Result<AttendanceStatus> {
    let status = present_or_late(row, judged_at);
    let stored: Option<String> = sqlx::query_scalar(
        "INSERT INTO attendance_records (session_id, student_id, status, source, claim_id) \
         VALUES ($1, $2, $3, $5, $4) \
         ON CONFLICT (session_id, student_id) DO UPDATE \
           SET status = EXCLUDED.status, source = EXCLUDED.source, claim_id = EXCLUDED.claim_id, \
               marked_at = now() \
           WHERE attendance_records.source = 'session_end' \
         RETURNING status",
    )
    .bind(row.id)
    .bind(student)
    .bind(status.as_str())
    .bind(claim)
    .bind(source)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(stored) = stored else {
        // A record already stood (the first one wins).
        return Ok(record_status(tx, row.id, student).await?.unwrap_or(status));
    };
    Ok(AttendanceStatus::parse(&stored).unwrap_or(status))
}
