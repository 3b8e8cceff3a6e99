//! The admin's management view in the real app under Xvfb, against a real server: a
//! class is held today in which one student's check-in was doubtful (a vague GPS
//! fix); the admin signs in, sees the day on the dashboard (charts drawn by the
//! app), reviews and approves the doubtful check-in with a note, and exports the
//! attendance report.
//!
//! Needs what `desktop_login` needs, plus `ROLLCALL_EXPORT_DIR`; `cargo xtask test`
//! provides them all.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use std::path::PathBuf;
use std::time::Duration;

use rollcall_core::verdict::Outcome;
use rollcall_e2e::env::JourneyEnv;
use rollcall_e2e::journey::{
    check, click, fill_login_form, finish, save_screenshot, save_screenshots_at_sizes, step,
    text_of, wait_for_text_containing, SIGN_IN,
};
use rollcall_e2e::school::{School, ADMIN, ADMIN_PASSWORD};
use rollcall_e2e::tauri_driver::TauriDriver;
use rollcall_e2e::webdriver::Session;
use uuid::Uuid;

const APP_START: Duration = Duration::from_secs(60);
const UI: Duration = Duration::from_secs(20);

/// A class held today with one doubtful check-in: the claim to review and the
/// student's name.
async fn a_class_with_a_doubtful_check_in(school: &School) -> (Uuid, String) {
    let (_, result) = school.hold_class(3, 250.0).await;
    assert_eq!(result.outcome, Outcome::Review, "{:?}", result.reasons);
    (result.claim_id, school.students[3].display_name.clone())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_reviews_a_doubtful_check_in_and_exports_the_report_in_the_desktop_app() {
    let env = JourneyEnv::from_env().unwrap_or_else(|problem| panic!("{problem}"));
    let exports =
        PathBuf::from(std::env::var("ROLLCALL_EXPORT_DIR").expect("ROLLCALL_EXPORT_DIR is set"));
    let school = School::prepare(&env.server).await;
    let (claim, name) = a_class_with_a_doubtful_check_in(&school).await;

    let driver = TauriDriver::start(&env.artifacts.join("tauri-driver-admin.log"))
        .await
        .unwrap_or_else(|problem| panic!("{problem}"));
    let session = Session::start(&driver.url(), Session::tauri_capabilities(&env.app))
        .await
        .unwrap_or_else(|e| panic!("the app did not start under WebDriver: {e}"));
    let outcome = journey(&session, &env, claim, &name, &exports).await;
    if outcome.is_err() {
        let _ = save_screenshot(&session, &env, "admin-failure.png").await;
    }
    finish(session, driver, outcome).await;
}

async fn journey(
    session: &Session,
    env: &JourneyEnv,
    claim: Uuid,
    name: &str,
    exports: &std::path::Path,
) -> Result<(), String> {
    session
        .wait_for("#server-url", APP_START)
        .await
        .map_err(step("the login screen appears"))?;
    fill_login_form(session, &env.server, ADMIN, ADMIN_PASSWORD).await?;
    click(session, "#sign-in", UI).await?;

    // The dashboard: the day, the chart and the divisions, and the review backlog.
    session
        .wait_for("#attendance-chart", SIGN_IN)
        .await
        .map_err(step("the dashboard draws the attendance chart"))?;
    session
        .wait_for("#division-bars li", UI)
        .await
        .map_err(step("the dashboard shows the divisions"))?;
    let waiting = text_of(session, "#stat-review").await?;
    check(
        waiting.trim().parse::<u32>().is_ok_and(|n| n >= 1),
        format!("the dashboard says {waiting:?} wait for review"),
    )?;
    save_screenshot(session, env, "admin-dashboard.png").await?;
    save_screenshots_at_sizes(session, env, "admin-dashboard", None).await?;

    // The review queue: the doubtful check-in in words; a note is required.
    click(session, "#nav-review", UI).await?;
    let card = format!("li.review-card[data-claim=\"{claim}\"]");
    let text = wait_for_text_containing(session, &card, "250", UI).await?;
    check(text.contains(name), format!("the card reads {text:?}"))?;
    save_screenshot(session, env, "admin-review.png").await?;
    click(session, &format!("{card} .approve"), UI).await?;
    wait_for_text_containing(session, &format!("{card} .field-error"), "note", UI).await?;
    let note = session
        .find(&format!("{card} .note"))
        .await
        .map_err(step("find the note"))?;
    session
        .send_keys(&note, "The teacher saw them in class")
        .await
        .map_err(step("type the note"))?;
    click(session, &format!("{card} .approve"), UI).await?;
    let notice = wait_for_text_containing(session, "#review-notice", "Approved", UI).await?;
    check(
        notice.contains(name) && notice.contains("present"),
        format!("the notice reads {notice:?}"),
    )?;
    check(
        session.find(&card).await.is_err(),
        "the decided check-in left the queue".to_owned(),
    )?;

    // Reports: the table, and the CSV saved where exports go.
    click(session, "#nav-reports", UI).await?;
    session
        .wait_for("#report-table", UI)
        .await
        .map_err(step("the report table appears"))?;
    save_screenshot(session, env, "admin-reports.png").await?;
    click(session, "#report-csv", UI).await?;
    let saved = wait_for_text_containing(session, "#report-notice", "Saved to ", UI).await?;
    let path = PathBuf::from(saved.trim().trim_start_matches("Saved to ").trim());
    check(
        path.starts_with(exports) && path.extension().is_some_and(|e| e == "csv"),
        format!("the report was saved as {}", path.display()),
    )?;
    let csv = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    check(
        csv.starts_with("Student,Roll number,Held,Present") && csv.contains(name),
        format!("the CSV lists {name}: {csv}"),
    )?;
    Ok(())
}
