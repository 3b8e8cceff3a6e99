//! A student checks in from the desktop app under Xvfb, against a real server:
//! the student signs in before the teacher starts teacher1's class, and the class
//! opens on their screen by itself within 2 s (the server's per-user events); the
//! room's rule is the code alone (a desktop has no GPS); a wrong code is refused
//! with the reason; the six digits on the teacher's screen check the student in,
//! the class shows them present and nothing waits in the outbox.
//!
//! Needs what `desktop_login` needs, plus `ROLLCALL_APP_DATA_DIR`; `cargo xtask
//! test` provides them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use std::time::Duration;

use rollcall_core::api::{StartSession, TeacherSession};
use rollcall_core::ids::SessionId;
use rollcall_core::otp::SessionOtp;
use rollcall_core::qr::{QrPeriod, RotatingQr, SessionSecret};
use rollcall_e2e::env::JourneyEnv;
use rollcall_e2e::journey::{
    attribute, check, choose_file, click, fill_login_form, finish, save_screenshot,
    save_screenshots_at_sizes, step, text_of, wait_for_text_containing, SIGN_IN,
};
use rollcall_e2e::school::{now, signed_in, School, STUDENT_PASSWORD};
use rollcall_e2e::tauri_driver::TauriDriver;
use rollcall_e2e::webdriver::Session;

const APP_START: Duration = Duration::from_secs(60);
const UI: Duration = Duration::from_secs(20);
/// How soon a class the teacher starts opens on a signed-in student's screen.
const OPENS_WITHIN: Duration = Duration::from_secs(2);

#[tokio::test(flavor = "multi_thread")]
async fn a_student_types_the_code_on_the_teachers_screen_and_is_checked_in() {
    let env = JourneyEnv::from_env().unwrap_or_else(|problem| panic!("{problem}"));
    assert!(
        std::env::var_os("ROLLCALL_APP_DATA_DIR").is_some(),
        "ROLLCALL_APP_DATA_DIR is set (the device key and outbox of the app under test)"
    );
    let school = School::prepare_with(&env.server, "token").await;
    let student = school.student_without_phone(5).await;

    let driver = TauriDriver::start(&env.artifacts.join("tauri-driver-student.log"))
        .await
        .unwrap_or_else(|problem| panic!("{problem}"));
    let session = Session::start(&driver.url(), Session::tauri_capabilities(&env.app))
        .await
        .unwrap_or_else(|e| panic!("the app did not start under WebDriver: {e}"));
    let outcome = journey(&session, &env, &student.username, &school).await;
    if outcome.is_err() {
        let _ = save_screenshot(&session, &env, "student-failure.png").await;
    }
    finish(session, driver, outcome).await;
}

async fn type_code(session: &Session, code: &str) -> Result<(), String> {
    let field = session
        .wait_for("#checkin-code", UI)
        .await
        .map_err(step("find the code field"))?;
    session
        .clear(&field)
        .await
        .map_err(step("clear the code"))?;
    session
        .send_keys(&field, code)
        .await
        .map_err(step("type the code"))?;
    click(session, "#checkin-go", UI).await
}

