//! The teacher's classroom in the real app under Xvfb, against a real server: a room
//! with a geofence and an access point and a timetable slot today are made through
//! the admin API (the admin screens come later); the teacher signs in, starts that
//! class, the QR on screen turns after one period, a student's claim made from the
//! QR on screen appears on the live roster within a second, the teacher corrects a
//! mark, ends the class and exports the class sheet as CSV and PDF.
//!
//! Needs what `desktop_login` needs, plus `ROLLCALL_EXPORT_DIR` (where the app saves
//! exports); `cargo xtask test` provides them all.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rollcall_core::api::{DivisionStudent, ListParams};
use rollcall_core::qr::QrPayload;
use rollcall_core::verdict::Outcome;
use rollcall_e2e::env::JourneyEnv;
use rollcall_e2e::journey::{
    attribute, check, click, fill_login_form, finish, save_screenshot, save_screenshots_at_sizes,
    step, wait_for_text_containing, SIGN_IN,
};
use rollcall_e2e::school::{School, TEACHER, TEACHER_PASSWORD};
use rollcall_e2e::tauri_driver::TauriDriver;
use rollcall_e2e::webdriver::Session;

const APP_START: Duration = Duration::from_secs(60);
const UI: Duration = Duration::from_secs(15);

#[tokio::test(flavor = "multi_thread")]
async fn a_teacher_runs_a_class_from_start_to_class_sheet_in_the_desktop_app() {
    let env = JourneyEnv::from_env().unwrap_or_else(|problem| panic!("{problem}"));
    let exports = PathBuf::from(
        std::env::var("ROLLCALL_EXPORT_DIR")
            .expect("ROLLCALL_EXPORT_DIR is set (where the app saves class sheets)"),
    );
    let school = School::prepare(&env.server).await;
    let [student, other, unmarked] = [0, 1, 2].map(|i| school.students[i].clone());

    let driver = TauriDriver::start(&env.artifacts.join("tauri-driver-classroom.log"))
        .await
        .unwrap_or_else(|problem| panic!("{problem}"));
    let session = Session::start(&driver.url(), Session::tauri_capabilities(&env.app))
        .await
        .unwrap_or_else(|e| panic!("the app did not start under WebDriver: {e}"));

    let cast = Cast {
        student,
        other,
        unmarked,
    };
    let outcome = journey(&session, &env, &school, &cast, &exports).await;
    if outcome.is_err() {
        let _ = save_screenshot(&session, &env, "teacher-failure.png").await;
    }
    finish(session, driver, outcome).await;
}

/// The three students whose lines the journey checks.
struct Cast {
    student: DivisionStudent,
    other: DivisionStudent,
    unmarked: DivisionStudent,
}

