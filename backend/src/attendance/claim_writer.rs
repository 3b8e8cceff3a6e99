//! Storing judged claims, many requests' claims in one statement (see
//! [`super::grouped`]): the claims (the claim id is the idempotency key), the
//! OTP guesses that were not wrong given back (see [`super::otp_guesses`]),
//! the records of accepted claims (through [`super::record_writer`]: the
//! first record stands, except an automatic absence) and one `pg_notify` per 50 roster changes, so
//! one commit and one NOTIFY lock serve the whole group.

use std::collections::HashMap;

use rollcall_core::api::AttendanceStatus;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::live;
use super::record_writer::upsert_records;
use crate::grouped::GroupWork;

/// One judged claim, as it is stored.
#[derive(Debug, Clone)]
pub struct ClaimWrite {
    pub claim_id: Uuid,
    pub session_id: Uuid,
    pub student_id: Uuid,
    pub device_id: Uuid,
    pub scanned_at: OffsetDateTime,
    pub received_at: OffsetDateTime,
    pub outcome: &'static str,
    pub synced_late: bool,
    /// The stored verdict, as JSON.
    pub verdict: String,
    /// The location evidence, as JSON.
    pub location: Option<String>,
    /// `pending` for a claim that waits for review.
    pub review_status: Option<&'static str>,
    /// The claim took an OTP guess that was not wrong: it is given back
    /// (a wrong one stays counted towards the lock).
    pub otp_give_back: bool,
    /// The record an accepted claim writes (present or late).
    pub marks: Option<AttendanceStatus>,
}

/// What became of one write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// Stored now; the student's record after it (written now, or the one
    /// that stood before).
    Stored(Option<AttendanceStatus>),
    /// The claim id was stored before (or by another request meanwhile);
    /// nothing was written.
    AlreadyStored,
}

/// Stores judged claims in groups.
#[derive(Debug)]
pub struct StoreClaims;

impl GroupWork for StoreClaims {
    type Input = ClaimWrite;
    type Output = Written;
    const NAME: &'static str = "claim writer";

    async fn run(conn: &mut PgConnection, writes: &[ClaimWrite]) -> anyhow::Result<Vec<Written>> {
        // A claim id twice in one group: the first is written, the others find it stored.
        let mut first: HashMap<Uuid, usize> = HashMap::with_capacity(writes.len());
        let mut distinct = Vec::with_capacity(writes.len());
        for (i, w) in writes.iter().enumerate() {
            first.entry(w.claim_id).or_insert_with(|| {
                distinct.push(w.clone());
                i
            });
        }
        let written = write_group(conn, &distinct).await?;
        let mut results = written.into_iter();
        Ok(writes
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if first.get(&w.claim_id) == Some(&i) {
                    results.next().unwrap_or(Written::AlreadyStored)
                } else {
                    Written::AlreadyStored
                }
            })
            .collect())
    }
}

/// Columns of a group, as the arrays the statement unnests.
#[derive(Default)]
struct Columns {
    id: Vec<Uuid>,
    session: Vec<Uuid>,
    student: Vec<Uuid>,
    device: Vec<Uuid>,
    scanned_at: Vec<OffsetDateTime>,
    received_at: Vec<OffsetDateTime>,
    outcome: Vec<&'static str>,
    synced_late: Vec<bool>,
    verdict: Vec<String>,
    location: Vec<Option<String>>,
    review_status: Vec<Option<&'static str>>,
    otp_give_back: Vec<bool>,
    marks: Vec<Option<&'static str>>,
}

impl Columns {
    fn of(writes: &[ClaimWrite]) -> Self {
        let mut c = Self::default();
        for w in writes {
            c.id.push(w.claim_id);
            c.session.push(w.session_id);
            c.student.push(w.student_id);
            c.device.push(w.device_id);
            c.scanned_at.push(w.scanned_at);
            c.received_at.push(w.received_at);
            c.outcome.push(w.outcome);
            c.synced_late.push(w.synced_late);
            c.verdict.push(w.verdict.clone());
            c.location.push(w.location.clone());
            c.review_status.push(w.review_status);
            c.otp_give_back.push(w.otp_give_back);
            c.marks.push(w.marks.map(AttendanceStatus::as_str));
        }
        c
    }
}

