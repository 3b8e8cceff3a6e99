//! The teacher's classroom in the real app under Xvfb, against a real server: a room
//! with a geofence and an access point and a timetable slot today are made through
//! the admin API (the admin screens come later); the teacher signs in, starts that
//! class, the QR on screen turns after one period, a student's claim made from the
//! QR on screen appears on the live roster within a second, the teacher corrects a
//! mark, ends the class and exports the class sheet as CSV and PDF.
//!
//! Needs what `desktop_login` needs, plus `ROLLCALL_EXPORT_DIR` (where the app saves
//! exports); `cargo xtask test` provides them all.

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rollcall_core::api::{
    ClaimBatchResult, DeviceRecord, DivisionStudent, LoginResponse, Page, SlotRecord,
};
use rollcall_core::claim::{Claim, Evidence, Token};
use rollcall_core::geofence::{GeoPoint, LocationFix, Metres};
use rollcall_core::ids::{ClaimId, DeviceId, SessionId, StudentId};
use rollcall_core::qr::QrPayload;
use rollcall_core::signing::{DeviceKey, SignedClaim};
use rollcall_core::timestamp::Timestamp;
use rollcall_core::verdict::Outcome;
use rollcall_e2e::env::JourneyEnv;
use rollcall_e2e::journey::{
    check, click, fill_login_form, save_screenshot, step, wait_for_text_containing, SIGN_IN,
};
use rollcall_e2e::tauri_driver::TauriDriver;
use rollcall_e2e::webdriver::Session;
use serde_json::{json, Value};
use uuid::Uuid;

const APP_START: Duration = Duration::from_secs(60);
const UI: Duration = Duration::from_secs(15);
const TEACHER: &str = "teacher1";
const TEACHER_PASSWORD: &str = "rollcall-teacher";
const ADMIN: &str = "admin";
const ADMIN_PASSWORD: &str = "rollcall-admin";
const STUDENT_PASSWORD: &str = "rollcall-student";
/// The room's centre: the student stands here.
const CENTRE: (f64, f64) = (18.530_0, 73.830_0);

#[tokio::test(flavor = "multi_thread")]
async fn a_teacher_runs_a_class_from_start_to_class_sheet_in_the_desktop_app() {
    let env = JourneyEnv::from_env().unwrap_or_else(|problem| panic!("{problem}"));
    let exports = PathBuf::from(
        std::env::var("ROLLCALL_EXPORT_DIR")
            .expect("ROLLCALL_EXPORT_DIR is set (where the app saves class sheets)"),
    );
    let school = School::prepare(&env.server).await;

    let driver = TauriDriver::start(&env.artifacts.join("tauri-driver-classroom.log"))
        .await
        .unwrap_or_else(|problem| panic!("{problem}"));
    let session = Session::start(&driver.url(), Session::tauri_capabilities(&env.app))
        .await
        .unwrap_or_else(|e| panic!("the app did not start under WebDriver: {e}"));

    let outcome = journey(&session, &env, &school, &exports).await;
    if outcome.is_err() {
        let _ = save_screenshot(&session, &env, "teacher-failure.png").await;
    }
    let ended = session.end().await;
    drop(driver);
    if let Err(problem) = outcome {
        panic!("{problem}");
    }
    ended.expect("the WebDriver session ends cleanly");
}

