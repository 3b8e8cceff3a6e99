//! Kiosk marks: a room's kiosk recognised a student at the door. The kiosk's
//! credential is bound to its room, so the mark is judged by core with the
//! face as the only factor, against the class of that student running in
//! that room at the scan time.

use base64::Engine as _;
use rollcall_core::anomaly::SessionWindow;
use rollcall_core::api::{ClaimResult, KioskMark, ReviewStatus};
use rollcall_core::claim::{Claim, Evidence};
use rollcall_core::evaluate::{evaluate, Enrolment, History, SessionContext, TimingRules};
use rollcall_core::ids::{ClaimId, DeviceId, SessionId, StudentId};
use rollcall_core::policy::Policy;
use rollcall_core::record::RecordSource;
use rollcall_core::verdict::{Outcome, Reason, ReasonCode, Severity};
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::claims::{answered, record_status, stored_result, Owner, StoredVerdict};
use super::record_writer::{self, RecordWrite};
use super::{live, session, unix};

/// Largest thumbnail kept, bytes.
pub const MAX_THUMBNAIL: usize = 32 * 1024;

/// Why a whole batch of kiosk marks is refused.
#[derive(Debug, thiserror::Error)]
pub enum KioskMarkError {
    /// The caller is not a registered kiosk.
    #[error("this account is not a registered kiosk")]
    NotAKiosk,
    /// A thumbnail is not a small JPEG.
    #[error("thumbnail of mark {0}: a base64 JPEG of at most 32 KiB")]
    BadThumbnail(Uuid),
    /// A mark id is not a UUID v7.
    #[error("mark {0}: the id must be a UUID v7 made on the kiosk")]
    BadId(Uuid),
    /// The database failed.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

fn thumbnail(mark: &KioskMark) -> Result<Option<Vec<u8>>, KioskMarkError> {
    let Some(text) = &mark.thumbnail else {
        return Ok(None);
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| KioskMarkError::BadThumbnail(mark.id))?;
    if bytes.len() > MAX_THUMBNAIL || !bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Err(KioskMarkError::BadThumbnail(mark.id));
    }
    Ok(Some(bytes))
}

fn no_class(mark: &KioskMark) -> ClaimResult {
    ClaimResult {
        claim_id: mark.id,
        outcome: Outcome::Rejected,
        reasons: vec![Reason {
            code: ReasonCode::SessionNotStarted,
            factor: None,
            severity: Severity::Rejects,
            message: "no class of this student is running in this room".to_owned(),
        }],
        factors: Vec::new(),
        synced_late: false,
        record: None,
        duplicate: false,
    }
}

