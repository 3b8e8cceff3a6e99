//! The courier against a real server: a check-in is sent only by the one
//! worker (nothing else sends, so without it the claim waits), whoever made
//! the claim gets its answer from that worker, and a server that asks to
//! slow down (429 with `Retry-After`) is waited for.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use std::sync::{Arc, Mutex};

use rollcall_checkin::phone::{CodeEntry, Phone};
use rollcall_checkin::sensors::Simulated;
use rollcall_checkin::sqlite::Outbox;
use rollcall_checkin::store::ClaimStore as _;
use rollcall_checkin::sync::{Courier, TokioPause};
use rollcall_client::Client;
use rollcall_core::api::{Platform, StartSession, SyncStatus};
use rollcall_core::evaluate::SessionKeys;
use rollcall_core::ids::SessionId;
use rollcall_core::signing::DeviceKey;
use rollcall_core::timestamp::Timestamp;
use rollcall_server::testing::{spawn_server_with, TestServer};
use sqlx::PgPool;
use uuid::Uuid;

fn now() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    Timestamp::from_unix(i64::try_from(secs).unwrap())
}

struct Class {
    session: Uuid,
    keys: SessionKeys,
    student: String,
}

async fn class(pool: &PgPool, server: &str) -> Class {
    let teacher = Client::new();
    teacher
        .login(server, "teacher1", "rollcall-teacher")
        .await
        .unwrap();
    let (room, division): (Uuid, Uuid) = sqlx::query_as(
        "SELECT r.id, t.division_id FROM rooms r, timetable_slots t JOIN users u ON u.id = t.teacher_id \
         WHERE r.code = 'A-101' AND u.username = 'teacher1' LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let started = teacher
        .start_session(&StartSession::AdHoc {
            room_id: room,
            division_id: division,
            subject_id: None,
            minutes: 50,
        })
        .await
        .unwrap();
    let keys = SessionKeys::from_text(
        SessionId::from(started.session.id),
        started.secret.as_deref().unwrap(),
        started.session.qr_period_s,
    )
    .unwrap();
    let student: String = sqlx::query_scalar(
        "SELECT u.username FROM division_students d JOIN users u ON u.id = d.student_id \
         WHERE d.division_id = $1 ORDER BY u.username LIMIT 1",
    )
    .bind(division)
    .fetch_one(pool)
    .await
    .unwrap();
    Class {
        session: started.session.id,
        keys,
        student,
    }
}

async fn server(pool: &PgPool, options: TestServer) -> String {
    rollcall_server::seed::seed_demo(pool).await.unwrap();
    let addr = spawn_server_with(pool.clone(), options).await.unwrap();
    format!("http://{addr}")
}

async fn outbox() -> Outbox {
    let path = std::env::temp_dir().join(format!("rollcall-courier-{}.sqlite", Uuid::now_v7()));
    Outbox::open(&path).await.unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn only_the_worker_sends_and_the_check_in_gets_its_answer_from_it(pool: PgPool) {
    let server = server(&pool, TestServer::default()).await;
    let class = class(&pool, &server).await;
    let client = Arc::new(Client::new());
    client
        .login(&server, &class.student, "rollcall-student")
        .await
        .unwrap();
    let phone = Phone::register(
        &client,
        DeviceKey::from_seed(&[3; 32]),
        "Laptop",
        Platform::Linux,
    )
    .await
    .unwrap();
    let outbox = outbox().await;
    let sensors = Simulated::new();
    let courier = Courier::new();
    let at = now();
    let otp = class.keys.otp().code_at(at).0;
    let claim = phone
        .check_in_at(
            at,
            class.session,
            &CodeEntry::Typed(otp.as_str().to_owned()),
            &sensors,
            &sensors,
            &outbox,
        )
        .await
        .unwrap();
    let id = *claim.claim.id.as_uuid();

    // No worker yet: nobody sends, the claim waits.
    assert_eq!(courier.answer_for(id, 1, &TokioPause).await, None);
    assert_eq!(outbox.pending().await.unwrap(), 1);
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM claims")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 0, "nothing reached the server");

    // The worker starts: the claim is sent, and the waiting check-in hears it.
    let statuses = Arc::new(Mutex::new(Vec::<SyncStatus>::new()));
    let worker = {
        let (courier, client, outbox, statuses) = (
            courier.clone(),
            Arc::clone(&client),
            outbox.clone(),
            Arc::clone(&statuses),
        );
        tokio::spawn(async move {
            courier
                .run(&client, &outbox, &TokioPause, now, |s| {
                    statuses.lock().unwrap().push(s);
                })
                .await;
        })
    };
    let answer = courier
        .answer_for(id, 20, &TokioPause)
        .await
        .expect("answered by the worker");
    assert_eq!(answer.claim_id, id);
    assert_eq!(outbox.pending().await.unwrap(), 0);
    assert!(statuses
        .lock()
        .unwrap()
        .iter()
        .any(|s| s.pending == 0 && s.problem.is_none()));
    worker.abort();
}

#[sqlx::test(migrations = "../migrations")]
async fn a_server_that_asks_to_slow_down_is_waited_for(pool: PgPool) {
    let mut options = TestServer::default();
    options.settings.limits.general_per_minute = 4;
    let server = server(&pool, options).await;
    let class = class(&pool, &server).await;
    let client = Arc::new(Client::new());
    client
        .login(&server, &class.student, "rollcall-student")
        .await
        .unwrap();
    let phone = Phone::register(
        &client,
        DeviceKey::from_seed(&[4; 32]),
        "Laptop",
        Platform::Linux,
    )
    .await
    .unwrap();
    let outbox = outbox().await;
    let sensors = Simulated::new();
    let at = now();
    let otp = class.keys.otp().code_at(at).0;
    phone
        .check_in_at(
            at,
            class.session,
            &CodeEntry::Typed(otp.as_str().to_owned()),
            &sensors,
            &sensors,
            &outbox,
        )
        .await
        .unwrap();
    // Use up this address's budget for the minute.
    for _ in 0..6 {
        let _ = client.me().await;
    }
    let statuses = Arc::new(Mutex::new(Vec::<SyncStatus>::new()));
    let courier = Courier::new();
    let worker = {
        let (courier, client, outbox, statuses) = (
            courier.clone(),
            Arc::clone(&client),
            outbox.clone(),
            Arc::clone(&statuses),
        );
        tokio::spawn(async move {
            courier
                .run(&client, &outbox, &TokioPause, now, |s| {
                    statuses.lock().unwrap().push(s);
                })
                .await;
        })
    };
    for _ in 0..50 {
        if !statuses.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    worker.abort();
    let first = statuses.lock().unwrap()[0].clone();
    assert_eq!(first.pending, 1, "{first:?}");
    let wait = first.retry_in_s.expect("a wait after the refusal");
    assert!(
        wait > 2,
        "the first backoff is a second, but the server asked for more: {first:?}"
    );
    assert!(first.problem.is_some());
}
