//! A room's kiosk recognises students at the door and marks them through the
//! server, which judges the face score with the calibrated rule.

use base64::Engine as _;
use reqwest::StatusCode;
use rollcall_core::api::{AttendanceStatus, ClaimBatchResult, KioskCredential, Page, ReviewItem};
use rollcall_core::verdict::Outcome;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::attendance::{now, sign_in, start_class};
use crate::helpers::{envelope, TestApp};

pub(crate) async fn kiosk_at(app: &TestApp, code: &str) -> String {
    let admin = sign_in(app, "admin", "rollcall-admin").await.access_token;
    let room: Uuid = sqlx::query_scalar("SELECT id FROM rooms WHERE code = $1")
        .bind(code)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let cred: KioskCredential = app
        .http
        .post(app.url("/api/v1/kiosks"))
        .bearer_auth(&admin)
        .json(&json!({"name": format!("{code} door"), "room_id": room}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    sign_in(app, &cred.kiosk.username, &cred.secret)
        .await
        .access_token
}

pub(crate) fn mark(student: Uuid, score: f32, thumbnail: Option<&[u8]>) -> Value {
    json!({
        "id": Uuid::now_v7(),
        "student_id": student,
        "scanned_at": now(),
        "face": {"score": score, "model": rollcall_core::face::calibrated::MODEL_ID, "liveness": "passed"},
        "thumbnail": thumbnail.map(|t| base64::engine::general_purpose::STANDARD.encode(t)),
    })
}

/// Enrols `students`' faces with the calibrated model, as the admin's
/// enrolment screen does (a kiosk recognises only enrolled students).
async fn enrolled(app: &TestApp, students: &[Uuid]) {
    let admin = sign_in(app, "admin", "rollcall-admin").await.access_token;
    for (i, student) in students.iter().enumerate() {
        let mut embedding = vec![0.0_f32; 128];
        embedding[i % 128] = 1.0;
        let resp = app
            .http
            .put(app.url(&format!("/api/v1/students/{student}/face-template")))
            .bearer_auth(&admin)
            .json(&json!({"model_id": rollcall_core::face::calibrated::MODEL_ID, "embedding": embedding}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
    }
}

pub(crate) async fn send(app: &TestApp, token: &str, marks: &[Value]) -> reqwest::Response {
    app.http
        .post(app.url("/api/v1/attendance/kiosk-marks"))
        .bearer_auth(token)
        .json(&json!({"marks": marks}))
        .send()
        .await
        .unwrap()
}

const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0xFF, 0xD9,
];

#[sqlx::test(migrations = "../migrations")]
async fn a_kiosk_marks_a_recognised_student_and_sends_a_doubtful_face_to_review(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    enrolled(&app, &class.students[..3]).await;
    let kiosk = kiosk_at(&app, "A-101").await;

    let clear = mark(class.students[0], 0.71, Some(JPEG));
    let resp = send(&app, &kiosk, std::slice::from_ref(&clear)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let r: ClaimBatchResult = resp.json().await.unwrap();
    assert_eq!(
        r.results[0].outcome,
        Outcome::Accepted,
        "{:?}",
        r.results[0].reasons
    );
    assert_eq!(r.results[0].record, Some(AttendanceStatus::Present));
    let again: ClaimBatchResult = send(&app, &kiosk, &[clear]).await.json().await.unwrap();
    assert!(again.results[0].duplicate);
    let (source, thumb): (String, bool) = sqlx::query_as(
        "SELECT a.source, c.thumbnail IS NOT NULL FROM attendance_records a JOIN claims c ON c.id = a.claim_id WHERE a.student_id = $1",
    ).bind(class.students[0]).fetch_one(&app.pool).await.unwrap();
    assert_eq!(source, "kiosk");
    assert!(!thumb, "no thumbnail is kept for a clear match");

    let borderline = mark(class.students[1], 0.44, Some(JPEG));
    let r: ClaimBatchResult = send(&app, &kiosk, &[borderline])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        r.results[0].outcome,
        Outcome::Review,
        "{:?}",
        r.results[0].reasons
    );
    let queue: Page<ReviewItem> = app
        .http
        .get(app.url("/api/v1/review"))
        .bearer_auth(&class.teacher)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let item = queue
        .items
        .iter()
        .find(|i| i.student_id == class.students[1])
        .unwrap();
    assert!(item.has_thumbnail);
    let thumb_url = app.url(&format!("/api/v1/review/{}/thumbnail", item.claim_id));
    let t = app
        .http
        .get(&thumb_url)
        .bearer_auth(&class.teacher)
        .send()
        .await
        .unwrap();
    assert_eq!(t.headers()["content-type"], "image/jpeg");
    assert_eq!(t.bytes().await.unwrap().as_ref(), JPEG);
    let teacher2 = sign_in(&app, "teacher2", "rollcall-teacher")
        .await
        .access_token;
    assert_eq!(
        app.http
            .get(&thumb_url)
            .bearer_auth(&teacher2)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    app.http
        .post(app.url(&format!("/api/v1/review/{}", item.claim_id)))
        .bearer_auth(&class.teacher)
        .json(&json!({"decision": "approve", "note": "It is them"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        app.http
            .get(&thumb_url)
            .bearer_auth(&class.teacher)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND,
        "deleted with the decision"
    );

    let stranger = mark(class.students[2], 0.21, Some(JPEG));
    let r: ClaimBatchResult = send(&app, &kiosk, &[stranger]).await.json().await.unwrap();
    assert_eq!(r.results[0].outcome, Outcome::Rejected);
    assert_eq!(r.results[0].record, None);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_kiosk_marks_only_students_of_a_class_running_in_its_own_room(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    enrolled(&app, &class.students[..3]).await;
    let outsider: Uuid = sqlx::query_scalar(
        "SELECT u.id FROM users u WHERE u.role = 'student' AND NOT EXISTS \
         (SELECT 1 FROM division_students ds WHERE ds.student_id = u.id AND ds.division_id = $1) LIMIT 1",
    ).bind(class.session.session.division_id).fetch_one(&app.pool).await.unwrap();
    let here = kiosk_at(&app, "A-101").await;
    let r: ClaimBatchResult = send(&app, &here, &[mark(outsider, 0.9, None)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r.results[0].outcome, Outcome::Rejected);
    assert!(r.results[0].reasons[0].message.contains("no class"));
    let elsewhere = kiosk_at(&app, "B-204").await;
    let r: ClaimBatchResult = send(&app, &elsewhere, &[mark(class.students[0], 0.9, None)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        r.results[0].outcome,
        Outcome::Rejected,
        "a kiosk in another room marks nobody here"
    );

    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM claims")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let png = send(
        &app,
        &here,
        &[mark(
            class.students[0],
            0.9,
            Some(&[0x89, b'P', b'N', b'G']),
        )],
    )
    .await;
    assert_eq!(png.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(envelope(png).await.error.code, "invalid_mark");
    let mut v4 = mark(class.students[0], 0.9, None);
    v4["id"] = json!(Uuid::new_v4());
    assert_eq!(
        send(&app, &here, &[v4]).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let big = vec![0xFF_u8; 40_000];
    assert_eq!(
        send(&app, &here, &[mark(class.students[0], 0.9, Some(&big))])
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM claims")
            .fetch_one(&app.pool)
            .await
            .unwrap(),
        before,
        "nothing written"
    );
    let student = sign_in(&app, "student1", "rollcall-student")
        .await
        .access_token;
    assert_eq!(
        send(&app, &student, &[mark(class.students[0], 0.9, None)])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}
