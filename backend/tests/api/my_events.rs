//! `GET /api/v1/me/events`: each student hears of their own classes and marks,
//! through the product's client, whichever replica wrote the change.

use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use rollcall_client::live::{LiveError, LiveSocket};
use rollcall_core::api::{AttendanceStatus, ManualMark, MyEvent, SessionStatus, StartSession};
use sqlx::PgPool;
use uuid::Uuid;

use super::helpers::TestApp;

async fn next_event(socket: &mut LiveSocket, within: Duration) -> Option<MyEvent> {
    loop {
        let message = tokio::time::timeout(within, socket.next()).await.ok()??;
        let message = message.expect("the socket stays open");
        if message.is_text() {
            return Some(serde_json::from_str(message.to_text().unwrap()).unwrap());
        }
    }
}

/// A student (username) of `division`, and one of another division.
async fn students(app: &TestApp, division: Uuid) -> (Uuid, String, String) {
    let (id, inside): (Uuid, String) = sqlx::query_as(
        "SELECT u.id, u.username FROM users u JOIN division_students ds ON ds.student_id = u.id \
         WHERE ds.division_id = $1 ORDER BY u.username LIMIT 1",
    )
    .bind(division)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let outside: String = sqlx::query_scalar(
        "SELECT u.username FROM users u WHERE u.role = 'student' AND NOT EXISTS \
         (SELECT 1 FROM division_students ds WHERE ds.student_id = u.id AND ds.division_id = $1) \
         ORDER BY u.username LIMIT 1",
    )
    .bind(division)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    (id, inside, outside)
}

#[sqlx::test(migrations = "../migrations")]
async fn a_student_signed_in_before_the_class_hears_it_start_their_mark_and_its_end(pool: PgPool) {
    let app = TestApp::seeded(pool.clone()).await;
    // The teacher's writes go through a second server on the same database.
    let other = TestApp::spawn(pool).await;
    let (room, division): (Uuid, Uuid) = sqlx::query_as(
        "SELECT r.id, t.division_id FROM rooms r, timetable_slots t JOIN users u ON u.id = t.teacher_id \
         WHERE r.code = 'A-101' AND u.username = 'teacher1' LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let (student, inside, outside) = students(&app, division).await;
    let mine = app.client(&inside, "rollcall-student").await;
    let theirs = app.client(&outside, "rollcall-student").await;
    let mut socket = mine.my_events().await.expect("the student's events open");
    let mut elsewhere = theirs.my_events().await.expect("the other student's too");

    let teacher = other.client("teacher1", "rollcall-teacher").await;
    let started = Instant::now();
    let class = teacher
        .start_session(&StartSession::AdHoc {
            room_id: room,
            division_id: division,
            subject_id: None,
            minutes: 50,
        })
        .await
        .unwrap()
        .session;
    let heard = next_event(&mut socket, Duration::from_secs(2))
        .await
        .expect("the start is heard within 2 s");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(
        heard,
        MyEvent::Class {
            session_id: class.id,
            status: SessionStatus::Running
        }
    );

    teacher
        .mark(
            class.id,
            student,
            &ManualMark {
                status: AttendanceStatus::Present,
                reason: "seen in class".to_owned(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        next_event(&mut socket, Duration::from_secs(2)).await,
        Some(MyEvent::Mark {
            session_id: class.id,
            status: Some(AttendanceStatus::Present),
            in_review: false
        })
    );

    teacher.end_session(class.id).await.unwrap();
    assert_eq!(
        next_event(&mut socket, Duration::from_secs(2)).await,
        Some(MyEvent::Class {
            session_id: class.id,
            status: SessionStatus::Ended
        })
    );
    // Another division's student heard nothing of it.
    assert_eq!(
        next_event(&mut elsewhere, Duration::from_millis(300)).await,
        None
    );

    // The teacher hears their own classes too.
    let mut teachers = teacher.my_events().await.expect("a teacher's events open");
    let next = teacher
        .start_session(&StartSession::AdHoc {
            room_id: room,
            division_id: division,
            subject_id: None,
            minutes: 50,
        })
        .await
        .unwrap()
        .session;
    assert_eq!(
        next_event(&mut teachers, Duration::from_secs(2)).await,
        Some(MyEvent::Class {
            session_id: next.id,
            status: SessionStatus::Running
        })
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn only_students_and_teachers_have_events_and_only_over_a_websocket(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = app.client("admin", "rollcall-admin").await;
    match admin.my_events().await {
        Err(LiveError::Failed(problem)) => assert!(problem.contains("HTTP 403"), "{problem}"),
        other => panic!("an admin has no events: {:?}", other.map(|_| ())),
    }
    match rollcall_client::Client::new().my_events().await {
        Err(LiveError::SignedOut) => {}
        other => panic!("nobody signed in: {:?}", other.map(|_| ())),
    }
    let token = super::attendance::sign_in(&app, "student1", "rollcall-student")
        .await
        .access_token;
    let plain = app
        .http
        .get(app.url("/api/v1/me/events"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), reqwest::StatusCode::BAD_REQUEST);
    let envelope = super::helpers::envelope(plain).await;
    assert_eq!(
        envelope.error.code,
        rollcall_core::api::ErrorCode::WebsocketRequired
    );
}
