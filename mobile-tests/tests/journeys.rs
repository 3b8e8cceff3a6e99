//! The student's journeys: check-ins made through the app's own library with
//! simulated sensors, sent from the SQLite outbox to a real server on a fresh
//! database.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use std::process::Command;
use std::time::Duration;

use rollcall_app::teacher::live;
use rollcall_checkin::phone::{CheckInError, CodeEntry};
use rollcall_checkin::sensors::GateAnswer;
use rollcall_checkin::store::ClaimStore as _;
use rollcall_checkin::sync::sync_once;
use rollcall_core::api::{
    AttendanceStatus, ClaimResult, LiveConnection, ReviewDecision, ReviewForm,
};
use rollcall_core::timestamp::Timestamp;
use rollcall_core::verdict::Outcome;
use rollcall_mobile_tests::{a101_wifi, fix, now, Student, World, IN_A101};
use sqlx::PgPool;

fn codes(result: &ClaimResult) -> Vec<String> {
    result
        .reasons
        .iter()
        .map(|r| {
            serde_json::to_value(r.code)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// Checks in with the QR on the teacher's screen and sends the outbox.
async fn check_in_and_sync(world: &World, student: &Student, at: Timestamp) -> ClaimResult {
    student.sensors.set_qr(Some(world.qr_at(at)));
    student
        .phone
        .check_in_at(
            at,
            world.class.id,
            &CodeEntry::ScanQr,
            &student.sensors,
            &student.sensors,
            &student.outbox,
        )
        .await
        .unwrap();
    let answers = sync_once(&student.client, &student.outbox).await.unwrap();
    assert_eq!(
        student.outbox.pending().await.unwrap(),
        0,
        "the outbox is empty after the answer"
    );
    answers.into_iter().last().unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn online_check_in_with_qr_location_and_wifi_is_accepted_and_reaches_the_teachers_socket(
    pool: PgPool,
) {
    let world = World::new(pool).await;
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    let follower = {
        let teacher = rollcall_app::ServerClient::new();
        teacher
            .login(&world.server, "teacher1", "rollcall-teacher")
            .await
            .unwrap();
        let id = world.class.id;
        tokio::spawn(async move {
            live::follow(&teacher, id, |e| {
                let _ = sender.send(e);
            })
            .await;
        })
    };
    let student = world.phone(&world.students[0], 1).await;
    let at = now();
    student.sensors.set_fix(Some(fix(at, IN_A101, 8.0, false)));
    student.sensors.set_radio(Some(a101_wifi()));
    let result = check_in_and_sync(&world, &student, at).await;
    assert_eq!(result.outcome, Outcome::Accepted, "{:?}", result.reasons);
    assert_eq!(result.record, Some(AttendanceStatus::Present));
    let answers = student.outbox.answers(10).await.unwrap();
    assert_eq!(
        answers[0].claim_id, result.claim_id,
        "the answer is kept for the history"
    );

    // The teacher's live roster shows the student within a second.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    loop {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("the roster shows the student within a second")
            .unwrap();
        let present = event.connection == LiveConnection::Live
            && event.roster.as_ref().is_some_and(|r| {
                r.entries.iter().any(|e| {
                    e.student_id == student.phone.student
                        && e.status == Some(AttendanceStatus::Present)
                })
            });
        if present {
            break;
        }
    }
    follower.abort();
}

#[sqlx::test(migrations = "../migrations")]
async fn a_check_in_made_offline_in_class_and_synced_an_hour_later_is_present_once_the_teacher_confirms(
    pool: PgPool,
) {
    let world = World::new(pool).await;
    let id = world.class.id;
    // The class ran from two hours ago to one hour ago; the phone was offline.
    sqlx::query("UPDATE class_sessions SET started_at = now() - interval '2 hours', scheduled_start = now() - interval '2 hours' WHERE id = $1")
        .bind(id).execute(&world.pool).await.unwrap();
    let student = world.phone(&world.students[1], 2).await;
    // Nine minutes in: on time with a minute to spare (the late line is at ten, and
    // the database's clock and this one differ by parts of a second).
    let scanned = Timestamp::from_unix(now().unix() - 111 * 60);
    student.sensors.set_qr(Some(world.qr_at(scanned)));
    student
        .sensors
        .set_fix(Some(fix(scanned, IN_A101, 10.0, false)));
    student.sensors.set_radio(Some(a101_wifi()));
    student
        .phone
        .check_in_at(
            scanned,
            id,
            &CodeEntry::ScanQr,
            &student.sensors,
            &student.sensors,
            &student.outbox,
        )
        .await
        .unwrap();
    assert_eq!(
        student.outbox.pending().await.unwrap(),
        1,
        "kept while offline"
    );
    world.classroom.end(&world.teacher, id).await.unwrap();
    sqlx::query("UPDATE class_sessions SET ended_at = now() - interval '1 hour' WHERE id = $1")
        .bind(id)
        .execute(&world.pool)
        .await
        .unwrap();

    let answers = sync_once(&student.client, &student.outbox).await.unwrap();
    // The QR had expired long before it arrived, so its scan time is only the
    // phone's word: by default the teacher confirms it.
    assert_eq!(
        answers[0].outcome,
        Outcome::Review,
        "{:?}",
        answers[0].reasons
    );
    assert!(answers[0].synced_late);
    assert!(codes(&answers[0]).contains(&"late_scan_unverified".to_owned()));
    assert_eq!(
        student.outbox.pending().await.unwrap(),
        0,
        "answered: it leaves the outbox"
    );
    let line = rollcall_app::admin::review_queue::decide(
        &world.teacher,
        &ReviewForm {
            claim_id: answers[0].claim_id,
            decision: ReviewDecision::Approve,
            note: "was in class with no signal".to_owned(),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        line.status,
        Some(AttendanceStatus::Present),
        "scanned 9 minutes in: on time"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_relayed_qr_mocked_gps_and_a_vague_fix_are_judged_for_what_they_are(pool: PgPool) {
    let world = World::new(pool).await;
    let at = now();

    // A photo of the QR sent to a student at home, 3 km away: refused.
    let home = world.phone(&world.students[2], 3).await;
    home.sensors
        .set_fix(Some(fix(at, (18.545, 73.815_38), 8.0, false)));
    let relayed = check_in_and_sync(&world, &home, at).await;
    assert_eq!(relayed.outcome, Outcome::Rejected);
    assert!(
        codes(&relayed).contains(&"outside_geofence".to_owned()),
        "{:?}",
        relayed.reasons
    );
    assert!(
        relayed
            .reasons
            .iter()
            .any(|r| r.message.contains("km outside Lecture Hall A-101")),
        "{:?}",
        relayed.reasons
    );

    // A mocked location inside the fence: refused.
    let spoofer = world.phone(&world.students[3], 4).await;
    spoofer.sensors.set_fix(Some(fix(at, IN_A101, 5.0, true)));
    spoofer.sensors.set_radio(Some(a101_wifi()));
    let mocked = check_in_and_sync(&world, &spoofer, at).await;
    assert_eq!(mocked.outcome, Outcome::Rejected);
    assert!(
        codes(&mocked).contains(&"location_mocked".to_owned()),
        "{:?}",
        mocked.reasons
    );

    // Just outside with a poor fix: a person decides.
    let vague = world.phone(&world.students[4], 5).await;
    vague
        .sensors
        .set_fix(Some(fix(at, (18.519_2, 73.815_38), 150.0, false)));
    vague.sensors.set_radio(Some(a101_wifi()));
    let doubtful = check_in_and_sync(&world, &vague, at).await;
    assert_eq!(doubtful.outcome, Outcome::Review, "{:?}", doubtful.reasons);
}

#[sqlx::test(migrations = "../migrations")]
async fn five_wrong_codes_lock_the_student_and_a_second_phone_waits_for_approval(pool: PgPool) {
    let world = World::new(pool).await;
    let at = now();
    let student = world.phone(&world.students[5], 6).await;
    student.sensors.set_fix(Some(fix(at, IN_A101, 8.0, false)));
    student.sensors.set_radio(Some(a101_wifi()));
    let right = world.otp_now();
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..5 {
        student
            .phone
            .check_in_at(
                now(),
                world.class.id,
                &CodeEntry::Typed(wrong.to_owned()),
                &student.sensors,
                &student.sensors,
                &student.outbox,
            )
            .await
            .unwrap();
    }
    let answers = sync_once(&student.client, &student.outbox).await.unwrap();
    assert!(answers.iter().all(|a| a.outcome == Outcome::Rejected));
    student
        .phone
        .check_in_at(
            now(),
            world.class.id,
            &CodeEntry::Typed(world.otp_now()),
            &student.sensors,
            &student.sensors,
            &student.outbox,
        )
        .await
        .unwrap();
    let locked = sync_once(&student.client, &student.outbox).await.unwrap();
    assert_eq!(locked[0].outcome, Outcome::Rejected);
    assert!(
        codes(&locked[0]).contains(&"otp_locked".to_owned()),
        "{:?}",
        locked[0].reasons
    );
    let typo = student
        .phone
        .check_in_at(
            now(),
            world.class.id,
            &CodeEntry::Typed("12 34".into()),
            &student.sensors,
            &student.sensors,
            &student.outbox,
        )
        .await
        .unwrap_err();
    assert!(matches!(typo, CheckInError::BadOtp), "{typo:?}");

    // A second, unbound phone is refused until an admin approves it.
    let other = world.phone(&world.students[6], 7).await;
    let second = world.phone(&world.students[6], 8).await;
    assert_eq!(second.phone.device.status.as_str(), "pending");
    drop(other);
    second.sensors.set_fix(Some(fix(at, IN_A101, 8.0, false)));
    second.sensors.set_radio(Some(a101_wifi()));
    let refused = check_in_and_sync(&world, &second, at).await;
    assert_eq!(refused.outcome, Outcome::Rejected);
    assert!(
        codes(&refused).contains(&"device_not_bound".to_owned()),
        "{:?}",
        refused.reasons
    );
    let admin = rollcall_app::ServerClient::new();
    admin
        .login(&world.server, "admin", "rollcall-admin")
        .await
        .unwrap();
    rollcall_app::admin::devices::approve(&admin, second.phone.device.id)
        .await
        .unwrap();
    let accepted = check_in_and_sync(&world, &second, now()).await;
    assert_eq!(
        accepted.outcome,
        Outcome::Accepted,
        "{:?}",
        accepted.reasons
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn killing_the_app_during_a_sync_of_500_claims_loses_none_and_duplicates_none(pool: PgPool) {
    let world = World::new(pool).await;
    let student = world.phone(&world.students[7], 9).await;
    let at = now();
    student.sensors.set_fix(Some(fix(at, IN_A101, 8.0, false)));
    student.sensors.set_radio(Some(a101_wifi()));
    student.sensors.set_qr(Some(world.qr_at(at)));
    let mut ids = Vec::new();
    for _ in 0..500 {
        let claim = student
            .phone
            .check_in_at(
                at,
                world.class.id,
                &CodeEntry::ScanQr,
                &student.sensors,
                &student.sensors,
                &student.outbox,
            )
            .await
            .unwrap();
        ids.push(*claim.claim.id.as_uuid());
    }
    assert_eq!(student.outbox.pending().await.unwrap(), 500);
    let path = student.outbox_path.clone();
    drop(student.outbox);

    // Run the sync as its own process and kill it at pseudo-random moments
    // until one run finishes.
    let mut kills = 0;
    let mut mid_sync_kills = 0;
    let mut delay_ms: u64 = 30;
    let stored = || async {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM claims WHERE id = ANY($1)")
            .bind(&ids)
            .fetch_one(&world.pool)
            .await
            .unwrap();
        n
    };
    let finished = loop {
        let mut child = Command::new(env!("CARGO_BIN_EXE_outbox-sync"))
            .args([
                &world.server,
                &student.username,
                &path.display().to_string(),
            ])
            .env("ROLLCALL_PASSWORD", rollcall_mobile_tests::STUDENT_PASSWORD)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("outbox-sync starts");
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        match child.try_wait().expect("the child's state") {
            Some(status) => break status.success(),
            None => {
                child.kill().expect("kill -9");
                let _ = child.wait();
                kills += 1;
                if (1..500).contains(&stored().await) {
                    mid_sync_kills += 1;
                }
            }
        }
        // Each run lives a little longer (30 ms, 39 ms, 50 ms, …), so kills land
        // in start-up, sign-in and between and inside batches before one finishes.
        delay_ms = delay_ms * 13 / 10 + 1;
        assert!(kills < 80, "the sync never finished between kills");
    };
    assert!(finished, "the last run succeeded");
    assert!(
        mid_sync_kills >= 1,
        "at least one kill came after some claims were stored and before all ({kills} kills)"
    );
    println!("500 queued claims synced after {kills} kills of the sync process, {mid_sync_kills} of them mid-sync");

    let outbox = rollcall_checkin::sqlite::Outbox::open(&path).await.unwrap();
    assert_eq!(outbox.pending().await.unwrap(), 0, "the outbox is empty");
    let stored: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT id FROM claims WHERE id = ANY($1)")
        .bind(&ids)
        .fetch_all(&world.pool)
        .await
        .unwrap();
    assert_eq!(
        stored.len(),
        500,
        "the server holds every claim exactly once"
    );
    let answered = outbox.answers(1_000).await.unwrap();
    assert_eq!(answered.len(), 500);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_check_in_not_confirmed_at_the_biometric_gate_is_neither_signed_nor_queued(pool: PgPool) {
    let world = World::new(pool).await;
    let at = now();
    let student = world.phone(&world.students[3], 4).await;
    student.sensors.set_fix(Some(fix(at, IN_A101, 8.0, false)));
    student.sensors.set_radio(Some(a101_wifi()));
    student.sensors.set_qr(Some(world.qr_at(at)));

    // Cancelled at the prompt, and a phone without any lock: refused in words,
    // nothing in the outbox, nothing on the server.
    for (answer, says) in [
        (GateAnswer::Refused, "not granted"),
        (GateAnswer::NotSetUp, "screen lock"),
    ] {
        student.sensors.set_gate(answer);
        let error = student
            .phone
            .check_in_at(
                at,
                world.class.id,
                &CodeEntry::ScanQr,
                &student.sensors,
                &student.sensors,
                &student.outbox,
            )
            .await
            .unwrap_err();
        assert!(matches!(error, CheckInError::NotConfirmed(_)), "{error:?}");
        assert!(error.to_string().contains(says), "{error}");
        assert_eq!(student.outbox.pending().await.unwrap(), 0);
    }
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM claims")
        .fetch_one(&world.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0);

    // Confirmed: signed, queued, sent and accepted; the gate was asked each time.
    student.sensors.set_gate(GateAnswer::Confirmed);
    let accepted = check_in_and_sync(&world, &student, at).await;
    assert_eq!(
        accepted.outcome,
        Outcome::Accepted,
        "{:?}",
        accepted.reasons
    );
    assert_eq!(student.sensors.gate_asked(), 3);
}
