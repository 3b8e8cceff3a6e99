//! The teacher's classroom through the app's own library against a real server on a
//! fresh database: today's classes, starting one, the QR and OTP, the live roster
//! over the server's WebSocket, a manual correction, ending, and the class sheet.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use std::time::Duration;

use rollcall_app::teacher::live;
use rollcall_app::{AppError, Classroom, ServerClient};
use rollcall_core::api::{
    AttendanceStatus, LiveConnection, LiveRosterEvent, MarkForm, SessionStatus, SheetFormat,
};
use rollcall_core::qr::QrPayload;
use rollcall_core::timestamp::Timestamp;
use sqlx::PgPool;
use tokio::sync::mpsc;
use uuid::Uuid;

async fn seeded_server(pool: &PgPool) -> String {
    rollcall_server::seed::seed_demo(pool)
        .await
        .expect("demo school seeds");
    let addr = rollcall_server::testing::spawn_server(pool.clone())
        .await
        .expect("server starts");
    format!("http://{addr}")
}

/// A timetable slot of teacher1 today (the demo week may have none today).
async fn slot_today(pool: &PgPool) -> Uuid {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO timetable_slots (id, division_id, subject_id, teacher_id, room_id, weekday, starts_at, ends_at) \
         SELECT $1, t.division_id, t.subject_id, t.teacher_id, t.room_id, \
                EXTRACT(ISODOW FROM now() AT TIME ZONE 'UTC')::smallint, '06:05', '06:55' \
         FROM timetable_slots t JOIN users u ON u.id = t.teacher_id \
         WHERE u.username = 'teacher1' LIMIT 1",
    )
    .bind(id)
    .execute(pool)
    .await
    .expect("a slot today");
    id
}

fn now() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    Timestamp::from_unix(i64::try_from(secs).unwrap())
}

async fn next_event(events: &mut mpsc::UnboundedReceiver<LiveRosterEvent>) -> LiveRosterEvent {
    tokio::time::timeout(Duration::from_secs(5), events.recv())
        .await
        .expect("a live-roster event within 5 s")
        .expect("the follower is running")
}