/// Judges and stores `marks` from the kiosk signed in as `kiosk_user`.
///
/// # Errors
/// [`KioskMarkError`] for the whole batch; problems of one mark are results.
pub async fn process(
    pool: &PgPool,
    kiosk_user: Uuid,
    marks: &[KioskMark],
    now: OffsetDateTime,
) -> Result<Vec<ClaimResult>, KioskMarkError> {
    let thumbnails = marks.iter().map(thumbnail).collect::<Result<Vec<_>, _>>()?;
    for mark in marks {
        ClaimId::from_uuid(mark.id).map_err(|_| KioskMarkError::BadId(mark.id))?;
    }
    let kiosk = sqlx::query!(
        "SELECT id, room_id FROM kiosks WHERE user_id = $1",
        kiosk_user
    )
    .fetch_optional(pool)
    .await
    .map_err(anyhow::Error::from)?;
    let (kiosk_id, room) = kiosk
        .map(|k| (k.id, k.room_id))
        .ok_or(KioskMarkError::NotAKiosk)?;
    let policy = Policy::parse("face").map_err(anyhow::Error::from)?;
    let timing = {
        let mut conn = pool.acquire().await.map_err(anyhow::Error::from)?;
        super::judged::late_sync_rules(&mut conn).await?
    };
    let face = rollcall_core::face::calibrated::settings();
    let mut results = Vec::with_capacity(marks.len());
    for (mark, thumb) in marks.iter().zip(thumbnails) {
        let mut tx = pool.begin().await.map_err(anyhow::Error::from)?;
        let stored = stored_result(&mut tx, mark.id, Owner::Kiosk(kiosk_id)).await?;
        if let Some(answer) = stored.answer(mark.id, now) {
            results.push(answer);
            continue;
        }
        let scanned = OffsetDateTime::from_unix_timestamp(mark.scanned_at.unix())
            .map_err(anyhow::Error::from)?;
        // The student's class running in this room at the scan, by core's
        // window: the clocks may differ by the skew allowed, and the grace
        // after the end counts (core judges the mark against it again).
        let session_id = sqlx::query_scalar!(
            "SELECT s.id FROM class_sessions s JOIN division_students ds
               ON ds.division_id = s.division_id AND ds.student_id = $2
             WHERE s.room_id = $1 AND s.started_at IS NOT NULL
               AND s.started_at <= $3::timestamptz + make_interval(secs => $4)
               AND (s.ended_at IS NULL OR s.ended_at + make_interval(secs => $5) >= $3::timestamptz)
             ORDER BY s.started_at DESC LIMIT 1",
            room,
            mark.student_id,
            scanned,
            timing.max_clock_skew_s as f64,
            timing.grace_after_end_s as f64
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(anyhow::Error::from)?;
        let Some(row) = (match session_id {
            Some(id) => session::load(&mut tx, id)
                .await
                .map_err(anyhow::Error::from)?,
            None => None,
        }) else {
            results.push(no_class(mark));
            continue;
        };
        let face_model = sqlx::query_scalar!(
            "SELECT model_id FROM face_templates WHERE student_id = $1",
            mark.student_id
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(anyhow::Error::from)?;
        let face_model = face_model.and_then(|m| rollcall_core::face::ModelId::new(m).ok());
        let keys = row.keys()?;
        let claim = Claim {
            id: ClaimId::from_uuid(mark.id).map_err(|_| KioskMarkError::BadId(mark.id))?,
            student: StudentId::from(mark.student_id),
            session: SessionId::from(row.id),
            device: DeviceId::from(kiosk_id),
            scanned_at: mark.scanned_at,
            evidence: Evidence {
                face: Some(mark.face.clone()),
                ..Evidence::default()
            },
        };
        let ctx = SessionContext {
            session: SessionId::from(row.id),
            window: SessionWindow {
                starts_at: row
                    .started_at
                    .map_or_else(|| unix(row.scheduled_start), unix),
                ends_at: row.ended_at.map(unix),
            },
            keys: &keys,
            otp_failures: 0,
            room: &row.room_name,
            fence: None,
            radio: None,
            face: Some(&face),
            policy: &policy,
            // The kiosk is the school's own, bound to its room: its scan time
            // (a mark kept through an outage) is taken as it says.
            timing: TimingRules {
                trusted_device: true,
                ..timing
            },
            history: History::default(),
            // The session was found among the student's own divisions' classes.
            enrolment: Enrolment {
                in_division: true,
                face_model: face_model.as_ref(),
            },
        };
        let verdict = evaluate(&claim, &ctx, unix(now));
        let stored = StoredVerdict {
            reasons: verdict.reasons.clone(),
            factors: verdict.factors.clone(),
        };
        let review = verdict.outcome == Outcome::Review;
        sqlx::query!(
            "INSERT INTO claims (id, session_id, student_id, kiosk_id, scanned_at, received_at,
             outcome, synced_late, verdict, review_status, thumbnail)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            mark.id,
            row.id,
            mark.student_id,
            kiosk_id,
            scanned,
            now,
            verdict.outcome as Outcome,
            verdict.synced_late,
            sqlx::types::Json(&stored) as _,
            review.then_some(ReviewStatus::Pending) as Option<ReviewStatus>,
            if review { thumb } else { None }
        )
        .execute(&mut *tx)
        .await
        .map_err(anyhow::Error::from)?;
        if verdict.outcome == Outcome::Accepted {
            let write = RecordWrite {
                session_id: row.id,
                student_id: mark.student_id,
                status: row.late_line().status_at(verdict.judged_at),
                source: RecordSource::Kiosk,
                claim_id: Some(mark.id),
                marked_by: None,
                note: None,
            };
            record_writer::write(&mut tx, &[write])
                .await
                .map_err(anyhow::Error::from)?;
        }
        let record = record_status(&mut tx, row.id, mark.student_id)
            .await
            .map_err(anyhow::Error::from)?;
        live::notify(&mut tx, row.id, mark.student_id).await?;
        tx.commit().await.map_err(anyhow::Error::from)?;
        results.push(answered(mark.id, verdict, record));
    }
    Ok(results)
}
