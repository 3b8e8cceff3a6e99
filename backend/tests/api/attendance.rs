//! Class sessions and claims end to end: a teacher starts a class, students'
//! phones submit signed claims, the server re-verifies them with
//! `rollcall-core`, and the roster (over HTTP and the live socket) follows.

use std::time::Duration;

use futures_util::StreamExt as _;
use reqwest::StatusCode;
use rollcall_core::api::{
    AttendanceStatus, ClaimBatch, ClaimResult, DeviceRecord, DeviceRegistration, LoginResponse,
    Platform, Roster, StartSession, TeacherSession,
};
use rollcall_core::claim::{Claim, Evidence, Token};
use rollcall_core::geofence::{GeoPoint, LocationFix, Metres};
use rollcall_core::ids::{ClaimId, DeviceId, SessionId, StudentId};
use rollcall_core::otp::SessionOtp;
use rollcall_core::qr::{QrPeriod, RotatingQr, SessionSecret};
use rollcall_core::radio::{RadioScan, Rssi, WifiSighting};
use rollcall_core::signing::{DeviceKey, SignedClaim};
use rollcall_core::timestamp::Timestamp;
use rollcall_core::verdict::Outcome;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{envelope, TestApp};

/// A student with a signed-in session and a bound phone.
pub(crate) struct Phone {
    /// The student, signed in through the product's client.
    pub(crate) client: std::sync::Arc<rollcall_client::Client>,
    /// Their access token, for requests the client would never send.
    pub(crate) token: String,
    pub(crate) student: Uuid,
    pub(crate) key: DeviceKey,
    pub(crate) device: Uuid,
}

pub(crate) struct Class {
    /// The teacher's access token, for requests the client would never send.
    pub(crate) teacher: String,
    /// The teacher, signed in through the product's client.
    pub(crate) teacher_client: rollcall_client::Client,
    pub(crate) session: TeacherSession,
    pub(crate) students: Vec<Uuid>,
}

pub(crate) async fn sign_in(app: &TestApp, login: &str, password: &str) -> LoginResponse {
    let resp = app.login(login, password).await;
    assert_eq!(resp.status(), StatusCode::OK, "{login} signs in");
    resp.json().await.unwrap()
}

pub(crate) fn now() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    Timestamp::from_unix(i64::try_from(secs).unwrap())
}

