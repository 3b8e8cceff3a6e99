//! The admin's dashboard, reports and review queue through the app's own library
//! against a real server on a fresh database.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use rollcall_app::admin::{reports, review_queue};
use rollcall_app::{AppError, Classroom, ServerClient};
use rollcall_core::api::{
    AttendanceStatus, ClaimBatch, ClaimBatchResult, DeviceRecord, DeviceRegistration, Platform,
    ReportFilterForm, ReviewDecision, ReviewForm, SessionStatus, SheetFormat, SlotRecord,
};
use rollcall_core::claim::{Claim, Evidence, Token};
use rollcall_core::geofence::{GeoPoint, LocationFix, Metres};
use rollcall_core::ids::{ClaimId, DeviceId, SessionId, StudentId};
use rollcall_core::signing::{DeviceKey, SignedClaim};
use rollcall_core::timestamp::Timestamp;
use rollcall_core::verdict::Outcome;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

const CENTRE: (f64, f64) = (18.53, 73.83);

async fn signed_in(server: &str, login: &str, password: &str) -> ServerClient {
    let client = ServerClient::new();
    client.login(server, login, password).await.unwrap();
    client
}

fn now() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    Timestamp::from_unix(i64::try_from(secs).unwrap())
}

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_sees_the_day_reviews_a_doubtful_claim_and_exports_the_report(pool: PgPool) {
    rollcall_server::seed::seed_demo(&pool).await.unwrap();
    let addr = rollcall_server::testing::spawn_server(pool.clone())
        .await
        .unwrap();
    let server = format!("http://{addr}");
    let admin = signed_in(&server, "admin", "rollcall-admin").await;
    let teacher = signed_in(&server, "teacher1", "rollcall-teacher").await;

    // The admin adds a room whose policy needs the location, and a class today in it.
    let room = admin
        .create_room(
            &serde_json::from_value(
                json!({"code": "R-9", "name": "Studio 9", "policy": "token & location",
                "geofence": {"kind": "circle", "radius_m": 30,
                    "centre": {"latitude": CENTRE.0, "longitude": CENTRE.1}}}),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let (division, subject, teacher_id): (Uuid, Uuid, Uuid) = sqlx::query_as(
        "SELECT t.division_id, t.subject_id, t.teacher_id FROM timetable_slots t \
         JOIN users u ON u.id = t.teacher_id WHERE u.username = 'teacher1' LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let weekday: String =
        sqlx::query_scalar("SELECT lower(trim(to_char(now() AT TIME ZONE 'UTC', 'Day')))")
            .fetch_one(&pool)
            .await
            .unwrap();
    let slot: SlotRecord = admin
        .create_slot(
            &serde_json::from_value(json!({"division_id": division, "subject_id": subject,
                "teacher_id": teacher_id, "room_id": room.id, "weekday": weekday,
                "starts_at": "20:00", "ends_at": "20:50"}))
            .unwrap(),
        )
        .await
        .unwrap();
    let classroom = Classroom::new();
    classroom.today(&teacher).await.unwrap();
    let class = classroom.start(&teacher, slot.id).await.unwrap();

    // A student claims with the right QR but a fix too vague to judge: review.
    let (student_id, username): (Uuid, String) = sqlx::query_as(
        "SELECT u.id, u.username FROM division_students d JOIN users u ON u.id = d.student_id \
         WHERE d.division_id = $1 ORDER BY u.username LIMIT 1",
    )
    .bind(division)
    .fetch_one(&pool)
    .await
    .unwrap();
    let student = signed_in(&server, &username, "rollcall-student").await;
    let key = DeviceKey::from_seed(&[7; 32]);
    let device: DeviceRecord = student
        .register_device(&DeviceRegistration {
            public_key: key.public(),
            label: "Phone".to_owned(),
            platform: Platform::Android,
        })
        .await
        .unwrap();
    let at = now();
    let payload = classroom.frame(class.id, at).unwrap().payload;
    let claim = Claim {
        id: ClaimId::generate(
            u64::try_from(at.unix()).unwrap() * 1000,
            &mut rand_core::OsRng,
        ),
        student: StudentId::from(student_id),
        session: SessionId::from(class.id),
        device: DeviceId::from(device.id),
        scanned_at: at,
        evidence: Evidence {
            token: Some(Token::Qr(payload.parse().unwrap())),
            location: Some(LocationFix {
                point: GeoPoint::new(CENTRE.0, CENTRE.1).unwrap(),
                accuracy: Metres::new(250.0).unwrap(),
                mocked: false,
                fixed_at: at,
            }),
            radio: None,
            face: None,
        },
    };
    let answer: ClaimBatchResult = student
        .submit_claims(&ClaimBatch {
            claims: vec![SignedClaim::sign(claim, &key)],
        })
        .await
        .unwrap();
    assert_eq!(answer.results[0].outcome, Outcome::Review);

    // The dashboard: today's classes, the 30 days and every division.
    let dashboard = reports::dashboard(&admin).await.unwrap();
    let today = dashboard
        .sessions
        .iter()
        .find(|s| s.id == class.id)
        .expect("the running class is among today's");
    assert_eq!(today.status, SessionStatus::Running);
    assert_eq!(dashboard.divisions.len(), 3);
    assert_eq!(dashboard.overall.to, dashboard.today);
    assert_eq!(dashboard.review_waiting, 1);
    assert!(
        reports::dashboard(&student).await.is_err(),
        "not for students"
    );

    // The review queue: the claim with its reason in words; no kiosk thumbnail.
    let queue = review_queue::queue(&admin, 1).await.unwrap();
    assert_eq!(queue.total, 1);
    let item = &queue.items[0];
    assert_eq!(item.student_id, student_id);
    assert!(
        item.reasons.iter().any(|r| r.message.contains("250")),
        "{:?}",
        item.reasons
    );
    assert!(!item.has_thumbnail);
    assert_eq!(
        review_queue::thumbnail(&admin, item.claim_id)
            .await
            .unwrap_err()
            .code(),
        "not_found"
    );
    let no_note = review_queue::decide(
        &admin,
        &ReviewForm {
            claim_id: item.claim_id,
            decision: ReviewDecision::Approve,
            note: " ".into(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(no_note.code(), "invalid_field");
    let line = review_queue::decide(
        &admin,
        &ReviewForm {
            claim_id: item.claim_id,
            decision: ReviewDecision::Approve,
            note: "Seen in class by the teacher".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(line.status, Some(AttendanceStatus::Present));
    assert_eq!(review_queue::queue(&admin, 1).await.unwrap().total, 0);
    let again = review_queue::decide(
        &admin,
        &ReviewForm {
            claim_id: item.claim_id,
            decision: ReviewDecision::Reject,
            note: "Second thoughts".into(),
        },
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            again,
            AppError::Server(rollcall_client::ClientError::Api { .. })
        ),
        "{again:?}"
    );

    // Reports (of held classes): a bad date is a sentence; the export lands in the folder.
    classroom.end(&teacher, class.id).await.unwrap();
    let bad = reports::report(
        &admin,
        &ReportFilterForm {
            from: Some("yesterday".into()),
            ..ReportFilterForm::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(bad.code(), "invalid_query");
    let filter = ReportFilterForm {
        division_id: Some(division),
        ..ReportFilterForm::default()
    };
    let report = reports::report(&admin, &filter).await.unwrap();
    assert_eq!(report.rows.len(), 20);
    assert_eq!(report.sessions_held, 1);
    let approved = report
        .rows
        .iter()
        .find(|r| r.student_id == student_id)
        .unwrap();
    assert_eq!((approved.present, approved.absent), (1, 0));
    let folder = std::env::temp_dir().join(format!("rollcall-report-{}", Uuid::now_v7()));
    let saved = reports::export(&admin, &filter, SheetFormat::Csv, &folder)
        .await
        .unwrap();
    let text = std::fs::read_to_string(&saved.path).unwrap();
    assert!(
        text.starts_with("Student,Roll number,Held,Present"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 21);
    let pdf = reports::export(&admin, &filter, SheetFormat::Pdf, &folder)
        .await
        .unwrap();
    assert!(std::fs::read(&pdf.path).unwrap().starts_with(b"%PDF"));
    std::fs::remove_dir_all(&folder).unwrap();
}
