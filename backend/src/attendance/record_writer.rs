//! The one statement that writes students' records: claims (inside their
//! grouped write), kiosk marks, review decisions, manual marks and the
//! absences written when a session ends all go through [`upsert_records!`], so a
//! record stands or is replaced by the same rule everywhere: core's
//! [`RecordSource::replaces`] (a teacher's mark replaces anything; any other
//! record replaces only an automatic absence; otherwise the first stands).

use rollcall_core::api::AttendanceStatus;
use rollcall_core::record::RecordSource;
use sqlx::PgConnection;
use uuid::Uuid;

/// One record to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordWrite {
    /// The session.
    pub session_id: Uuid,
    /// The student.
    pub student_id: Uuid,
    /// Their mark.
    pub status: AttendanceStatus,
    /// How it was made.
    pub source: RecordSource,
    /// The claim behind it (kept from the standing record when absent).
    pub claim_id: Option<Uuid>,
    /// Who marked it by hand or decided its review.
    pub marked_by: Option<Uuid>,
    /// Why (a manual mark's reason, a review's note).
    pub note: Option<String>,
}

/// The `INSERT` that writes the records of `$rows`, as one checked statement:
/// `$before`, the `INSERT`, then `$after` (so it can stand alone or be a CTE of a
/// larger statement). `$rows` is a relation with the columns `session_id,
/// student_id, status, source, claim_id, marked_by, note` (one row per session and
/// student); the `INSERT` returns the records it wrote as `session_id, student_id,
/// status`. A macro, because a checked statement is a literal: its text is put
/// together at compile time and checked against the schema whole.
macro_rules! upsert_records {
    ($before:literal, $rows:literal, $after:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query!(
            $before
                + "INSERT INTO attendance_records
                     (session_id, student_id, status, source, claim_id, marked_by, note)
                   SELECT session_id, student_id, status, source, claim_id, marked_by, note FROM "
                + $rows
                + " ON CONFLICT (session_id, student_id) DO UPDATE SET status = EXCLUDED.status,
                     source = EXCLUDED.source,
                     claim_id = COALESCE(EXCLUDED.claim_id, attendance_records.claim_id),
                     marked_by = EXCLUDED.marked_by, note = EXCLUDED.note, marked_at = now()
                   WHERE EXCLUDED.source = 'manual'
                     OR (attendance_records.source = 'session_end'
                         AND EXCLUDED.source <> 'session_end')
                   RETURNING session_id, student_id, status"
                + $after
            $(, $arg)*
        )
    };
}
pub(crate) use upsert_records;

/// Writes `writes` (one per session and student) in one statement; how many
/// were written (the others met a record that stands).
///
/// # Errors
/// When the database fails.
pub async fn write(conn: &mut PgConnection, writes: &[RecordWrite]) -> Result<u64, sqlx::Error> {
    let column = |f: fn(&RecordWrite) -> Uuid| writes.iter().map(f).collect::<Vec<_>>();
    let optional = |f: fn(&RecordWrite) -> Option<Uuid>| writes.iter().map(f).collect::<Vec<_>>();
    let statuses: Vec<&str> = writes.iter().map(|w| w.status.as_str()).collect();
    let sources: Vec<&str> = writes.iter().map(|w| w.source.as_str()).collect();
    let notes: Vec<Option<&str>> = writes.iter().map(|w| w.note.as_deref()).collect();
    let done = upsert_records!(
        "",
        "UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::uuid[],
           $7::text[]) AS r(session_id, student_id, status, source, claim_id, marked_by, note)",
        "",
        &column(|w| w.session_id),
        &column(|w| w.student_id),
        &statuses as &[&str],
        &sources as &[&str],
        &optional(|w| w.claim_id) as &[Option<Uuid>],
        &optional(|w| w.marked_by) as &[Option<Uuid>],
        &notes as &[Option<&str>],
    )
    .fetch_all(conn)
    .await?;
    Ok(u64::try_from(done.len()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::PgPool;

    /// Every pair of sources, written through the statement, ends as core's
    /// rule says.
    #[sqlx::test(migrations = "../migrations")]
    async fn the_statement_keeps_or_replaces_a_record_as_cores_rule_says(pool: PgPool) {
        crate::seed::seed_demo(&pool).await.expect("demo school");
        let session: Uuid = sqlx::query_scalar(
            "INSERT INTO class_sessions (id, session_date, teacher_id, room_id, division_id, \
               secret, policy, scheduled_start, scheduled_end, started_at) \
             SELECT gen_random_uuid(), current_date, (SELECT id FROM users WHERE role = 'teacher' LIMIT 1), \
               (SELECT id FROM rooms LIMIT 1), (SELECT id FROM divisions LIMIT 1), \
               '\\x00112233445566778899aabbccddeeff', 'token', now(), now() + interval '1 hour', now() \
             RETURNING id",
        )
        .fetch_one(&pool)
        .await
        .expect("a session");
        let students: Vec<Uuid> =
            sqlx::query_scalar("SELECT id FROM users WHERE role = 'student' ORDER BY id LIMIT 25")
                .fetch_all(&pool)
                .await
                .expect("students");
        let mut conn = pool.acquire().await.expect("a connection");
        let pairs = RecordSource::ALL
            .into_iter()
            .flat_map(|standing| RecordSource::ALL.map(|incoming| (standing, incoming)));
        for ((standing, incoming), student) in pairs.zip(&students) {
            let first = RecordWrite {
                session_id: session,
                student_id: *student,
                status: AttendanceStatus::Absent,
                source: standing,
                claim_id: None,
                marked_by: None,
                note: None,
            };
            assert_eq!(
                write(&mut conn, std::slice::from_ref(&first))
                    .await
                    .expect("written"),
                1
            );
            let second = RecordWrite {
                status: AttendanceStatus::Present,
                source: incoming,
                note: Some("second".to_owned()),
                ..first
            };
            let written = write(&mut conn, &[second]).await.expect("written");
            let (status, source): (String, String) = sqlx::query_as(
                "SELECT status, source FROM attendance_records WHERE session_id = $1 AND student_id = $2",
            )
            .bind(session)
            .bind(student)
            .fetch_one(&mut *conn)
            .await
            .expect("the record");
            let replaced = incoming.replaces(standing);
            assert_eq!(
                written,
                u64::from(replaced),
                "{incoming:?} over {standing:?}"
            );
            let expected = if replaced { incoming } else { standing };
            assert_eq!(
                (status.as_str(), source.as_str()),
                (
                    if replaced { "present" } else { "absent" },
                    expected.as_str()
                ),
                "{incoming:?} over {standing:?}"
            );
        }
    }
}