/// teacher1 starts an ad-hoc class in Lecture Hall A-101 for a division they teach.
pub(crate) async fn start_class(app: &TestApp) -> Class {
    let teacher_client = app.client("teacher1", "rollcall-teacher").await;
    let teacher = token_of(&teacher_client);
    let (room, division): (Uuid, Uuid) = sqlx::query_as(
        "SELECT r.id, t.division_id FROM rooms r, timetable_slots t JOIN users u ON u.id = t.teacher_id \
         WHERE r.code = 'A-101' AND u.username = 'teacher1' LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let session = teacher_client
        .start_session(&StartSession::AdHoc {
            room_id: room,
            division_id: division,
            subject_id: None,
            minutes: 50,
        })
        .await
        .expect("the class starts");
    assert!(session.secret.is_some(), "the teacher gets the secret");
    let students: Vec<Uuid> = sqlx::query_scalar(
        "SELECT student_id FROM division_students WHERE division_id = $1 ORDER BY student_id",
    )
    .bind(division)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    Class {
        teacher,
        teacher_client,
        session,
        students,
    }
}

/// The access token a signed-in client holds.
pub(crate) fn token_of(client: &rollcall_client::Client) -> String {
    client
        .with_session(|s| s.access_token().to_owned())
        .expect("signed in")
}

/// `student` signs in and registers a phone whose key comes from `seed`.
pub(crate) async fn phone(app: &TestApp, student: Uuid, seed: u8) -> Phone {
    let username: String = sqlx::query_scalar("SELECT username FROM users WHERE id = $1")
        .bind(student)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let client = app.client(&username, "rollcall-student").await;
    let key = DeviceKey::from_seed(&[seed; 32]);
    let device = client
        .register_device(&DeviceRegistration {
            public_key: key.public(),
            label: "Phone".to_owned(),
            platform: Platform::Android,
        })
        .await
        .expect("the phone is registered");
    Phone {
        token: token_of(&client),
        client: std::sync::Arc::new(client),
        student,
        key,
        device: device.id,
    }
}

fn secret(class: &Class) -> SessionSecret {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(class.session.secret.as_ref().unwrap())
        .unwrap();
    SessionSecret::from_bytes(&bytes).unwrap()
}

pub(crate) fn qr_at(class: &Class, at: Timestamp) -> Token {
    let qr = RotatingQr::new(
        SessionId::from(class.session.session.id),
        &secret(class),
        QrPeriod::new(class.session.session.qr_period_s).unwrap(),
    );
    Token::Qr(qr.payload_at(at).unwrap().0)
}

/// Standing inside Lecture Hall A-101, hearing its access point.
pub(crate) fn in_the_room(at: Timestamp, mocked: bool) -> Evidence {
    Evidence {
        token: None,
        location: Some(LocationFix {
            point: GeoPoint::new(18.518_62, 73.815_38).unwrap(),
            accuracy: Metres::new(8.0).unwrap(),
            mocked,
            fixed_at: at,
        }),
        radio: Some(RadioScan {
            wifi: vec![WifiSighting {
                bssid: "3c:84:6a:a1:01:10".parse().unwrap(),
                rssi: Rssi::new(-58).unwrap(),
            }],
            beacons: Vec::new(),
        }),
        face: None,
    }
}

pub(crate) fn claim(
    phone: &Phone,
    session: Uuid,
    at: Timestamp,
    evidence: Evidence,
) -> SignedClaim {
    let millis = u64::try_from(at.unix()).unwrap() * 1000;
    let claim = Claim {
        id: ClaimId::generate(millis, &mut rand_core::OsRng),
        student: StudentId::from(phone.student),
        session: SessionId::from(session),
        device: DeviceId::from(phone.device),
        scanned_at: at,
        evidence,
    };
    SignedClaim::sign(claim, &phone.key)
}

pub(crate) async fn submit(
    _app: &TestApp,
    phone: &Phone,
    claims: &[SignedClaim],
) -> Vec<ClaimResult> {
    phone
        .client
        .submit_claims(&ClaimBatch {
            claims: claims.to_vec(),
        })
        .await
        .expect("the claims are answered")
        .results
}

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

async fn roster(_app: &TestApp, class: &Class) -> Roster {
    class
        .teacher_client
        .roster(class.session.session.id)
        .await
        .expect("the roster")
}

async fn claims_stored(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM claims")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_student_in_the_room_with_the_qr_is_present_once_however_often_the_claim_is_sent(
    pool: PgPool,
) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let phone = phone(&app, class.students[0], 1).await;
    let at = now();
    let mut evidence = in_the_room(at, false);
    evidence.token = Some(qr_at(&class, at));
    let signed = claim(&phone, class.session.session.id, at, evidence);

    let first = submit(&app, &phone, std::slice::from_ref(&signed)).await;
    assert_eq!(
        first[0].outcome,
        Outcome::Accepted,
        "{:?}",
        first[0].reasons
    );
    assert_eq!(first[0].record, Some(AttendanceStatus::Present));
    assert!(!first[0].duplicate);

    let again = submit(&app, &phone, &[signed]).await;
    assert!(again[0].duplicate, "the claim id is the idempotency key");
    assert_eq!(again[0].outcome, Outcome::Accepted);
    assert_eq!(claims_stored(&app).await, 1);

    // A second, different accepted claim does not make a second record.
    let later = now();
    let mut evidence = in_the_room(later, false);
    evidence.token = Some(qr_at(&class, later));
    let second = submit(
        &app,
        &phone,
        &[claim(&phone, class.session.session.id, later, evidence)],
    )
    .await;
    assert_eq!(second[0].outcome, Outcome::Accepted);
    let roster = roster(&app, &class).await;
    assert_eq!(roster.present, 1);
    assert_eq!(
        roster.expected,
        u32::try_from(class.students.len()).unwrap()
    );
    let line = roster
        .entries
        .iter()
        .find(|e| e.student_id == phone.student)
        .unwrap();
    assert_eq!(line.status, Some(AttendanceStatus::Present));
    let records: i64 = sqlx::query_scalar("SELECT count(*) FROM attendance_records")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(records, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn claims_arriving_together_are_each_judged_on_their_own_signature(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let mut phones = Vec::new();
    for (n, student) in (10u8..).zip(class.students.iter().take(9)) {
        phones.push(phone(&app, *student, n).await);
    }
    let session = class.session.session.id;
    let app = &app;
    // Three rounds of nine claims sent at once (the server checks the
    // signatures of claims arriving together in one batch); every third is
    // signed by a key that is not the phone's.
    for round in 0..3 {
        let at = now();
        let requests = phones.iter().enumerate().map(|(n, phone)| {
            let mut evidence = in_the_room(at, false);
            evidence.token = Some(qr_at(&class, at));
            let mut signed = claim(phone, session, at, evidence);
            let forged = n % 3 == round % 3;
            if forged {
                signed = SignedClaim::sign(signed.claim, &DeviceKey::from_seed(&[200; 32]));
            }
            async move { (forged, submit(app, phone, &[signed]).await) }
        });
        for (forged, results) in futures_util::future::join_all(requests).await {
            if forged {
                assert_eq!(results[0].outcome, Outcome::Rejected);
                assert!(codes(&results[0]).contains(&"signature_invalid".to_owned()));
            } else {
                assert_eq!(
                    results[0].outcome,
                    Outcome::Accepted,
                    "{:?}",
                    results[0].reasons
                );
            }
        }
    }
    assert_eq!(claims_stored(app).await, 27);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_attack_suite_is_refused_with_reasons_and_marks_nobody(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let session = class.session.session.id;
    let phone = phone(&app, class.students[1], 2).await;
    let at = now();
    let expect = |results: &[ClaimResult], code: &str| {
        assert_eq!(
            results[0].outcome,
            Outcome::Rejected,
            "{code}: {:?}",
            results[0].reasons
        );
        assert!(
            codes(&results[0]).contains(&code.to_owned()),
            "{code} in {:?}",
            codes(&results[0])
        );
        assert_eq!(results[0].record, None);
    };

    // A QR from three periods ago.
    let mut e = in_the_room(at, false);
    e.token = Some(qr_at(
        &class,
        Timestamp::from_unix(at.unix() - 3 * i64::from(class.session.session.qr_period_s)),
    ));
    expect(
        &submit(&app, &phone, &[claim(&phone, session, at, e)]).await,
        "qr_expired",
    );

    // The QR of another session (another secret).
    let mut other = in_the_room(at, false);
    let forged = RotatingQr::new(
        SessionId::from(session),
        &SessionSecret::from_bytes(&[9; 32]).unwrap(),
        QrPeriod::new(20).unwrap(),
    );
    other.token = Some(Token::Qr(forged.payload_at(at).unwrap().0));
    expect(
        &submit(&app, &phone, &[claim(&phone, session, at, other)]).await,
        "qr_forged",
    );

    // A mocked location inside the fence.
    let mut mocked = in_the_room(at, true);
    mocked.token = Some(qr_at(&class, at));
    expect(
        &submit(&app, &phone, &[claim(&phone, session, at, mocked)]).await,
        "location_mocked",
    );

    // The right QR relayed to a student 3 km away.
    let mut far = in_the_room(at, false);
    far.token = Some(qr_at(&class, at));
    far.location.as_mut().unwrap().point = GeoPoint::new(18.545, 73.815).unwrap();
    far.radio = None;
    expect(
        &submit(&app, &phone, &[claim(&phone, session, at, far)]).await,
        "outside_geofence",
    );

    // A second phone, not approved.
    let mut unbound = Phone {
        key: DeviceKey::from_seed(&[77; 32]),
        ..phone_clone(&phone)
    };
    let pending: DeviceRecord = app
        .http
        .post(app.url("/api/v1/devices"))
        .bearer_auth(&phone.token)
        .json(&json!({"public_key": unbound.key.public().to_string()}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    unbound.device = pending.id;
    let mut e = in_the_room(at, false);
    e.token = Some(qr_at(&class, at));
    expect(
        &submit(&app, &unbound, &[claim(&unbound, session, at, e)]).await,
        "device_not_bound",
    );

    // Signed by another key than the bound device's.
    let mut e = in_the_room(at, false);
    e.token = Some(qr_at(&class, at));
    let mut stolen = claim(&phone, session, at, e);
    stolen = SignedClaim::sign(stolen.claim, &DeviceKey::from_seed(&[99; 32]));
    expect(&submit(&app, &phone, &[stolen]).await, "signature_invalid");

    // A claim for a session that has not started.
    let future = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO class_sessions (id, session_date, teacher_id, room_id, division_id, secret, policy, \
         scheduled_start, scheduled_end) SELECT $1, current_date, teacher_id, room_id, division_id, secret, policy, \
         now() + interval '2 hours', now() + interval '3 hours' FROM class_sessions WHERE id = $2",
    )
    .bind(future)
    .bind(session)
    .execute(&app.pool)
    .await
    .unwrap();
    let mut e = in_the_room(at, false);
    e.token = Some(qr_at(&class, at));
    expect(
        &submit(&app, &phone, &[claim(&phone, future, at, e)]).await,
        "session_not_started",
    );

    let roster = roster(&app, &class).await;
    assert_eq!(roster.present, 0, "nobody was marked");
    let line = roster
        .entries
        .iter()
        .find(|e| e.student_id == phone.student)
        .unwrap();
    assert_eq!(line.status, None);
    assert!(
        line.flags
            .contains(&rollcall_core::verdict::ReasonCode::SignatureInvalid),
        "the teacher sees why: {:?}",
        line.flags
    );

    // A claim for someone else is refused whole.
    let someone_else = Phone {
        student: class.students[2],
        ..phone_clone(&phone)
    };
    let resp = app
        .http
        .post(app.url("/api/v1/attendance/claims"))
        .bearer_auth(&phone.token)
        .json(&json!({"claims": [claim(&someone_else, session, at, in_the_room(at, false))]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

fn phone_clone(p: &Phone) -> Phone {
    Phone {
        client: std::sync::Arc::clone(&p.client),
        token: p.token.clone(),
        student: p.student,
        key: DeviceKey::from_seed(&p.key.seed()),
        device: p.device,
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn five_wrong_otps_lock_the_student_out_of_the_session(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let session = class.session.session.id;
    let phone = phone(&app, class.students[3], 3).await;
    let at = now();
    for _ in 0..5 {
        let mut e = in_the_room(at, false);
        e.token = Some(Token::Otp("000000".parse().unwrap()));
        let r = submit(&app, &phone, &[claim(&phone, session, at, e)]).await;
        assert_eq!(r[0].outcome, Outcome::Rejected);
    }
    let right = SessionOtp::new(&secret(&class)).code_at(at).0;
    let mut e = in_the_room(at, false);
    e.token = Some(Token::Otp(right));
    let r = submit(&app, &phone, &[claim(&phone, session, at, e)]).await;
    assert_eq!(r[0].outcome, Outcome::Rejected);
    assert!(
        codes(&r[0]).contains(&"otp_locked".to_owned()),
        "{:?}",
        codes(&r[0])
    );
}

/// Posts `claims` with `phone`'s token; the status and the error code, if any.
async fn post_claims(app: &TestApp, phone: &Phone, claims: &[SignedClaim]) -> (StatusCode, String) {
    let resp = app
        .http
        .post(app.url("/api/v1/attendance/claims"))
        .bearer_auth(&phone.token)
        .json(&json!({ "claims": claims }))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let code = if status == StatusCode::OK {
        String::new()
    } else {
        envelope(resp).await.error.code.as_str().to_owned()
    };
    (status, code)
}

#[sqlx::test(migrations = "../migrations")]
async fn a_student_deactivated_or_made_a_teacher_after_signing_in_has_no_claim_judged_or_written(
    pool: PgPool,
) {
    // The claims endpoint reads the account with the first claim's state
    // rather than on its own: this holds it to the same answers as every
    // other endpoint.
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let session = class.session.session.id;
    let phone = phone(&app, class.students[0], 7).await;
    let in_class = || {
        let at = now();
        let mut evidence = in_the_room(at, false);
        evidence.token = Some(qr_at(&class, at));
        claim(&phone, session, at, evidence)
    };
    let set = |sql: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query(sql)
                .bind(phone.student)
                .execute(&pool)
                .await
                .unwrap();
        }
    };
    let unauthorized = (StatusCode::UNAUTHORIZED, "account_inactive".to_owned());

    set("UPDATE users SET active = false WHERE id = $1").await;
    let nowhere = claim(&phone, Uuid::now_v7(), now(), in_the_room(now(), false));
    for batch in [
        vec![in_class()],
        vec![nowhere],
        vec![in_class(), in_class()],
        vec![],
    ] {
        assert_eq!(
            post_claims(&app, &phone, &batch).await,
            unauthorized,
            "{} claims",
            batch.len()
        );
    }
    assert_eq!(claims_stored(&app).await, 0);

    set("UPDATE users SET active = true, role = 'teacher' WHERE id = $1").await;
    assert_eq!(
        post_claims(&app, &phone, &[in_class()]).await,
        (StatusCode::FORBIDDEN, "forbidden".to_owned())
    );
    assert_eq!(claims_stored(&app).await, 0);

    set("UPDATE users SET role = 'student' WHERE id = $1").await;
    let results = submit(&app, &phone, &[in_class()]).await;
    assert_eq!(
        results[0].outcome,
        Outcome::Accepted,
        "{:?}",
        results[0].reasons
    );
    assert_eq!(claims_stored(&app).await, 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_teacher_sees_only_their_own_sessions_and_students_never_see_secrets(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let id = class.session.session.id;
    let teacher2 = sign_in(&app, "teacher2", "rollcall-teacher")
        .await
        .access_token;
    for path in [
        format!("/api/v1/sessions/{id}"),
        format!("/api/v1/sessions/{id}/roster"),
    ] {
        let resp = app
            .http
            .get(app.url(&path))
            .bearer_auth(&teacher2)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let admin = sign_in(&app, "admin", "rollcall-admin").await.access_token;
    let seen: TeacherSession = app
        .http
        .get(app.url(&format!("/api/v1/sessions/{id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        seen.secret, None,
        "an admin sees the session but not its secret"
    );
    let student = sign_in(&app, "student1", "rollcall-student")
        .await
        .access_token;
    let resp = app
        .http
        .get(app.url(&format!("/api/v1/sessions/{id}")))
        .bearer_auth(&student)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = app
        .http
        .post(app.url("/api/v1/sessions"))
        .bearer_auth(&admin)
        .json(&json!({"kind": "slot", "slot_id": Uuid::now_v7()}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::FORBIDDEN,
        "sessions are started by teachers"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_manual_mark_needs_a_reason_is_audited_and_ending_marks_the_rest_absent(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let id = class.session.session.id;
    let student = class.students[4];
    let url = app.url(&format!("/api/v1/sessions/{id}/records/{student}"));
    let resp = app
        .http
        .put(&url)
        .bearer_auth(&class.teacher)
        .json(&json!({"status": "excused", "reason": "  "}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        envelope(resp).await.error.details["reason"],
        "say why, in 1 to 500 characters"
    );
    let resp = app
        .http
        .put(&url)
        .bearer_auth(&class.teacher)
        .json(&json!({"status": "excused", "reason": "Sports meet"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let outsider = app
        .http
        .put(app.url(&format!("/api/v1/sessions/{id}/records/{}", Uuid::now_v7())))
        .bearer_auth(&class.teacher)
        .json(&json!({"status": "present", "reason": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(outsider.status(), StatusCode::NOT_FOUND);
    let audit: (String, Value) =
        sqlx::query_as("SELECT action, after FROM audit_log WHERE entity = 'attendance_record'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(audit.0, "record.mark");
    assert_eq!(audit.1["reason"], "Sports meet");

    let ended: Roster = app
        .http
        .post(app.url(&format!("/api/v1/sessions/{id}/end")))
        .bearer_auth(&class.teacher)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let excused = ended
        .entries
        .iter()
        .find(|e| e.student_id == student)
        .unwrap();
    assert_eq!(excused.status, Some(AttendanceStatus::Excused));
    let absent = ended
        .entries
        .iter()
        .filter(|e| e.status == Some(AttendanceStatus::Absent))
        .count();
    assert_eq!(absent, class.students.len() - 1);

    // Claims after the end (and its grace) are refused.
    sqlx::query("UPDATE class_sessions SET ended_at = now() - interval '1 hour', started_at = now() - interval '2 hours' WHERE id = $1")
        .bind(id).execute(&app.pool).await.unwrap();
    let phone = phone(&app, class.students[5], 5).await;
    let at = now();
    let mut e = in_the_room(at, false);
    e.token = Some(qr_at(&class, at));
    let r = submit(&app, &phone, &[claim(&phone, id, at, e)]).await;
    assert!(codes(&r[0]).contains(&"session_ended".to_owned()));
}

#[sqlx::test(migrations = "../migrations")]
async fn the_class_sheet_lists_every_student_with_their_mark_as_csv_or_pdf_for_its_teacher_only(
    pool: PgPool,
) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let id = class.session.session.id;
    let student = class.students[2];
    let resp = app
        .http
        .put(app.url(&format!("/api/v1/sessions/{id}/records/{student}")))
        .bearer_auth(&class.teacher)
        .json(&json!({"status": "late", "reason": "Came in after the bell"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let line: rollcall_core::api::RosterEntry = resp.json().await.unwrap();
    let sheet = |format: &'static str, token: String| {
        let app = &app;
        async move {
            app.http
                .get(app.url(&format!("/api/v1/sessions/{id}/sheet?format={format}")))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };

    let csv = sheet("csv", class.teacher.clone()).await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let disposition = csv.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"class-sheet-"),
        "{disposition}"
    );
    assert!(disposition.ends_with(".csv\""), "{disposition}");
    let text = csv.text().await.unwrap();
    assert_eq!(text.lines().count(), class.students.len() + 1, "{text}");
    assert!(text.starts_with("Student,Roll number,Status,How,Marked at,Flags,Class"));
    let marked = text
        .lines()
        .find(|l| l.starts_with(&line.display_name))
        .unwrap_or_else(|| panic!("{} is on the sheet: {text}", line.display_name));
    assert!(marked.contains(",late,manual,"), "{marked}");
    assert_eq!(
        text.matches(",not marked,").count(),
        class.students.len() - 1
    );

    let pdf = sheet("pdf", class.teacher.clone()).await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-1.4"));
    assert!(String::from_utf8_lossy(&bytes).contains("(Class sheet: "));

    let unknown = sheet("xlsx", class.teacher.clone()).await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let teacher2 = sign_in(&app, "teacher2", "rollcall-teacher")
        .await
        .access_token;
    assert_eq!(sheet("csv", teacher2).await.status(), StatusCode::NOT_FOUND);
    let admin = sign_in(&app, "admin", "rollcall-admin").await.access_token;
    assert_eq!(sheet("pdf", admin).await.status(), StatusCode::OK);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_student_sees_their_classes_today_with_their_own_record(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let id = class.session.session.id;
    let student = class.students[0];
    let username: String = sqlx::query_scalar("SELECT username FROM users WHERE id = $1")
        .bind(student)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let token = sign_in(&app, &username, "rollcall-student")
        .await
        .access_token;
    let mine = |token: String| {
        let app = &app;
        async move {
            app.http
                .get(app.url("/api/v1/me/classes"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };
    let classes: Vec<rollcall_core::api::StudentClass> =
        mine(token.clone()).await.json().await.unwrap();
    let today = classes
        .iter()
        .find(|c| c.session.id == id)
        .expect("the running class is listed");
    assert_eq!(today.status, None);
    app.http
        .put(app.url(&format!("/api/v1/sessions/{id}/records/{student}")))
        .bearer_auth(&class.teacher)
        .json(&json!({"status": "present", "reason": "Seen at the door"}))
        .send()
        .await
        .unwrap();
    let classes: Vec<rollcall_core::api::StudentClass> = mine(token).await.json().await.unwrap();
    let today = classes.iter().find(|c| c.session.id == id).unwrap();
    assert_eq!(today.status, Some(AttendanceStatus::Present));

    let outsider: String = sqlx::query_scalar(
        "SELECT u.username FROM users u WHERE u.role = 'student' AND u.id NOT IN          (SELECT student_id FROM division_students WHERE division_id = $1) LIMIT 1",
    )
    .bind(class.session.session.division_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let other = sign_in(&app, &outsider, "rollcall-student")
        .await
        .access_token;
    let theirs: Vec<rollcall_core::api::StudentClass> = mine(other).await.json().await.unwrap();
    assert!(
        theirs.iter().all(|c| c.session.id != id),
        "another division's class is not listed"
    );
    assert_eq!(
        mine(class.teacher.clone()).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_claim_made_offline_in_class_and_synced_after_the_end_replaces_the_absence_once_approved(
    pool: PgPool,
) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let id = class.session.session.id;
    // The class ran from two hours ago to one hour ago.
    sqlx::query("UPDATE class_sessions SET started_at = now() - interval '2 hours', scheduled_start = now() - interval '2 hours' WHERE id = $1")
        .bind(id).execute(&app.pool).await.unwrap();
    app.http
        .post(app.url(&format!("/api/v1/sessions/{id}/end")))
        .bearer_auth(&class.teacher)
        .send()
        .await
        .unwrap();
    sqlx::query("UPDATE class_sessions SET ended_at = now() - interval '1 hour' WHERE id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();

    let phone = phone(&app, class.students[6], 6).await;
    let scanned = Timestamp::from_unix(now().unix() - 100 * 60);
    let mut e = in_the_room(scanned, false);
    e.token = Some(qr_at(&class, scanned));
    let r = submit(&app, &phone, &[claim(&phone, id, scanned, e)]).await;
    // The QR had long expired when it arrived: its scan time is the phone's
    // word, so the claim waits for the teacher (the school's default).
    assert_eq!(r[0].outcome, Outcome::Review, "{:?}", r[0].reasons);
    assert!(r[0].synced_late);
    assert_eq!(
        r[0].record,
        Some(AttendanceStatus::Absent),
        "absent until decided"
    );
    let decided = app
        .http
        .post(app.url(&format!("/api/v1/review/{}", r[0].claim_id)))
        .bearer_auth(&class.teacher)
        .json(&json!({"decision": "approve", "note": "was in class, phone offline"}))
        .send()
        .await
        .unwrap();
    assert_eq!(decided.status(), StatusCode::OK);
    let line: rollcall_core::api::RosterEntry = decided.json().await.unwrap();
    assert_eq!(
        line.status,
        Some(AttendanceStatus::Late),
        "approved: the absence is replaced, judged at the scan, 20 minutes into the class"
    );
}

async fn live_socket(
    app: &TestApp,
    token: &str,
    session: Uuid,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
    let url = format!(
        "{}/api/v1/sessions/{session}/live",
        app.base.replace("http://", "ws://")
    );
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    tokio_tungstenite::connect_async(request)
        .await
        .expect("socket opens")
        .0
}

async fn next_json(
    socket: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) -> Value {
    let message = tokio::time::timeout(Duration::from_secs(1), socket.next())
        .await
        .expect("a message within a second")
        .unwrap()
        .unwrap();
    serde_json::from_str(message.to_text().unwrap()).unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn the_live_roster_shows_an_accepted_claim_within_a_second_even_from_another_server(
    pool: PgPool,
) {
    let app = TestApp::seeded(pool.clone()).await;
    // A second server process on the same database, as behind a load balancer.
    let other = TestApp::spawn(pool).await;
    let class = start_class(&app).await;
    let id = class.session.session.id;

    let mut socket = live_socket(&app, &class.teacher, id).await;
    let first = next_json(&mut socket).await;
    assert_eq!(first["type"], "roster");
    assert_eq!(first["roster"]["present"], 0);

    let phone = phone(&other, class.students[7], 7).await;
    let at = now();
    let mut e = in_the_room(at, false);
    e.token = Some(qr_at(&class, at));
    let started = std::time::Instant::now();
    let r = submit(&other, &phone, &[claim(&phone, id, at, e)]).await;
    assert_eq!(r[0].outcome, Outcome::Accepted);
    let change = next_json(&mut socket).await;
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(change["type"], "change");
    assert_eq!(change["entry"]["student_id"], phone.student.to_string());
    assert_eq!(change["entry"]["status"], "present");
    assert_eq!(change["present"], 1);
    assert_eq!(change["expected"], first["roster"]["expected"]);

    let teacher2 = sign_in(&app, "teacher2", "rollcall-teacher")
        .await
        .access_token;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
    let mut request = format!(
        "{}/api/v1/sessions/{id}/live",
        app.base.replace("http://", "ws://")
    )
    .into_client_request()
    .unwrap();
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {teacher2}").parse().unwrap(),
    );
    assert!(
        tokio_tungstenite::connect_async(request).await.is_err(),
        "another teacher's socket is refused"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_phone_another_student_used_lately_sends_the_owners_next_claim_to_review(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let owner = phone(&app, class.students[0], 41).await;
    let friend = phone(&app, class.students[1], 42).await;
    // The friend checks in from the owner's phone (its id and key): refused, but
    // remembered against that phone.
    let borrowed = Phone {
        client: std::sync::Arc::clone(&friend.client),
        token: friend.token.clone(),
        student: friend.student,
        key: DeviceKey::from_seed(&[41; 32]),
        device: owner.device,
    };
    let at = now();
    let mut evidence = in_the_room(at, false);
    evidence.token = Some(qr_at(&class, at));
    let refused = submit(
        &app,
        &borrowed,
        &[claim(
            &borrowed,
            class.session.session.id,
            at,
            evidence.clone(),
        )],
    )
    .await;
    assert_eq!(refused[0].outcome, Outcome::Rejected);
    assert!(codes(&refused[0]).contains(&"device_not_bound".to_owned()));

    // Many claims of the owner on their own phone do not hide it.
    for _ in 0..3 {
        let mine = submit(
            &app,
            &owner,
            &[claim(
                &owner,
                class.session.session.id,
                at,
                evidence.clone(),
            )],
        )
        .await;
        assert!(
            codes(&mine[0]).contains(&"shared_device".to_owned()),
            "{:?}",
            mine[0]
        );
        assert_eq!(mine[0].outcome, Outcome::Review);
    }
    // The friend's own phone is theirs alone.
    let own = submit(
        &app,
        &friend,
        &[claim(&friend, class.session.session.id, at, evidence)],
    )
    .await;
    assert!(
        !codes(&own[0]).contains(&"shared_device".to_owned()),
        "{:?}",
        own[0]
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_claim_approved_from_review_gets_the_mark_it_would_have_had_if_accepted(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let id = class.session.session.id;
    // The late line (10 minutes after the start) passed 5 s ago; both phones
    // scanned 20 s ago, before it, and their claims arrive now, after it.
    sqlx::query(
        "UPDATE class_sessions SET started_at = now() - interval '10 minutes 5 seconds', \
         late_after_min = 10 WHERE id = $1",
    )
    .bind(id)
    .execute(&app.pool)
    .await
    .unwrap();
    let scanned = Timestamp::from_unix(now().unix() - 20);
    let clear = phone(&app, class.students[0], 70).await;
    let mut e = in_the_room(scanned, false);
    e.token = Some(qr_at(&class, scanned));
    let accepted = submit(&app, &clear, &[claim(&clear, id, scanned, e)]).await;
    assert_eq!(
        accepted[0].outcome,
        Outcome::Accepted,
        "{:?}",
        accepted[0].reasons
    );
    assert_eq!(accepted[0].record, Some(AttendanceStatus::Late));

    let vague = phone(&app, class.students[1], 71).await;
    let mut e = in_the_room(scanned, false);
    e.token = Some(qr_at(&class, scanned));
    e.location.as_mut().unwrap().accuracy = Metres::new(150.0).unwrap();
    let doubtful = submit(&app, &vague, &[claim(&vague, id, scanned, e)]).await;
    assert_eq!(
        doubtful[0].outcome,
        Outcome::Review,
        "{:?}",
        doubtful[0].reasons
    );
    let decided = app
        .http
        .post(app.url(&format!("/api/v1/review/{}", doubtful[0].claim_id)))
        .bearer_auth(&class.teacher)
        .json(&json!({"decision": "approve", "note": "seen at the door"}))
        .send()
        .await
        .unwrap();
    assert_eq!(decided.status(), StatusCode::OK);
    let line: rollcall_core::api::RosterEntry = decided.json().await.unwrap();
    assert_eq!(
        line.status,
        Some(AttendanceStatus::Late),
        "judged at the same instant as an accepted claim: its arrival"
    );
}