async fn journey(
    session: &Session,
    env: &JourneyEnv,
    username: &str,
    school: &School,
) -> Result<(), String> {
    session
        .wait_for("#server-url", APP_START)
        .await
        .map_err(step("the login screen appears"))?;
    // The teacher's day is planned (the slot's class exists, not started) before
    // the student signs in; the class starts after.
    let planned = school
        .teacher
        .todays_sessions()
        .await
        .map_err(|e| format!("the teacher's day did not load: {e}"))?
        .into_iter()
        .find(|s| s.session.slot_id == Some(school.slot))
        .ok_or("the slot's class is not planned today")?
        .session
        .id;
    fill_login_form(session, &env.server, username, STUDENT_PASSWORD).await?;
    click(session, "#sign-in", UI).await?;
    // The slot's class is listed, not started, with nothing to pick.
    let card = format!("li.class-card[data-session=\"{planned}\"]");
    wait_for_text_containing(session, &card, "not started", SIGN_IN).await?;
    check(
        session.find(&format!("{card} .pick-class")).await.is_err(),
        "the class cannot be picked before it starts".to_owned(),
    )?;
    save_screenshot(session, env, "student-before-the-class.png").await?;

    let started: TeacherSession = school
        .teacher
        .start_session(&StartSession::Slot {
            slot_id: school.slot,
        })
        .await
        .map_err(|e| format!("the class did not start: {e}"))?;
    let opened = std::time::Instant::now();
    let class = started.session.id;
    check(
        class == planned,
        "the started class is the planned one".to_owned(),
    )?;
    session
        .wait_for(&format!("{card} .pick-class"), OPENS_WITHIN)
        .await
        .map_err(step("the class opens by itself within 2 s"))?;
    check(
        opened.elapsed() <= OPENS_WITHIN,
        format!("the class opened after {:?}", opened.elapsed()),
    )?;
    save_screenshot(session, env, "student-class-opened.png").await?;
    let secret = SessionSecret::from_text(started.secret.as_deref().ok_or("no secret")?)
        .map_err(|e| e.to_string())?;
    let otp = SessionOtp::new(&secret);
    let qr = RotatingQr::new(
        SessionId::from(class),
        &secret,
        QrPeriod::new(started.session.qr_period_s).map_err(|e| e.to_string())?,
    );
    if let Ok(pick) = session
        .find(&format!("{card} .pick-class[aria-pressed=\"false\"]"))
        .await
    {
        session
            .click(&pick)
            .await
            .map_err(step("choose the class"))?;
    }
    wait_for_text_containing(session, "#sync-state", "Everything is sent", UI).await?;

    // A wrong code is refused, with the reason in words.
    let (right, _) = otp.code_at(now());
    let wrong = if right.as_str() == "000000" {
        "111111"
    } else {
        "000000"
    };
    type_code(session, wrong).await?;
    wait_for_text_containing(session, "#checkin-verdict", "refused", UI).await?;
    save_screenshot(session, env, "student-wrong-code.png").await?;

    // The code on the teacher's screen checks the student in.
    let (right, _) = otp.code_at(now());
    type_code(session, right.as_str()).await?;
    wait_for_text_containing(session, "#checkin-verdict", "You are checked in", UI).await?;
    wait_for_text_containing(session, &card, "Present", UI).await?;
    wait_for_text_containing(session, "#sync-state", "Everything is sent", UI).await?;
    save_screenshot(session, env, "student-checked-in.png").await?;

    // A photo of the teacher's QR code goes through the desktop's QR reader.
    let (payload, _) = qr.payload_at(now()).ok_or("a clock after 1970")?;
    let photo = env.artifacts.join("student-qr-photo.png");
    photograph(&payload.to_string(), &photo)?;
    // The verdict now on screen is the typed code's; the photo's replaces it.
    let before = attribute(session, "#checkin-verdict", "data-claim").await?;
    choose_file(session, "#checkin-photo", &photo).await?;
    let deadline = std::time::Instant::now() + UI;
    loop {
        let now_claim = attribute(session, "#checkin-verdict", "data-claim").await?;
        if now_claim.is_some() && now_claim != before {
            break;
        }
        if std::time::Instant::now() > deadline {
            let shown = text_of(session, "#checkin-verdict")
                .await
                .unwrap_or_default();
            return Err(format!(
                "no verdict for the photo's check-in; the screen says {shown:?}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let verdict = wait_for_text_containing(session, "#checkin-verdict", "checked in", UI).await?;
    check(
        verdict.contains("Code") && verdict.contains("passed"),
        format!("the verdict reads {verdict:?}"),
    )?;
    save_screenshot(session, env, "student-checked-in-by-photo.png").await?;

    // The live webcam reader: this machine has no camera, so the panel says so
    // in words and the typed code and the photo stay.
    click(session, "#checkin-webcam #webcam-start", UI).await?;
    let said = wait_for_text_containing(session, "#checkin-webcam", "camera", UI).await?;
    check(
        said.contains("No camera") || said.contains("could not be opened"),
        format!("the webcam panel says {said:?}"),
    )?;
    check(
        !text_of(session, "#checkin-go").await?.is_empty(),
        "the typed code's button is still there".to_owned(),
    )?;
    save_screenshot(session, env, "student-no-webcam.png").await?;

    // Their week lists the slot, on its day.
    session
        .wait_for(
            &format!("#my-week .week-slot[data-slot=\"{}\"]", school.slot),
            UI,
        )
        .await
        .map_err(step("the week lists the slot"))?;

    // The class ends: the history shows it, present, with how it was marked.
    school
        .teacher
        .end_session(class)
        .await
        .map_err(|e| format!("the class did not end: {e}"))?;
    let entry = format!("#my-history li.history-entry[data-session=\"{class}\"]");
    let line = wait_for_text_containing(session, &entry, "Checked in from your phone", UI).await?;
    check(
        line.contains("Present"),
        format!("the history reads {line:?}"),
    )?;

    // Classes the student misses (extra classes ended at once) bring them below
    // the school's line, and the screen warns them.
    let me = signed_in(&env.server, username, STUDENT_PASSWORD).await;
    let mut missed = None;
    for _ in 0..8 {
        let mine = me
            .my_attendance()
            .await
            .map_err(|e| format!("the student's record did not load: {e}"))?;
        if mine.overall.at_risk(mine.at_risk_below) {
            break;
        }
        let extra = school
            .teacher
            .start_session(&StartSession::AdHoc {
                room_id: school.room_id,
                division_id: started.session.division_id,
                subject_id: None,
                minutes: 5,
            })
            .await
            .map_err(|e| format!("an extra class did not start: {e}"))?;
        school
            .teacher
            .end_session(extra.session.id)
            .await
            .map_err(|e| format!("the extra class did not end: {e}"))?;
        missed = Some(extra.session.id);
    }
    let warning =
        wait_for_text_containing(session, "#at-risk-warning", "below the school's", UI).await?;
    check(
        warning.contains('%'),
        format!("the warning reads {warning:?}"),
    )?;
    if let Some(missed) = missed {
        wait_for_text_containing(
            session,
            &format!("#my-history li.history-entry[data-session=\"{missed}\"]"),
            "Marked absent when the class ended",
            UI,
        )
        .await?;
    }
    save_screenshots_at_sizes(session, env, "student-week", Some("#my-week")).await?;
    save_screenshots_at_sizes(session, env, "student-record", Some("#my-record")).await?;

    // "Download my data" saves the server's export of their own data.
    click(session, "#download-my-data", UI).await?;
    let saved = wait_for_text_containing(session, "#my-data-saved", "Saved to ", UI).await?;
    let path = saved
        .trim()
        .strip_prefix("Saved to ")
        .ok_or_else(|| format!("the saved line reads {saved:?}"))?;
    let document: serde_json::Value = serde_json::from_slice(
        &std::fs::read(path).map_err(|e| format!("{path} cannot be read: {e}"))?,
    )
    .map_err(|e| format!("{path} is not JSON: {e}"))?;
    check(
        document["account"]["username"] == username
            && document["attendance"]
                .as_array()
                .is_some_and(|a| !a.is_empty()),
        format!("the saved data is {document}"),
    )?;
    Ok(())
}

/// The QR code of `text` as a picture, 8 pixels a module, grey on white, with
/// its quiet zone.
fn photograph(text: &str, path: &std::path::Path) -> Result<(), String> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M)
        .map_err(|e| e.to_string())?;
    let width = code.width();
    let colors = code.to_colors();
    let side = u32::try_from((width + 8) * 8).map_err(|e| e.to_string())?;
    let picture = image::GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = ((x / 8) as usize, (y / 8) as usize);
        let dark = mx >= 4
            && my >= 4
            && mx < width + 4
            && my < width + 4
            && colors[(my - 4) * width + (mx - 4)] == qrcode::Color::Dark;
        image::Luma([if dark { 40 } else { 235 }])
    });
    picture.save(path).map_err(|e| e.to_string())
}
