//! The holes an outside attack suite found, each attacked again through the
//! real HTTP surface and seen refused, with nothing written that should not be.

use reqwest::StatusCode;
use rollcall_core::api::{ClaimResult, ReviewDecision, Roster, SchoolSettings};
use rollcall_core::claim::Token;
use rollcall_core::evaluate::LateSync;
use rollcall_core::face::{FaceEvidence, FaceScore, Liveness};
use rollcall_core::otp::SessionOtp;
use rollcall_core::timestamp::Timestamp;
use rollcall_core::verdict::{Outcome, ReasonCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::attendance::{
    claim, in_the_room, now, phone, qr_at, sign_in, start_class, submit, Class, Phone,
};
use crate::helpers::{envelope, TestApp};

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

fn only_reason(result: &ClaimResult, code: ReasonCode) {
    assert_eq!(result.outcome, Outcome::Rejected, "{result:?}");
    let codes: Vec<ReasonCode> = result.reasons.iter().map(|r| r.code).collect();
    assert_eq!(codes, [code], "one reason and nothing else: {result:?}");
    assert!(
        result.factors.is_empty(),
        "nothing judged is told: {result:?}"
    );
    assert_eq!(result.record, None);
    assert!(!result.duplicate);
}

/// A student of the demo school outside `division`.
async fn outsider(app: &TestApp, division: Uuid) -> Uuid {
    sqlx::query_scalar(
        "SELECT id FROM users WHERE role = 'student' AND id NOT IN \
         (SELECT student_id FROM division_students WHERE division_id = $1) ORDER BY id LIMIT 1",
    )
    .bind(division)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn roster_of(_app: &TestApp, class: &Class) -> Roster {
    class
        .teacher_client
        .roster(class.session.session.id)
        .await
        .expect("the roster")
}

#[sqlx::test(migrations = "../migrations")]
async fn a_genuine_qr_of_another_divisions_class_is_refused_and_writes_nothing(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let session = class.session.session.id;
    let stranger = outsider(&app, class.session.session.division_id).await;
    let phone = phone(&app, stranger, 41).await;
    let at = now();

    let mut with_qr = in_the_room(at, false);
    with_qr.token = Some(qr_at(&class, at));
    let r = submit(&app, &phone, &[claim(&phone, session, at, with_qr)]).await;
    only_reason(&r[0], ReasonCode::NotInDivision);

    // Six OTP guesses at someone else's class: none is counted or checked.
    for _ in 0..6 {
        let mut e = in_the_room(at, false);
        e.token = Some(Token::Otp("000000".parse().unwrap()));
        let r = submit(&app, &phone, &[claim(&phone, session, at, e)]).await;
        only_reason(&r[0], ReasonCode::NotInDivision);
    }
    assert_eq!(count(&app, "SELECT count(*) FROM claims").await, 0);
    assert_eq!(
        count(&app, "SELECT count(*) FROM attendance_records").await,
        0
    );
    assert_eq!(count(&app, "SELECT count(*) FROM otp_failures").await, 0);
    let roster = roster_of(&app, &class).await;
    assert!(roster.entries.iter().all(|e| e.student_id != stranger));
    assert_eq!(roster.present, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_class_of_a_division_another_teacher_teaches_is_refused_as_well(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mine = start_class(&app).await;
    // teacher2 starts a class of a division teacher1's student is not in.
    let teacher2 = app.client("teacher2", "rollcall-teacher").await;
    let student = mine.students[0];
    let (room, division): (Uuid, Uuid) = sqlx::query_as(
        "SELECT t.room_id, t.division_id FROM timetable_slots t JOIN users u ON u.id = t.teacher_id \
         WHERE u.username = 'teacher2' AND t.division_id NOT IN \
           (SELECT division_id FROM division_students WHERE student_id = $1) LIMIT 1",
    )
    .bind(student)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let theirs = teacher2
        .start_session(&rollcall_core::api::StartSession::AdHoc {
            room_id: room,
            division_id: division,
            subject_id: None,
            minutes: 50,
        })
        .await
        .expect("teacher2's class starts");
    let theirs = Class {
        teacher: crate::attendance::token_of(&teacher2),
        teacher_client: teacher2,
        session: theirs,
        students: Vec::new(),
    };
    let phone = phone(&app, student, 42).await;
    let at = now();
    let mut e = in_the_room(at, false);
    e.token = Some(qr_at(&theirs, at));
    let r = submit(
        &app,
        &phone,
        &[claim(&phone, theirs.session.session.id, at, e)],
    )
    .await;
    only_reason(&r[0], ReasonCode::NotInDivision);
    assert_eq!(count(&app, "SELECT count(*) FROM claims").await, 0);
    assert_eq!(
        count(&app, "SELECT count(*) FROM attendance_records").await,
        0
    );
}

/// Sends `n` wrong OTPs from `phone` at the same moment, half to `app` and
/// half to `other`; the reason codes that came back.
async fn wrong_otps_at_once(
    app: &TestApp,
    other: &TestApp,
    phone: &Phone,
    session: Uuid,
    n: usize,
) -> Vec<ReasonCode> {
    let at = now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let mut e = in_the_room(at, false);
        e.token = Some(Token::Otp("000000".parse().unwrap()));
        let body = json!({ "claims": [claim(phone, session, at, e)] });
        let target = if i % 2 == 0 { app } else { other };
        let request = target
            .http
            .post(target.url("/api/v1/attendance/claims"))
            .bearer_auth(&phone.token)
            .json(&body);
        tasks.spawn(async move {
            let resp = request.send().await.unwrap();
            assert_eq!(
                resp.status(),
                StatusCode::OK,
                "{}",
                resp.text().await.unwrap()
            );
            resp.json::<rollcall_core::api::ClaimBatchResult>()
                .await
                .unwrap()
                .results
        });
    }
    let mut codes = Vec::new();
    while let Some(results) = tasks.join_next().await {
        let result = &results.unwrap()[0];
        assert_eq!(result.outcome, Outcome::Rejected);
        codes.extend(
            result
                .reasons
                .iter()
                .map(|r| r.code)
                .filter(|c| matches!(c, ReasonCode::OtpWrong | ReasonCode::OtpLocked)),
        );
    }
    codes
}

#[sqlx::test(migrations = "../migrations")]
async fn forty_wrong_otps_sent_at_once_to_two_servers_check_only_five(pool: PgPool) {
    // Two replicas over the same database, with the same signing key.
    let options = rollcall_server::testing::TestServer::default();
    let app = TestApp::seeded_with(pool.clone(), options.clone()).await;
    let replica = TestApp::spawn_with(pool, options).await;
    let class = start_class(&app).await;
    let session = class.session.session.id;
    let phone = phone(&app, class.students[3], 43).await;

    let codes = wrong_otps_at_once(&app, &replica, &phone, session, 40).await;
    let wrong = codes.iter().filter(|c| **c == ReasonCode::OtpWrong).count();
    let locked = codes
        .iter()
        .filter(|c| **c == ReasonCode::OtpLocked)
        .count();
    assert_eq!(
        (wrong, locked),
        (5, 35),
        "only five guesses were checked against the code"
    );
    assert_eq!(count(&app, "SELECT count(*) FROM claims").await, 40);
    assert_eq!(
        count(&app, "SELECT sum(failures)::bigint FROM otp_failures").await,
        5
    );

    // The right code now is refused too.
    let at = now();
    let right = SessionOtp::new(&secret_of(&class)).code_at(at).0;
    let mut e = in_the_room(at, false);
    e.token = Some(Token::Otp(right));
    let r = submit(&app, &phone, &[claim(&phone, session, at, e)]).await;
    assert!(r[0].reasons.iter().any(|r| r.code == ReasonCode::OtpLocked));
    assert_eq!(r[0].record, None);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_right_otp_after_wrong_ones_keeps_only_the_wrong_ones_counted(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let session = class.session.session.id;
    let phone = phone(&app, class.students[4], 44).await;
    let codes = wrong_otps_at_once(&app, &app, &phone, session, 3).await;
    assert_eq!(codes, [ReasonCode::OtpWrong; 3]);
    let at = now();
    let right = SessionOtp::new(&secret_of(&class)).code_at(at).0;
    let mut e = in_the_room(at, false);
    e.token = Some(Token::Otp(right));
    let r = submit(&app, &phone, &[claim(&phone, session, at, e)]).await;
    assert_eq!(r[0].outcome, Outcome::Accepted, "{:?}", r[0].reasons);
    assert_eq!(
        count(&app, "SELECT sum(failures)::bigint FROM otp_failures").await,
        3,
        "the right guess was given back"
    );
}

fn secret_of(class: &Class) -> rollcall_core::qr::SessionSecret {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(class.session.secret.as_ref().unwrap())
        .unwrap();
    rollcall_core::qr::SessionSecret::from_bytes(&bytes).unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn an_expired_qr_sent_with_a_backdated_scan_time_waits_for_the_teacher(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let session = class.session.session.id;
    // The class started five minutes ago; a photo of its QR was taken 66 s ago.
    sqlx::query(
        "UPDATE class_sessions SET started_at = now() - interval '5 minutes' WHERE id = $1",
    )
    .bind(session)
    .execute(&app.pool)
    .await
    .unwrap();
    let phone = phone(&app, class.students[5], 45).await;
    let photographed = Timestamp::from_unix(now().unix() - 66);
    let mut e = in_the_room(photographed, false);
    e.token = Some(qr_at(&class, photographed));
    let r = submit(&app, &phone, &[claim(&phone, session, photographed, e)]).await;
    assert_eq!(r[0].outcome, Outcome::Review, "{:?}", r[0].reasons);
    assert!(r[0].synced_late);
    assert!(r[0]
        .reasons
        .iter()
        .any(|r| r.code == ReasonCode::LateScanUnverified));
    assert_eq!(r[0].record, None, "not present on the phone's word");

    // The teacher sees it as such, and decides.
    let roster = roster_of(&app, &class).await;
    let line = roster
        .entries
        .iter()
        .find(|e| e.student_id == phone.student)
        .unwrap();
    assert!(line.in_review);
    assert!(
        line.flags.contains(&ReasonCode::LateScanUnverified),
        "{:?}",
        line.flags
    );
    let decided = app
        .http
        .post(app.url(&format!("/api/v1/review/{}", r[0].claim_id)))
        .bearer_auth(&class.teacher)
        .json(&json!({"decision": ReviewDecision::Approve, "note": "seen in class"}))
        .send()
        .await
        .unwrap();
    assert_eq!(decided.status(), StatusCode::OK);
    assert_eq!(
        count(&app, "SELECT count(*) FROM attendance_records").await,
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_school_that_refuses_unverified_late_claims_refuses_them(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = sign_in(&app, "admin", "rollcall-admin").await.access_token;
    let settings_url = app.url("/api/v1/settings");
    let mut settings: SchoolSettings = app
        .http
        .get(&settings_url)
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    settings.late_sync = LateSync::Reject;
    let saved = app
        .http
        .put(&settings_url)
        .bearer_auth(&admin)
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::OK);

    let class = start_class(&app).await;
    let session = class.session.session.id;
    let phone = phone(&app, class.students[6], 46).await;
    let photographed = Timestamp::from_unix(now().unix() - 66);
    let mut e = in_the_room(photographed, false);
    e.token = Some(qr_at(&class, photographed));
    // The class started now, so backdate its start to cover the scan.
    sqlx::query(
        "UPDATE class_sessions SET started_at = now() - interval '5 minutes' WHERE id = $1",
    )
    .bind(session)
    .execute(&app.pool)
    .await
    .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await; // the judging cache turns over
    let r = submit(&app, &phone, &[claim(&phone, session, photographed, e)]).await;
    assert_eq!(r[0].outcome, Outcome::Rejected, "{:?}", r[0].reasons);
    assert!(r[0]
        .reasons
        .iter()
        .any(|r| r.code == ReasonCode::LateScanUnverified));

    // A claim older than the late-sync window is refused outright.
    let old = Timestamp::from_unix(now().unix() - 25 * 3600);
    let mut e = in_the_room(old, false);
    e.token = Some(qr_at(&class, old));
    let r = submit(&app, &phone, &[claim(&phone, session, old, e)]).await;
    assert!(r[0]
        .reasons
        .iter()
        .any(|r| r.code == ReasonCode::ClaimTooOld));
}

/// A claim body with the face score written as `score` (any JSON number text).
fn with_face_score(signed: &rollcall_core::signing::SignedClaim, score: &str) -> String {
    let mut body = serde_json::to_value(json!({ "claims": [signed] })).unwrap();
    body["claims"][0]["claim"]["evidence"]["face"]["score"] = json!(0.5);
    serde_json::to_string(&body)
        .unwrap()
        .replace("\"score\":0.5", &format!("\"score\":{score}"))
}

#[sqlx::test(migrations = "../migrations")]
async fn a_face_score_outside_the_models_range_is_bad_input(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let session = class.session.session.id;
    let phone = phone(&app, class.students[7], 47).await;
    let at = now();
    let mut e = in_the_room(at, false);
    e.token = Some(qr_at(&class, at));
    e.face = Some(FaceEvidence {
        score: FaceScore::new(0.5).unwrap(),
        model: rollcall_core::face::calibrated::settings().model,
        liveness: Liveness::Passed,
    });
    let signed = claim(&phone, session, at, e);
    for score in ["1e30", "1.5", "-2", "1e39"] {
        let resp = app
            .http
            .post(app.url("/api/v1/attendance/claims"))
            .bearer_auth(&phone.token)
            .header("content-type", "application/json")
            .body(with_face_score(&signed, score))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{score}");
        let problem = envelope(resp).await.error;
        assert_eq!(problem.code, "invalid_body");
        assert!(
            problem.details["field"].ends_with("face.score"),
            "{problem:?}"
        );
    }
    assert_eq!(count(&app, "SELECT count(*) FROM claims").await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_self_reported_face_match_without_an_enrolled_template_fails(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let session = class.session.session.id;
    let phone = phone(&app, class.students[8], 48).await;
    let at = now();
    // No Wi-Fi heard, so the room's "radio | face" rests on the face alone.
    let mut e = in_the_room(at, false);
    e.token = Some(qr_at(&class, at));
    e.radio = None;
    e.face = Some(FaceEvidence {
        score: FaceScore::new(0.875).unwrap(),
        model: rollcall_core::face::calibrated::settings().model,
        liveness: Liveness::Passed,
    });
    let r = submit(&app, &phone, &[claim(&phone, session, at, e)]).await;
    assert_eq!(r[0].outcome, Outcome::Rejected, "{:?}", r[0].reasons);
    assert!(r[0]
        .reasons
        .iter()
        .any(|r| r.code == ReasonCode::FaceNotEnrolled));
    assert_eq!(r[0].record, None);
}

#[sqlx::test(migrations = "../migrations")]
async fn another_students_claim_id_is_a_conflict_that_reveals_nothing(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let session = class.session.session.id;
    let owner = phone(&app, class.students[0], 49).await;
    let thief = phone(&app, class.students[1], 50).await;
    let at = now();
    let mut e = in_the_room(at, false);
    e.token = Some(qr_at(&class, at));
    let original = claim(&owner, session, at, e.clone());
    let first = submit(&app, &owner, std::slice::from_ref(&original)).await;
    assert_eq!(
        first[0].outcome,
        Outcome::Accepted,
        "{:?}",
        first[0].reasons
    );

    // The thief signs a claim of their own under the owner's claim id.
    let mut reused = claim(&thief, session, at, e).claim;
    reused.id = original.claim.id;
    let reused = rollcall_core::signing::SignedClaim::sign(reused, &thief.key);
    let r = submit(&app, &thief, &[reused]).await;
    only_reason(&r[0], ReasonCode::ClaimIdTaken);

    // For a session that does not exist, the same.
    let mut elsewhere = claim(&thief, Uuid::now_v7(), at, in_the_room(at, false)).claim;
    elsewhere.id = original.claim.id;
    let elsewhere = rollcall_core::signing::SignedClaim::sign(elsewhere, &thief.key);
    let r = submit(&app, &thief, &[elsewhere]).await;
    only_reason(&r[0], ReasonCode::ClaimIdTaken);

    assert_eq!(count(&app, "SELECT count(*) FROM claims").await, 1);
    let records: Vec<Uuid> = sqlx::query_scalar("SELECT student_id FROM attendance_records")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(records, [owner.student], "the thief has no record");
    // The owner still hears their own answer.
    let again = submit(&app, &owner, &[original]).await;
    assert!(again[0].duplicate);
    assert_eq!(again[0].outcome, Outcome::Accepted);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_kiosk_can_neither_mark_an_unenrolled_face_nor_reuse_a_students_claim_id(pool: PgPool) {
    use crate::kiosk_marks::{kiosk_at, mark, send};
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let kiosk = kiosk_at(&app, "A-101").await;
    let r: rollcall_core::api::ClaimBatchResult =
        send(&app, &kiosk, &[mark(class.students[5], 0.9, None)])
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(r.results[0].outcome, Outcome::Rejected);
    assert!(r.results[0]
        .reasons
        .iter()
        .any(|r| r.code == ReasonCode::FaceNotEnrolled));

    let owner = phone(&app, class.students[6], 53).await;
    let at = now();
    let mut e = in_the_room(at, false);
    e.token = Some(qr_at(&class, at));
    let original = claim(&owner, class.session.session.id, at, e);
    submit(&app, &owner, std::slice::from_ref(&original)).await;
    let mut reused = mark(class.students[6], 0.9, None);
    reused["id"] = json!(original.claim.id);
    let r: rollcall_core::api::ClaimBatchResult =
        send(&app, &kiosk, &[reused]).await.json().await.unwrap();
    only_reason(&r.results[0], ReasonCode::ClaimIdTaken);
}

/// A claim body whose `scanned_at` is written as `at` (any JSON number text).
fn with_scanned_at(signed: &rollcall_core::signing::SignedClaim, at: &str) -> String {
    let text = serde_json::to_string(&json!({ "claims": [signed] })).unwrap();
    let field = format!("\"scanned_at\":{}", signed.claim.scanned_at.unix());
    assert!(text.contains(&field));
    text.replace(&field, &format!("\"scanned_at\":{at}"))
}

#[sqlx::test(migrations = "../migrations")]
async fn instants_at_the_ends_of_time_are_bad_input_not_server_errors(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let session = class.session.session.id;
    let phone = phone(&app, class.students[2], 51).await;
    let at = now();
    let mut e = in_the_room(at, false);
    e.token = Some(qr_at(&class, at));
    let signed = claim(&phone, session, at, e);
    let year_10000 = "253402300800";
    for bad in [
        i64::MAX.to_string(),
        i64::MIN.to_string(),
        year_10000.to_owned(),
        "-1".to_owned(),
        "1e300".to_owned(),
    ] {
        let resp = app
            .http
            .post(app.url("/api/v1/attendance/claims"))
            .bearer_auth(&phone.token)
            .header("content-type", "application/json")
            .body(with_scanned_at(&signed, &bad))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let problem = envelope(resp).await.error;
        assert!(
            problem.details["field"].ends_with("scanned_at"),
            "{bad}: {problem:?}"
        );
    }
    assert_eq!(count(&app, "SELECT count(*) FROM claims").await, 0);
}

#[sqlx::test(migrations = "../migrations")]
async fn dates_out_of_range_in_reports_records_and_sessions_are_bad_queries(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = sign_in(&app, "admin", "rollcall-admin").await.access_token;
    for path in [
        "/api/v1/reports/attendance?to=-9999-01-01",
        "/api/v1/reports/attendance?from=-9999-01-01&to=-9999-01-05",
        "/api/v1/reports/attendance?to=0000-01-10&format=pdf",
        "/api/v1/reports/attendance?from=%2B10000-01-01",
        "/api/v1/records?from=-9999-01-01",
        "/api/v1/records?to=-9999-12-31",
        "/api/v1/sessions?date=-9999-01-01",
        "/api/v1/sessions?date=10000-01-01",
    ] {
        let resp = app
            .http
            .get(app.url(path))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(envelope(resp).await.error.code, "invalid_query", "{path}");
    }
}

/// `Value` with one string replaced by text holding a NUL.
fn nul(mut v: Value, field: &str) -> Value {
    v[field] = json!("Room\u{0}12");
    v
}

#[sqlx::test(migrations = "../migrations")]
async fn a_nul_character_in_any_text_is_refused_by_name_and_nothing_is_written(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let session = class.session.session.id;
    let admin = sign_in(&app, "admin", "rollcall-admin").await.access_token;
    let (room,): (Uuid,) = sqlx::query_as("SELECT id FROM rooms WHERE code = 'A-101'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let audit_before = count(&app, "SELECT count(*) FROM audit_log").await;
    let student = class.students[3];
    let phone = phone(&app, class.students[4], 52).await;
    let beacon =
        json!({"kind": "ble", "identifier": "name:Room 12", "label": "door", "min_rssi": -80});
    let cases: Vec<(reqwest::Method, String, Option<&str>, Value)> = vec![
        (
            reqwest::Method::POST,
            format!("/api/v1/rooms/{room}/access-points"),
            Some(&admin),
            json!({"kind": "ble", "identifier": "name:Room\u{0}12", "label": "door", "min_rssi": -80}),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/rooms/{room}/access-points"),
            Some(&admin),
            nul(beacon, "label"),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/kiosks".to_owned(),
            Some(&admin),
            json!({"name": "Door\u{0}1", "room_id": room}),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/kiosks".to_owned(),
            Some(&admin),
            json!({"name": "Door 1", "room_id": room, "config": "{\"k\\u0000\": 1}"}),
        ),
        (
            reqwest::Method::PUT,
            format!("/api/v1/sessions/{session}/records/{student}"),
            Some(&class.teacher),
            json!({"status": "present", "reason": "came\u{0}late"}),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/devices".to_owned(),
            Some(&phone.token),
            json!({"public_key": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "label": "My\u{0}phone"}),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/auth/login".to_owned(),
            None,
            json!({"login": "admin\u{0}", "password": "x"}),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/auth/forgot".to_owned(),
            None,
            json!({"login": "a\u{0}@example.org"}),
        ),
    ];
    for (method, path, token, body) in cases {
        let mut request = app.http.request(method, app.url(&path)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let resp = request.send().await.unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {body}"
        );
        let problem = envelope(resp).await.error;
        assert!(
            problem.message.contains("NUL character"),
            "{path}: {problem:?}"
        );
        assert!(
            problem.details.contains_key("field") || problem.details.contains_key("config"),
            "the field is named: {path}: {problem:?}"
        );
    }
    for search in [
        "/api/v1/users?q=ad%00min",
        "/api/v1/rooms?q=%00",
        "/api/v1/audit?q=x%00",
        "/api/v1/records?q=a%00",
    ] {
        let resp = app
            .http
            .get(app.url(search))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{search}");
        assert_eq!(envelope(resp).await.error.code, "invalid_query");
    }
    let csv = "username,email,display_name,role,student_no,password\n\
               new.one,,New\u{0}One,student,S999,long-enough-password\n";
    let resp = app
        .http
        .post(app.url("/api/v1/users/import"))
        .bearer_auth(&admin)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(envelope(resp).await.error.details["line"], "2");

    assert_eq!(count(&app, "SELECT count(*) FROM kiosks").await, 0);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM access_points WHERE label = 'door'"
        )
        .await,
        0
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM attendance_records").await,
        0
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM audit_log").await,
        audit_before
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM users WHERE username = 'new.one'"
        )
        .await,
        0
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_audit_log_gives_its_times_as_the_document_says(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = sign_in(&app, "admin", "rollcall-admin").await.access_token;
    let made = app
        .http
        .post(app.url("/api/v1/subjects"))
        .bearer_auth(&admin)
        .json(&json!({"code": "ETH", "name": "Ethics"}))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), StatusCode::CREATED);
    let page: Value = app
        .http
        .get(app.url("/api/v1/audit"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let at = page["items"][0]["at"].as_str().unwrap_or_else(|| {
        panic!("at is a string: {}", page["items"][0]["at"]);
    });
    time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{at} is RFC 3339: {e}"));
}