async fn journey(
    session: &Session,
    env: &JourneyEnv,
    school: &School,
    exports: &std::path::Path,
) -> Result<(), String> {
    session
        .wait_for("#server-url", APP_START)
        .await
        .map_err(step("the login screen appears"))?;
    fill_login_form(session, &env.server, TEACHER, TEACHER_PASSWORD).await?;
    click(session, "#sign-in", UI).await?;

    // Today's classes: the admin's new slot is there; Start opens the classroom.
    let card = format!(
        "li.class-card[data-session=\"{}\"]",
        school.session_id().await
    );
    session
        .wait_for(&card, SIGN_IN)
        .await
        .map_err(step("the new class is among today's classes"))?;
    save_screenshot(session, env, "teacher-today.png").await?;
    click(session, &format!("{card} .start-class"), UI).await?;

    // The QR turns after one period and carries this session.
    let first = qr_payload(session, UI).await?;
    let session_id = first.session();
    check(
        *session_id.as_uuid() == school.session_id().await,
        format!("the QR names session {session_id:?}"),
    )?;
    wait_for_text_containing(session, "#live-state", "Live", UI).await?;
    let otp = rollcall_e2e::journey::text_of(session, "#otp").await?;
    check(
        otp.chars().filter(char::is_ascii_digit).count() == 6,
        format!("#otp reads {otp:?}"),
    )?;
    save_screenshot(session, env, "teacher-classroom.png").await?;
    let turned = Instant::now();
    let second = loop {
        let now = qr_payload(session, UI).await?;
        if now != first {
            break now;
        }
        if turned.elapsed() > Duration::from_secs(25) {
            return Err("the QR did not change within 25 s (period 20 s)".to_owned());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    check(
        second.slot() == first.slot() + 1,
        format!("slot {} followed slot {}", second.slot(), first.slot()),
    )?;

    // A student scans the screen's QR and submits a claim; the roster shows it.
    let scanned = qr_payload(session, UI).await?;
    let result = school.student_claims(&scanned).await;
    let answered = Instant::now();
    check(
        result.0 == Outcome::Accepted,
        format!("the claim was {:?}: {}", result.0, result.1),
    )?;
    let line = format!("li.roster-line[data-student=\"{}\"]", school.student.id);
    loop {
        if attribute(session, &line, "data-status").await?.as_deref() == Some("present") {
            break;
        }
        if answered.elapsed() > Duration::from_secs(1) {
            return Err(format!(
                "the accepted claim was not on the live roster within 1 s (status {:?})",
                attribute(session, &line, "data-status").await?
            ));
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    println!(
        "claim accepted → on the live roster in {} ms",
        answered.elapsed().as_millis()
    );
    wait_for_text_containing(session, "#present-count", "1 /", UI).await?;

    // Presentation mode: full screen, QR and code only.
    click(session, "#present", UI).await?;
    session
        .wait_for(".classroom.presenting #qr", UI)
        .await
        .map_err(step("presentation mode shows the QR"))?;
    tokio::time::sleep(Duration::from_millis(600)).await;
    save_screenshot(session, env, "teacher-presentation.png").await?;
    click(session, "#leave-presentation", UI).await?;
    session
        .wait_for("#end-class", UI)
        .await
        .map_err(step("leaving presentation mode shows the controls"))?;

    // Correct another student's mark, with a reason.
    let other = format!("li.roster-line[data-student=\"{}\"]", school.other.id);
    click(session, &format!("{other} .correct-mark"), UI).await?;
    click(session, "#mark-save", UI).await?;
    session
        .wait_for("#mark-reason-error", UI)
        .await
        .map_err(step("saving without a reason is refused on screen"))?;
    click(session, "#mark-status option[value=\"excused\"]", UI).await?;
    let reason = session
        .find("#mark-reason")
        .await
        .map_err(step("find the reason"))?;
    session
        .send_keys(&reason, "Representing the school at the science fair")
        .await
        .map_err(step("type the reason"))?;
    click(session, "#mark-save", UI).await?;
    wait_for_text_containing(session, "#desk-notice", "is now excused", UI).await?;
    wait_for_attribute(session, &other, "data-status", "excused").await?;
    save_screenshot(session, env, "teacher-roster.png").await?;

    // End the class: everyone unmarked becomes absent.
    click(session, "#end-class", UI).await?;
    click(session, "#confirm-end", UI).await?;
    wait_for_text_containing(session, "#desk-notice", "Class ended: 1 of", UI).await?;
    wait_for_attribute(session, &line, "data-status", "present").await?;
    let third = format!("li.roster-line[data-student=\"{}\"]", school.unmarked.id);
    wait_for_attribute(session, &third, "data-status", "absent").await?;
    save_screenshot(session, env, "teacher-class-ended.png").await?;

    // The class sheet, as CSV and PDF, saved where the app saves exports.
    for (button, extension) in [("#export-csv", "csv"), ("#export-pdf", "pdf")] {
        click(session, button, UI).await?;
        let notice = wait_for_text_containing(session, "#desk-notice", "Saved to ", UI).await?;
        let path = PathBuf::from(notice.trim().trim_start_matches("Saved to ").trim());
        check(
            path.starts_with(exports) && path.extension().is_some_and(|e| e == extension),
            format!("the sheet was saved as {}", path.display()),
        )?;
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let text = String::from_utf8_lossy(&bytes);
        for student in [&school.student, &school.other, &school.unmarked] {
            check(
                text.contains(&student.display_name),
                format!("{} lists {}", path.display(), student.display_name),
            )?;
        }
        if extension == "csv" {
            check(
                text.contains(&format!("{},", school.student.display_name))
                    && text.lines().any(|l| {
                        l.starts_with(&school.other.display_name) && l.contains(",excused,manual,")
                    })
                    && text.lines().any(|l| {
                        l.starts_with(&school.unmarked.display_name) && l.contains(",absent,")
                    }),
                format!("the CSV has the marks: {text}"),
            )?;
        } else {
            check(
                bytes.starts_with(b"%PDF"),
                format!("{} is a PDF", path.display()),
            )?;
        }
        // The next export must show its own notice, not this one.
        click(session, "#desk-notice", UI).await.ok();
    }
    Ok(())
}

/// The payload in the QR on screen.
async fn qr_payload(session: &Session, timeout: Duration) -> Result<QrPayload, String> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(text) = attribute(session, "#qr", "data-payload").await? {
            return text
                .parse()
                .map_err(|e| format!("the QR on screen holds {text:?}, not a payload: {e:?}"));
        }
        if Instant::now() > deadline {
            return Err("no QR appeared on screen".to_owned());
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

async fn attribute(session: &Session, css: &str, name: &str) -> Result<Option<String>, String> {
    let value = session
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             const el = document.querySelector(arguments[0]);\
             done(el ? el.getAttribute(arguments[1]) : null);",
            json!([css, name]),
        )
        .await
        .map_err(step(&format!("read {name} of {css}")))?;
    Ok(value.as_str().map(str::to_owned))
}

async fn wait_for_attribute(
    session: &Session,
    css: &str,
    name: &str,
    wanted: &str,
) -> Result<(), String> {
    let deadline = Instant::now() + UI;
    loop {
        let value = attribute(session, css, name).await?;
        if value.as_deref() == Some(wanted) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("{css} has {name}={value:?}, expected {wanted:?}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What the admin set up, and the students the journey uses.
struct School {
    server: String,
    http: reqwest::Client,
    teacher_token: String,
    slot: Uuid,
    student: DivisionStudent,
    other: DivisionStudent,
    unmarked: DivisionStudent,
}

impl School {
    /// As the admin: a room with a circular geofence and a Wi-Fi access point, and a
    /// slot today for teacher1 in it.
    async fn prepare(server: &str) -> Self {
        let server = server.trim_end_matches('/').to_owned();
        let http = reqwest::Client::new();
        let admin = sign_in(&http, &server, ADMIN, ADMIN_PASSWORD).await;
        let teacher = sign_in(&http, &server, TEACHER, TEACHER_PASSWORD).await;
        let theirs: Page<SlotRecord> = get(
            &http,
            &format!("{server}/api/v1/timetable?teacher_id={}", teacher.user.id),
            &admin.access_token,
        )
        .await;
        let taught = theirs.items.first().expect("teacher1 has demo classes");
        let stamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() % 1_000_000);
        let room: Value = post(
            &http,
            &format!("{server}/api/v1/rooms"),
            &admin.access_token,
            &json!({
                "code": format!("E2E-{stamp}"),
                "name": format!("Studio {stamp}"),
                "building": "Test wing",
                "geofence": {"kind": "circle",
                    "centre": {"latitude": CENTRE.0, "longitude": CENTRE.1}, "radius_m": 30},
                "policy": "token & location",
                "access_points": [{"kind": "wifi", "bssid": "3C-84-6A-E2-E0-01", "label": "ceiling"}]
            }),
        )
        .await;
        let weekday = today_weekday();
        let mut slot = None;
        for (from, to) in [
            ("20:00", "20:50"),
            ("21:00", "21:50"),
            ("06:00", "06:50"),
            ("07:00", "07:50"),
            ("22:00", "22:50"),
        ] {
            let answer = http
                .post(format!("{server}/api/v1/timetable"))
                .bearer_auth(&admin.access_token)
                .json(&json!({
                    "division_id": taught.division_id, "subject_id": taught.subject_id,
                    "teacher_id": teacher.user.id, "room_id": room["id"],
                    "weekday": weekday, "starts_at": from, "ends_at": to,
                }))
                .send()
                .await
                .expect("the server answers");
            if answer.status() == reqwest::StatusCode::CREATED {
                slot = Some(answer.json::<SlotRecord>().await.expect("a slot").id);
                break;
            }
        }
        let slot = slot.expect("a free hour for the new slot today");
        let students: Page<DivisionStudent> = get(
            &http,
            &format!(
                "{server}/api/v1/divisions/{}/students?per_page=100",
                taught.division_id
            ),
            &admin.access_token,
        )
        .await;
        let mut students = students.items.into_iter();
        let (Some(student), Some(other), Some(unmarked)) =
            (students.next(), students.next(), students.next())
        else {
            panic!("the division has at least three students");
        };
        Self {
            server,
            http,
            teacher_token: teacher.access_token,
            slot,
            student,
            other,
            unmarked,
        }
    }

    /// The session of the new slot (planned for today as soon as the teacher's
    /// classes are listed).
    async fn session_id(&self) -> Uuid {
        let today: Vec<Value> = get(
            &self.http,
            &format!("{}/api/v1/sessions/today", self.server),
            &self.teacher_token,
        )
        .await;
        today
            .iter()
            .find(|s| s["session"]["slot_id"].as_str() == Some(&self.slot.to_string()))
            .and_then(|s| s["session"]["id"].as_str())
            .and_then(|id| id.parse().ok())
            .expect("the new slot is among today's sessions")
    }

    /// The student signs in, registers a phone and claims with the scanned QR while
    /// standing in the room; the server's verdict and its reasons.
    async fn student_claims(&self, scanned: &QrPayload) -> (Outcome, String) {
        let login = sign_in(
            &self.http,
            &self.server,
            &self.student.username,
            STUDENT_PASSWORD,
        )
        .await;
        // One phone per student, the same on every run: a second phone would wait for
        // an admin's approval.
        let mut seed = [0; 32];
        seed[..16].copy_from_slice(self.student.id.as_bytes());
        seed[16..].copy_from_slice(self.student.id.as_bytes());
        let key = DeviceKey::from_seed(&seed);
        let device: DeviceRecord = post(
            &self.http,
            &format!("{}/api/v1/devices", self.server),
            &login.access_token,
            &json!({"public_key": key.public().to_string(), "label": "Pixel", "platform": "android"}),
        )
        .await;
        let now = now();
        let claim = Claim {
            id: ClaimId::generate(
                u64::try_from(now.unix()).unwrap_or_default() * 1000,
                &mut rand_core::OsRng,
            ),
            student: StudentId::from(self.student.id),
            session: SessionId::from(*scanned.session().as_uuid()),
            device: DeviceId::from(device.id),
            scanned_at: now,
            evidence: Evidence {
                token: Some(Token::Qr(*scanned)),
                location: Some(LocationFix {
                    point: GeoPoint::new(CENTRE.0, CENTRE.1).expect("a valid point"),
                    accuracy: Metres::new(8.0).expect("a valid accuracy"),
                    mocked: false,
                    fixed_at: now,
                }),
                radio: None,
                face: None,
            },
        };
        let answer: ClaimBatchResult = post(
            &self.http,
            &format!("{}/api/v1/attendance/claims", self.server),
            &login.access_token,
            &json!({"claims": [SignedClaim::sign(claim, &key)]}),
        )
        .await;
        let result = answer.results.into_iter().next().expect("one result");
        (result.outcome, format!("{:?}", result.reasons))
    }
}

fn now() -> Timestamp {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Timestamp::from_unix(i64::try_from(secs).unwrap_or_default())
}

/// Today's weekday in UTC, the e2e server's school time zone.
fn today_weekday() -> &'static str {
    weekday_of(now().unix())
}

/// The UTC weekday of a unix time, as the API names it.
fn weekday_of(unix: i64) -> &'static str {
    let days = unix.div_euclid(86_400);
    // 1970-01-01 was a Thursday.
    [
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "monday",
        "tuesday",
        "wednesday",
    ][usize::try_from(days.rem_euclid(7)).unwrap_or_default()]
}

async fn sign_in(
    http: &reqwest::Client,
    server: &str,
    login: &str,
    password: &str,
) -> LoginResponse {
    post(
        http,
        &format!("{server}/api/v1/auth/login"),
        "",
        &json!({"login": login, "password": password}),
    )
    .await
}

async fn get<T: serde::de::DeserializeOwned>(http: &reqwest::Client, url: &str, token: &str) -> T {
    let answer = http
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = answer.status();
    let body = answer.text().await.unwrap_or_default();
    assert!(status.is_success(), "GET {url}: {status} {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {url}: {e}: {body}"))
}

async fn post<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: &Value,
) -> T {
    let mut request = http.post(url).json(body);
    if !token.is_empty() {
        request = request.bearer_auth(token);
    }
    let answer = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {url}: {e}"));
    let status = answer.status();
    let text = answer.text().await.unwrap_or_default();
    assert!(status.is_success(), "POST {url}: {status} {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("POST {url}: {e}: {text}"))
}

#[test]
fn the_weekday_of_a_known_date_is_right() {
    // 2026-11-21 is a Saturday; 1969-12-31 a Wednesday.
    assert_eq!(weekday_of(1_795_219_200), "saturday");
    assert_eq!(weekday_of(1_795_219_200 + 86_399), "saturday");
    assert_eq!(weekday_of(-1), "wednesday");
}