async fn journey(
    session: &Session,
    env: &JourneyEnv,
    school: &School,
    cast: &Cast,
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
    // The countdown bar shrinks with the seconds left (drawn as SVG geometry: the
    // app's CSP forbids inline styles).
    let countdown = rollcall_e2e::journey::text_of(session, "#qr-countdown").await?;
    let bar = attribute(session, ".countdown-bar .fill", "width").await?;
    let left: f64 = countdown
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .ok_or_else(|| format!("#qr-countdown reads {countdown:?}"))?;
    let drawn: f64 = bar
        .as_deref()
        .and_then(|w| w.parse().ok())
        .ok_or_else(|| format!("the countdown bar has width {bar:?}"))?;
    check(
        (drawn - left * 100.0 / 20.0).abs() <= 10.0,
        format!("the bar is {drawn} % wide with {left} s of 20 left"),
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
    let result = school.claim(&cast.student, &scanned, 8.0).await;
    let answered = Instant::now();
    check(
        result.outcome == Outcome::Accepted,
        format!("the claim was {:?}: {:?}", result.outcome, result.reasons),
    )?;
    let line = format!("li.roster-line[data-student=\"{}\"]", cast.student.id);
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
    // Readable on a laptop and on a projector.
    save_screenshots_at_sizes(session, env, "teacher-presentation", None).await?;
    click(session, "#leave-presentation", UI).await?;
    session
        .wait_for("#end-class", UI)
        .await
        .map_err(step("leaving presentation mode shows the controls"))?;

    // Correct another student's mark, with a reason.
    let other = format!("li.roster-line[data-student=\"{}\"]", cast.other.id);
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
    let third = format!("li.roster-line[data-student=\"{}\"]", cast.unmarked.id);
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
        for student in [&cast.student, &cast.other, &cast.unmarked] {
            check(
                text.contains(&student.display_name),
                format!("{} lists {}", path.display(), student.display_name),
            )?;
        }
        if extension == "csv" {
            check(
                text.contains(&format!("{},", cast.student.display_name))
                    && text.lines().any(|l| {
                        l.starts_with(&cast.other.display_name) && l.contains(",excused,manual,")
                    })
                    && text.lines().any(|l| {
                        l.starts_with(&cast.unmarked.display_name) && l.contains(",absent,")
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
    extra_class(session, env, school).await
}

/// An extra class outside the timetable: a bad length is named before anything
/// is sent; then it starts in the chosen room and opens like a timetabled one.
async fn extra_class(session: &Session, env: &JourneyEnv, school: &School) -> Result<(), String> {
    click(session, "#back-to-today", UI).await?;
    click(session, "#extra-class-open", UI).await?;
    session
        .wait_for("#extra-class", UI)
        .await
        .map_err(step("the extra-class form opens"))?;
    click(
        session,
        &format!("#extra-room option[value=\"{}\"]", school.room_id),
        UI,
    )
    .await?;
    let length = session
        .find("#extra-minutes")
        .await
        .map_err(step("find the length"))?;
    for (typed, refused) in [("500", true), ("45", false)] {
        session
            .clear(&length)
            .await
            .map_err(step("clear the length"))?;
        session
            .send_keys(&length, typed)
            .await
            .map_err(step("type the length"))?;
        click(session, "#extra-class-start", UI).await?;
        if refused {
            wait_for_text_containing(session, "#extra-class-problem", "Length", UI).await?;
            let kept = session
                .execute_async(
                    "const done = arguments[arguments.length - 1];\
                     done(document.querySelector(arguments[0]).value);",
                    serde_json::json!(["#extra-minutes"]),
                )
                .await
                .map_err(step("read the length"))?;
            check(
                kept.as_str() == Some(typed),
                format!("the refused length stays as typed: {kept}"),
            )?;
            save_screenshot(session, env, "teacher-extra-class-refused.png").await?;
        }
    }
    session
        .wait_for("#end-class", UI)
        .await
        .map_err(step("the extra class opens"))?;
    save_screenshot(session, env, "teacher-extra-class.png").await?;
    let day = school
        .teacher
        .todays_sessions()
        .await
        .map_err(|e| format!("the teacher's day did not load: {e}"))?;
    let extra = day
        .iter()
        .map(|s| &s.session)
        .find(|s| s.slot_id.is_none() && s.room_id == school.room_id)
        .ok_or("no extra class in the chosen room on the server")?;
    check(
        extra.status == rollcall_core::api::SessionStatus::Running
            && extra.scheduled_end.unix() - extra.scheduled_start.unix() == 45 * 60,
        format!("the extra class runs for 45 minutes: {extra:?}"),
    )?;
    // A student of the extra class checks in with a vague location: doubtful.
    let members = school
        .admin
        .division_students(extra.division_id, &ListParams::per_page(100))
        .await
        .map_err(|e| format!("the extra class's students: {e}"))?;
    let student = members.items.last().ok_or("the division has students")?;
    let payload = qr_payload(session, UI).await?;
    let doubtful = school.claim(student, &payload, 250.0).await;
    check(
        doubtful.outcome == Outcome::Review,
        format!("a 250 m fix waits for review: {doubtful:?}"),
    )?;
    click(session, "#end-class", UI).await?;
    click(session, "#confirm-end", UI).await?;
    wait_for_text_containing(session, "#desk-notice", "Class ended", UI).await?;

    // The teacher decides it from the review queue of their own classes.
    click(session, "#back-to-today", UI).await?;
    click(session, "#open-review", UI).await?;
    let card = format!("li.review-card[data-claim=\"{}\"]", doubtful.claim_id);
    wait_for_text_containing(session, &card, &student.display_name, UI).await?;
    save_screenshots_at_sizes(session, env, "teacher-review", None).await?;
    let note = session
        .find(&format!("{card} .note"))
        .await
        .map_err(step("find the note"))?;
    session
        .send_keys(&note, "Sat in the front row")
        .await
        .map_err(step("type the note"))?;
    click(session, &format!("{card} .approve"), UI).await?;
    wait_for_text_containing(session, "#review-notice", "Approved", UI).await?;
    click(session, "#review-back", UI).await?;
    session
        .wait_for("#open-review", UI)
        .await
        .map_err(step("back on today's classes"))?;
    let roster = school
        .teacher
        .roster(extra.id)
        .await
        .map_err(|e| format!("the extra class's roster: {e}"))?;
    let line = roster
        .entries
        .iter()
        .find(|e| e.student_id == student.id)
        .ok_or("the student is on the roster")?;
    // Approved after the class ended: the automatic absence gives way.
    check(
        line.source == Some(rollcall_core::record::RecordSource::Review),
        format!("the approved check-in marks them: {line:?}"),
    )?;
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
