//! A student checks in from the desktop app under Xvfb, against a real server:
//! teacher1's class runs in a room whose rule is the code alone (a desktop has no
//! GPS); a wrong code is refused with the reason; the six digits on the teacher's
//! screen check the student in, the class shows them present and nothing waits
//! in the outbox.
//!
//! Needs what `desktop_login` needs, plus `ROLLCALL_APP_DATA_DIR`; `cargo xtask
//! test` provides them.

use std::time::Duration;

use rollcall_core::api::TeacherSession;
use rollcall_core::otp::SessionOtp;
use rollcall_core::qr::SessionSecret;
use rollcall_e2e::env::JourneyEnv;
use rollcall_e2e::journey::{
    click, fill_login_form, save_screenshot, step, wait_for_text_containing, SIGN_IN,
};
use rollcall_e2e::school::{now, post, School, STUDENT_PASSWORD};
use rollcall_e2e::tauri_driver::TauriDriver;
use rollcall_e2e::webdriver::Session;
use serde_json::json;

const APP_START: Duration = Duration::from_secs(60);
const UI: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread")]
async fn a_student_types_the_code_on_the_teachers_screen_and_is_checked_in() {
    let env = JourneyEnv::from_env().unwrap_or_else(|problem| panic!("{problem}"));
    assert!(
        std::env::var_os("ROLLCALL_APP_DATA_DIR").is_some(),
        "ROLLCALL_APP_DATA_DIR is set (the device key and outbox of the app under test)"
    );
    let school = School::prepare_with(&env.server, "token").await;
    let started: TeacherSession = post(
        &school.http,
        &format!("{}/api/v1/sessions", school.server),
        &school.teacher_token,
        &json!({"kind": "slot", "slot_id": school.slot}),
    )
    .await;
    let secret = {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(started.secret.expect("the teacher gets the secret"))
            .expect("base64url");
        SessionSecret::from_bytes(&bytes).expect("a secret")
    };
    let student = school.student_without_phone(5).await;

    let driver = TauriDriver::start(&env.artifacts.join("tauri-driver-student.log"))
        .await
        .unwrap_or_else(|problem| panic!("{problem}"));
    let session = Session::start(&driver.url(), Session::tauri_capabilities(&env.app))
        .await
        .unwrap_or_else(|e| panic!("the app did not start under WebDriver: {e}"));
    let otp = SessionOtp::new(&secret);
    let outcome = journey(&session, &env, &student.username, started.session.id, &otp).await;
    if outcome.is_err() {
        let _ = save_screenshot(&session, &env, "student-failure.png").await;
    }
    let ended = session.end().await;
    drop(driver);
    if let Err(problem) = outcome {
        panic!("{problem}");
    }
    ended.expect("the WebDriver session ends cleanly");
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
    class: uuid::Uuid,
    otp: &SessionOtp,
) -> Result<(), String> {
    session
        .wait_for("#server-url", APP_START)
        .await
        .map_err(step("the login screen appears"))?;
    fill_login_form(session, &env.server, username, STUDENT_PASSWORD).await?;
    click(session, "#sign-in", UI).await?;
    let card = format!("li.class-card[data-session=\"{class}\"]");
    session
        .wait_for(&card, SIGN_IN)
        .await
        .map_err(step("the running class is listed"))?;
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
    Ok(())
}