#[sqlx::test(migrations = "../migrations")]
async fn a_teacher_starts_todays_class_presents_it_follows_the_roster_corrects_a_mark_and_ends_it(
    pool: PgPool,
) {
    let server = seeded_server(&pool).await;
    let slot = slot_today(&pool).await;
    let client = ServerClient::new();
    client
        .login(&server, "teacher1", "rollcall-teacher")
        .await
        .unwrap();
    let classroom = Classroom::new();

    let today = classroom.today(&client).await.unwrap();
    let planned = today
        .iter()
        .find(|s| s.slot_id == Some(slot))
        .expect("the slot is among today's classes");
    assert_eq!(planned.status, SessionStatus::Planned);
    // A planned class already has its secret: the QR can be drawn before the start.
    assert!(classroom.frame(planned.id, now()).is_ok());

    let started = classroom.start(&client, slot).await.unwrap();
    assert_eq!(started.id, planned.id);
    assert_eq!(started.status, SessionStatus::Running);
    let frame = classroom.frame(started.id, now()).unwrap();
    let payload: QrPayload = frame.payload.parse().expect("the QR text is a payload");
    assert_eq!(*payload.session().as_uuid(), started.id);
    assert_eq!(frame.otp.len(), 6);
    assert!(frame.qr_seconds_left >= 1 && frame.qr_seconds_left <= frame.qr_period_s);
    let later = classroom
        .frame(started.id, now().plus(i64::from(frame.qr_period_s)))
        .unwrap();
    assert_ne!(later.payload, frame.payload, "the QR turns every period");

    // The live roster: the whole roster first, then the manual mark as it happens.
    let (sender, mut events) = mpsc::unbounded_channel();
    let follower = {
        let client = ServerClient::new();
        client
            .login(&server, "teacher1", "rollcall-teacher")
            .await
            .unwrap();
        let id = started.id;
        tokio::spawn(async move {
            live::follow(&client, id, |event| {
                let _ = sender.send(event);
            })
            .await;
        })
    };
    assert_eq!(
        next_event(&mut events).await.connection,
        LiveConnection::Connecting
    );
    let first = next_event(&mut events).await;
    assert_eq!(first.connection, LiveConnection::Live);
    let roster = first.roster.expect("the roster comes first");
    assert!(roster.expected >= 2, "{roster:?}");
    assert_eq!(roster.present, 0);
    let student = roster.entries[1].student_id;

    let line = Classroom::mark(
        &client,
        &MarkForm {
            session_id: started.id,
            student_id: student,
            status: AttendanceStatus::Present,
            reason: "Was at the front desk".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(line.status, Some(AttendanceStatus::Present));
    let changed = next_event(&mut events).await;
    let roster = changed.roster.unwrap();
    assert_eq!(roster.present, 1);
    let entry = roster
        .entries
        .iter()
        .find(|e| e.student_id == student)
        .unwrap();
    assert_eq!(
        entry.source,
        Some(rollcall_core::record::RecordSource::Manual)
    );

    let empty_reason = Classroom::mark(
        &client,
        &MarkForm {
            session_id: started.id,
            student_id: student,
            status: AttendanceStatus::Late,
            reason: "  ".into(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(empty_reason.code(), "invalid_field");

    let ended = classroom.end(&client, started.id).await.unwrap();
    assert_eq!(ended.present, 1);
    assert!(ended
        .entries
        .iter()
        .filter(|e| e.student_id != student)
        .all(|e| e.status == Some(AttendanceStatus::Absent)));
    assert!(matches!(
        classroom.frame(started.id, now()),
        Err(AppError::UnknownClass)
    ));
    follower.abort();

    let folder = std::env::temp_dir().join(format!("rollcall-sheet-{}", Uuid::now_v7()));
    let csv = Classroom::export_sheet(&client, started.id, SheetFormat::Csv, &folder)
        .await
        .unwrap();
    assert!(csv.path.ends_with(".csv"), "{}", csv.path);
    let text = std::fs::read_to_string(&csv.path).unwrap();
    assert_eq!(text.lines().count(), ended.entries.len() + 1);
    assert!(text.contains(&format!("{},", entry.display_name)));
    let pdf = Classroom::export_sheet(&client, started.id, SheetFormat::Pdf, &folder)
        .await
        .unwrap();
    assert!(std::fs::read(&pdf.path).unwrap().starts_with(b"%PDF"));
    std::fs::remove_dir_all(&folder).unwrap();
}

#[sqlx::test(migrations = "../migrations")]
async fn the_live_roster_of_a_class_that_is_not_yours_is_refused_and_retried(pool: PgPool) {
    let server = seeded_server(&pool).await;
    let client = ServerClient::new();
    client
        .login(&server, "teacher1", "rollcall-teacher")
        .await
        .unwrap();
    let (sender, mut events) = mpsc::unbounded_channel();
    let follower = tokio::spawn(async move {
        live::follow(&client, Uuid::now_v7(), |event| {
            let _ = sender.send(event);
        })
        .await;
    });
    assert_eq!(
        next_event(&mut events).await.connection,
        LiveConnection::Connecting
    );
    match next_event(&mut events).await.connection {
        LiveConnection::Offline {
            retry_in_s,
            problem,
        } => {
            assert_eq!(retry_in_s, 1);
            assert!(problem.contains("HTTP 404"), "{problem}");
        }
        other => panic!("expected offline, got {other:?}"),
    }
    follower.abort();
}

#[sqlx::test(migrations = "../migrations")]
async fn without_a_sign_in_the_classroom_says_so(pool: PgPool) {
    let _server = seeded_server(&pool).await;
    let error = Classroom::new()
        .today(&ServerClient::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            AppError::Server(rollcall_client::ClientError::NotSignedIn)
        ),
        "{error:?}"
    );
    let (sender, mut events) = mpsc::unbounded_channel();
    live::follow(&ServerClient::new(), Uuid::now_v7(), |event| {
        let _ = sender.send(event);
    })
    .await;
    assert_eq!(
        next_event(&mut events).await.connection,
        LiveConnection::Connecting
    );
    assert_eq!(
        next_event(&mut events).await.connection,
        LiveConnection::SignedOut
    );
}
