//! The roster of a session, manual marks, and ending a session.

use rollcall_core::api::{AttendanceStatus, Roster, RosterEntry};
use rollcall_core::record::RecordSource;
use rollcall_core::verdict::ReasonCode;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::record_writer::upsert_records;
use super::unix;

struct EntryRow {
    student_id: Uuid,
    display_name: String,
    student_no: Option<String>,
    status: Option<AttendanceStatus>,
    source: Option<RecordSource>,
    marked_at: Option<OffsetDateTime>,
    in_review: bool,
    codes: Option<Vec<String>>,
}

impl From<EntryRow> for RosterEntry {
    fn from(r: EntryRow) -> Self {
        let mut flags: Vec<ReasonCode> = r
            .codes
            .unwrap_or_default()
            .iter()
            .filter_map(|c| ReasonCode::parse(c))
            .filter(|c| c.is_roster_flag())
            .collect();
        flags.sort();
        flags.dedup();
        Self {
            student_id: r.student_id,
            display_name: r.display_name,
            student_no: r.student_no,
            status: r.status,
            source: r.source,
            marked_at: r.marked_at.map(unix),
            in_review: r.in_review,
            flags,
        }
    }
}

/// The roster's lines of `session`: every student of its division, or only
/// `student` when given.
async fn entries(
    conn: &mut PgConnection,
    session: Uuid,
    student: Option<Uuid>,
) -> Result<Vec<EntryRow>, sqlx::Error> {
    sqlx::query_as!(
        EntryRow,
        r#"SELECT u.id AS student_id, u.display_name, u.student_no,
           a.status AS "status?: AttendanceStatus", a.source AS "source?: RecordSource",
           a.marked_at AS "marked_at?",
           EXISTS (SELECT 1 FROM claims c WHERE c.session_id = s.id AND c.student_id = u.id
                   AND c.review_status = 'pending') AS "in_review!",
           (SELECT array_agg(r->>'code') FROM claims c, jsonb_array_elements(c.verdict->'reasons') r
             WHERE c.id = (SELECT id FROM claims c2 WHERE c2.session_id = s.id
                           AND c2.student_id = u.id ORDER BY c2.received_at DESC LIMIT 1)) AS codes
         FROM class_sessions s
         JOIN division_students ds ON ds.division_id = s.division_id
         JOIN users u ON u.id = ds.student_id
         LEFT JOIN attendance_records a ON a.session_id = s.id AND a.student_id = u.id
         WHERE s.id = $1 AND ($2::uuid IS NULL OR u.id = $2)
         ORDER BY u.display_name, u.id"#,
        session,
        student
    )
    .fetch_all(conn)
    .await
}

/// Every student of the session's division, with their record.
///
/// # Errors
/// When the database fails.
pub async fn roster(conn: &mut PgConnection, session: Uuid) -> Result<Roster, sqlx::Error> {
    let entries: Vec<RosterEntry> = entries(conn, session, None)
        .await?
        .into_iter()
        .map(RosterEntry::from)
        .collect();
    let present = entries
        .iter()
        .filter(|e| {
            matches!(
                e.status,
                Some(AttendanceStatus::Present | AttendanceStatus::Late)
            )
        })
        .count();
    Ok(Roster {
        session_id: session,
        expected: u32::try_from(entries.len()).unwrap_or(u32::MAX),
        present: u32::try_from(present).unwrap_or(u32::MAX),
        entries,
    })
}

/// One student's line, if they belong to the session's division.
///
/// # Errors
/// When the database fails.
pub async fn entry(
    conn: &mut PgConnection,
    session: Uuid,
    student: Uuid,
) -> Result<Option<RosterEntry>, sqlx::Error> {
    let rows = entries(conn, session, Some(student)).await?;
    Ok(rows.into_iter().next().map(RosterEntry::from))
}

/// Ends the session and marks everyone without a record absent; returns how
/// many were marked.
///
/// # Errors
/// When the database fails.
pub async fn end_session(conn: &mut PgConnection, session: Uuid) -> Result<u64, sqlx::Error> {
    sqlx::query!(
        "UPDATE class_sessions SET ended_at = now() WHERE id = $1 AND ended_at IS NULL",
        session
    )
    .fetch_all(&mut *conn)
    .await?;
    let marked = upsert_records!(
        "",
        "(SELECT s.id AS session_id, ds.student_id, 'absent' AS status, 'session_end' AS source,
           NULL::uuid AS claim_id, NULL::uuid AS marked_by, NULL::text AS note
         FROM class_sessions s JOIN division_students ds ON ds.division_id = s.division_id
         WHERE s.id = $1) absent",
        "",
        session
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(u64::try_from(marked.len()).unwrap_or(u64::MAX))
}