/// Writes `writes` (distinct claim ids) in one statement; a result per write,
/// in order. The record standing before is a scalar subquery (an index probe
/// per claim): as a join, the generic plan made while the table was small
/// would read the whole table.
async fn write_group(
    conn: &mut PgConnection,
    writes: &[ClaimWrite],
) -> anyhow::Result<Vec<Written>> {
    let c = Columns::of(writes);
    // The roster changes go out 50 to a NOTIFY (Postgres allows 8,000 bytes in a
    // payload; one change is about 100).
    let rows = upsert_records!(
        "WITH input AS (
           SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[],
             $5::timestamptz[], $6::timestamptz[], $7::text[], $8::bool[], $9::text[],
             $10::text[], $11::text[], $12::bool[], $13::text[]) WITH ORDINALITY
             AS t(id, session_id, student_id, device_id, scanned_at, received_at, outcome,
                  synced_late, verdict, location, review_status, otp_give_back, marks, ord)),
         c AS (
           INSERT INTO claims (id, session_id, student_id, device_id, scanned_at, received_at,
             outcome, synced_late, verdict, location, review_status)
           SELECT id, session_id, student_id, device_id, scanned_at, received_at, outcome,
             synced_late, verdict::jsonb, location::jsonb, review_status FROM input ORDER BY id
           ON CONFLICT (id) DO NOTHING RETURNING id),
         written AS (SELECT input.* FROM input JOIN c USING (id)),
         f AS (
           INSERT INTO otp_failures (session_id, student_id, failures)
           SELECT session_id, student_id, 0 FROM written WHERE otp_give_back
           GROUP BY session_id, student_id ORDER BY session_id, student_id
           ON CONFLICT (session_id, student_id) DO UPDATE SET failures = greatest(
             otp_failures.failures - (SELECT count(*)::int FROM written g WHERE g.otp_give_back
               AND g.session_id = EXCLUDED.session_id AND g.student_id = EXCLUDED.student_id), 0)
           RETURNING 1),
         r AS (",
        "(SELECT DISTINCT ON (session_id, student_id) session_id, student_id, marks AS status,
           'claim' AS source, id AS claim_id, NULL::uuid AS marked_by, NULL::text AS note
         FROM written WHERE marks IS NOT NULL ORDER BY session_id, student_id, ord) marked",
        "),
         n AS (
           SELECT pg_notify($14, json_agg(json_build_object(
             'session_id', session_id, 'student_id', student_id))::text)
           FROM (SELECT session_id, student_id,
                   (row_number() OVER (ORDER BY session_id, student_id) - 1) / 50 AS part
                 FROM (SELECT DISTINCT session_id, student_id FROM written) changed) parts
           GROUP BY part)
         SELECT c.id IS NOT NULL AS \"inserted!\", COALESCE(r.status,
           (SELECT status FROM attendance_records before
             WHERE before.session_id = input.session_id AND before.student_id = input.student_id))
           AS \"status: AttendanceStatus\"
         FROM input LEFT JOIN c ON c.id = input.id
           LEFT JOIN r ON r.session_id = input.session_id AND r.student_id = input.student_id
           CROSS JOIN (SELECT count(*) FROM f) counted
           CROSS JOIN (SELECT count(*) FROM n) sent
         ORDER BY input.ord",
        &c.id,
        &c.session,
        &c.student,
        &c.device,
        &c.scanned_at,
        &c.received_at,
        &c.outcome as &[&str],
        &c.synced_late,
        &c.verdict,
        &c.location as &[Option<String>],
        &c.review_status as &[Option<&str>],
        &c.otp_give_back,
        &c.marks as &[Option<&str>],
        live::CHANNEL,
    )
    .fetch_all(&mut *conn)
    .await?;
    anyhow::ensure!(
        rows.len() == writes.len(),
        "{} results for {} claims",
        rows.len(),
        writes.len()
    );
    Ok(rows
        .into_iter()
        .map(|row| {
            if row.inserted {
                Written::Stored(row.status)
            } else {
                Written::AlreadyStored
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grouped::{run_and_answer, Grouped, Pending};
    use sqlx::postgres::PgListener;
    use sqlx::PgPool;
    use std::sync::Arc;

    /// A running session of the demo school and three of its students.
    async fn class(pool: &PgPool) -> (Uuid, Vec<Uuid>) {
        crate::seed::seed_demo(pool).await.expect("demo school");
        let session = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO class_sessions (id, session_date, teacher_id, room_id, division_id, \
               secret, policy, scheduled_start, scheduled_end, started_at) \
             SELECT $1, current_date, (SELECT id FROM users WHERE role = 'teacher' LIMIT 1), \
               (SELECT id FROM rooms LIMIT 1), (SELECT id FROM divisions LIMIT 1), \
               '\\x00112233445566778899aabbccddeeff', 'qr_or_otp', now(), now() + interval '1 hour', now()",
        )
        .bind(session)
        .execute(pool)
        .await
        .expect("a session");
        let students: Vec<Uuid> =
            sqlx::query_scalar("SELECT id FROM users WHERE role = 'student' ORDER BY id LIMIT 3")
                .fetch_all(pool)
                .await
                .expect("students");
        (session, students)
    }

    fn write(session: Uuid, student: Uuid) -> ClaimWrite {
        let now = OffsetDateTime::now_utc();
        ClaimWrite {
            claim_id: Uuid::now_v7(),
            session_id: session,
            student_id: student,
            device_id: Uuid::now_v7(),
            scanned_at: now,
            received_at: now,
            outcome: "rejected",
            synced_late: false,
            verdict: r#"{"reasons":[],"factors":[]}"#.to_owned(),
            location: Some(r#"{"point":{"lat":1.0,"lon":2.0},"accuracy":5.0}"#.to_owned()),
            review_status: None,
            otp_give_back: false,
            marks: None,
        }
    }

    fn accepted(session: Uuid, student: Uuid, marks: AttendanceStatus) -> ClaimWrite {
        ClaimWrite {
            outcome: "accepted",
            marks: Some(marks),
            ..write(session, student)
        }
    }

    /// A claim whose OTP guess was right: the guess is given back.
    fn right_otp(session: Uuid, student: Uuid) -> ClaimWrite {
        ClaimWrite {
            otp_give_back: true,
            ..write(session, student)
        }
    }

    /// `guesses` OTP guesses taken by each of `students`.
    async fn guesses_taken(pool: &PgPool, session: Uuid, students: &[Uuid], guesses: i32) {
        for student in students {
            sqlx::query(
                "INSERT INTO otp_failures (session_id, student_id, failures) VALUES ($1, $2, $3)",
            )
            .bind(session)
            .bind(student)
            .bind(guesses)
            .execute(pool)
            .await
            .expect("guesses taken");
        }
    }

    async fn count(pool: &PgPool, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn one_group_stores_each_claim_once_gives_back_every_right_guess_and_keeps_the_first_record(
        pool: PgPool,
    ) {
        let (session, s) = class(&pool).await;
        guesses_taken(&pool, session, &s[1..2], 3).await;
        let mut listener = PgListener::connect_with(&pool).await.expect("listener");
        listener.listen(live::CHANNEL).await.expect("listen");
        let first = accepted(session, s[0], AttendanceStatus::Present);
        let group = vec![
            first.clone(),
            accepted(session, s[0], AttendanceStatus::Late),
            right_otp(session, s[1]),
            right_otp(session, s[1]),
            write(session, s[2]),
        ];
        let mut conn = pool.acquire().await.expect("a connection");
        let results = write_group(&mut conn, &group).await.expect("written");
        assert_eq!(
            results,
            vec![
                Written::Stored(Some(AttendanceStatus::Present)),
                Written::Stored(Some(AttendanceStatus::Present)),
                Written::Stored(None),
                Written::Stored(None),
                Written::Stored(None),
            ]
        );
        assert_eq!(count(&pool, "SELECT count(*) FROM claims").await, 5);
        assert_eq!(
            count(&pool, "SELECT count(*) FROM attendance_records").await,
            1
        );
        let (status, claim): (String, Uuid) =
            sqlx::query_as("SELECT status, claim_id FROM attendance_records")
                .fetch_one(&pool)
                .await
                .expect("the record");
        assert_eq!((status.as_str(), claim), ("present", first.claim_id));
        assert_eq!(
            count(&pool, "SELECT sum(failures)::bigint FROM otp_failures").await,
            1,
            "3 guesses taken, 2 given back"
        );
        // One notification carries the three students' changes.
        let note = tokio::time::timeout(std::time::Duration::from_secs(5), listener.recv())
            .await
            .expect("notified in time")
            .expect("a notification");
        let mut changed: Vec<Option<Uuid>> =
            serde_json::from_str::<Vec<live::RosterChange>>(note.payload())
                .expect("a list of changes")
                .into_iter()
                .map(|c| {
                    assert_eq!(c.session_id, session);
                    c.student_id
                })
                .collect();
        changed.sort();
        let mut expected: Vec<Option<Uuid>> = s.iter().copied().map(Some).collect();
        expected.sort();
        assert_eq!(changed, expected);

        // Sent again, nothing is written and nobody is told.
        let again = write_group(&mut conn, &group[..1]).await.expect("written");
        assert_eq!(again, vec![Written::AlreadyStored]);
        assert_eq!(count(&pool, "SELECT count(*) FROM claims").await, 5);
        let more =
            tokio::time::timeout(std::time::Duration::from_millis(300), listener.recv()).await;
        assert!(more.is_err(), "a resent claim notified: {more:?}");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn a_bad_claim_fails_only_itself_and_a_repeated_id_finds_the_first(pool: PgPool) {
        let (session, s) = class(&pool).await;
        let good = accepted(session, s[0], AttendanceStatus::Present);
        // No such session: the foreign key refuses it, and with it the group.
        let bad = write(Uuid::now_v7(), s[1]);
        let repeat = ClaimWrite {
            outcome: "rejected",
            marks: None,
            ..good.clone()
        };
        let mut answers = Vec::new();
        let mut group = Vec::new();
        for input in [good.clone(), bad, repeat, right_otp(session, s[2])] {
            let (reply, answer) = tokio::sync::oneshot::channel();
            group.push(Pending::<StoreClaims> { input, reply });
            answers.push(answer);
        }
        let mut conn = pool.acquire().await.expect("a connection");
        assert!(
            !run_and_answer(&mut conn, group).await,
            "a failure was reported"
        );
        let mut results = Vec::new();
        for answer in answers {
            results.push(answer.await.expect("answered"));
        }
        assert_eq!(
            results[0],
            Ok(Written::Stored(Some(AttendanceStatus::Present)))
        );
        assert!(
            results[1]
                .as_ref()
                .is_err_and(|e| e.message().contains("foreign key")),
            "{:?}",
            results[1]
        );
        assert_eq!(results[2], Ok(Written::AlreadyStored));
        assert_eq!(results[3], Ok(Written::Stored(None)));
        assert_eq!(count(&pool, "SELECT count(*) FROM claims").await, 2);
        let outcome: String = sqlx::query_scalar("SELECT outcome FROM claims WHERE id = $1")
            .bind(good.claim_id)
            .fetch_one(&pool)
            .await
            .expect("the first");
        assert_eq!(outcome, "accepted");
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn claims_sent_at_once_from_many_requests_are_all_stored_with_their_records(
        pool: PgPool,
    ) {
        let (session, _) = class(&pool).await;
        let students: Vec<Uuid> =
            sqlx::query_scalar("SELECT id FROM users WHERE role = 'student' ORDER BY id")
                .fetch_all(&pool)
                .await
                .expect("students");
        guesses_taken(&pool, session, &students, 1).await;
        let writer = Arc::new(Grouped::<StoreClaims>::default());
        let mut tasks = tokio::task::JoinSet::new();
        for (i, student) in students.iter().enumerate() {
            for copy in 0..3 {
                let (writer, pool) = (Arc::clone(&writer), pool.clone());
                let w = if copy == 2 && i % 2 == 0 {
                    right_otp(session, *student)
                } else {
                    accepted(session, *student, AttendanceStatus::Present)
                };
                tasks.spawn(async move { writer.call(&pool, w).await });
            }
        }
        let mut stored = 0;
        while let Some(result) = tasks.join_next().await {
            let written = result.expect("joined").expect("written");
            assert!(matches!(written, Written::Stored(_)), "{written:?}");
            stored += 1;
        }
        let n = i64::try_from(students.len()).expect("few");
        assert_eq!(stored, 3 * n);
        assert_eq!(count(&pool, "SELECT count(*) FROM claims").await, 3 * n);
        assert_eq!(
            count(&pool, "SELECT count(*) FROM attendance_records").await,
            n
        );
        assert_eq!(
            count(
                &pool,
                "SELECT coalesce(sum(failures), 0)::bigint FROM otp_failures"
            )
            .await,
            n - (n + 1) / 2,
            "every other student's guess given back"
        );
    }
}
