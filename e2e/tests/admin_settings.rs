//! The admin keeps the subjects and the school-wide settings in the real app under
//! Xvfb, against a real server: a subject is added, renamed and deleted; a late
//! threshold out of range is refused at its field before anything is sent; a good one
//! is saved, read back after leaving the screen, and new classes then get it.
//!
//! Needs what `desktop_login` needs; `cargo xtask test` provides it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rollcall_core::api::SchoolSettings;
use rollcall_e2e::env::JourneyEnv;
use rollcall_e2e::journey::{
    attribute, check, click, save_screenshot, save_screenshots_at_sizes, sign_in_until, step,
    type_into, wait_for_text_containing,
};
use rollcall_e2e::school::{signed_in, ADMIN, ADMIN_PASSWORD};
use rollcall_e2e::tauri_driver::TauriDriver;
use rollcall_e2e::webdriver::Session;

const UI: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_keeps_the_subjects_and_the_school_settings() {
    let env = JourneyEnv::from_env().unwrap_or_else(|problem| panic!("{problem}"));
    let server = env.server.trim_end_matches('/').to_owned();
    let admin = signed_in(&server, ADMIN, ADMIN_PASSWORD).await;
    let before: SchoolSettings = admin.school_settings().await.expect("the settings");
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() % 1_000_000);

    let driver = TauriDriver::start(&env.artifacts.join("tauri-driver-settings.log"))
        .await
        .unwrap_or_else(|problem| panic!("{problem}"));
    let session = Session::start(&driver.url(), Session::tauri_capabilities(&env.app))
        .await
        .unwrap_or_else(|e| panic!("the app did not start under WebDriver: {e}"));
    let wanted_late = if before.late_after_min == 12 { 13 } else { 12 };
    let outcome = journey(&session, &env, stamp, wanted_late).await;
    if outcome.is_err() {
        let _ = save_screenshot(&session, &env, "admin-settings-failure.png").await;
    }
    let ended = session.end().await;
    drop(driver);
    let after: SchoolSettings = admin.school_settings().await.expect("the settings");
    // Leave the school as it was for the other journeys.
    let restored = admin.save_school_settings(&before).await;
    if let Err(problem) = outcome {
        panic!("{problem}");
    }
    ended.expect("the WebDriver session ends cleanly");
    assert_eq!(
        after.late_after_min, wanted_late,
        "the server holds what was saved"
    );
    assert_eq!(
        (after.late_sync, after.late_sync_max_hours),
        (rollcall_core::evaluate::LateSync::Reject, 12),
        "the late-sync rule chosen on the screen is the school's"
    );
    restored.expect("the settings are restored");
}

async fn journey(
    session: &Session,
    env: &JourneyEnv,
    stamp: u128,
    wanted_late: u16,
) -> Result<(), String> {
    sign_in_until(session, &env.server, ADMIN, ADMIN_PASSWORD, "#nav-subjects").await?;

    // Subjects: add, rename, delete.
    click(session, "#nav-subjects", UI).await?;
    let code = format!("E2E{}", stamp % 100_000);
    type_into(session, "#subject-code", &code).await?;
    type_into(session, "#subject-name", "Field Studies").await?;
    click(session, "#subject-add", UI).await?;
    wait_for_text_containing(session, "#subjects-outcome", "was added", UI).await?;
    let row = format!("#subjects-table tr[data-code=\"{code}\"]");
    wait_for_text_containing(session, &row, "Field Studies", UI).await?;
    click(session, &format!("{row} .subject-edit"), UI).await?;
    type_into(
        session,
        &format!("{row} .subject-edit-name"),
        "Field Studies II",
    )
    .await?;
    click(session, &format!("{row} .subject-save"), UI).await?;
    wait_for_text_containing(session, "#subjects-outcome", "Saved Field Studies II", UI).await?;
    wait_for_text_containing(session, &row, "Field Studies II", UI).await?;
    save_screenshot(session, env, "admin-subjects.png").await?;
    click(session, &format!("{row} .subject-delete"), UI).await?;
    wait_for_text_containing(
        session,
        &format!("{row} .subject-delete"),
        "Yes, delete",
        UI,
    )
    .await?;
    click(session, &format!("{row} .subject-delete"), UI).await?;
    wait_for_text_containing(session, "#subjects-outcome", "was deleted", UI).await?;

    // Settings: a value out of range is named at its field; a good one is kept.
    click(session, "#nav-settings", UI).await?;
    session
        .wait_for("#settings-form:not(.hidden)", UI)
        .await
        .map_err(step("the settings load"))?;
    type_into(session, "#settings-late-after", "500").await?;
    type_into(session, "#settings-late-sync-hours", "80").await?;
    click(session, "#settings-save", UI).await?;
    wait_for_text_containing(session, "#settings-form", "0 to 240 minutes", UI).await?;
    wait_for_text_containing(session, "#settings-form", "1 to 72 hours", UI).await?;
    let invalid = attribute(session, "#settings-late-after", "aria-invalid").await?;
    if invalid.as_deref() != Some("true") {
        return Err(format!("the late field is not marked invalid: {invalid:?}"));
    }
    type_into(session, "#settings-late-after", &wanted_late.to_string()).await?;
    // Check-ins synced late with an expired code: refused, within 12 hours.
    click(session, "#settings-late-sync option[value='reject']", UI).await?;
    type_into(session, "#settings-late-sync-hours", "12").await?;
    click(session, "#settings-save", UI).await?;
    wait_for_text_containing(session, "#settings-outcome", "Saved", UI).await?;
    save_screenshot(session, env, "admin-settings.png").await?;
    click(session, "#nav-dashboard", UI).await?;
    click(session, "#nav-settings", UI).await?;
    session
        .wait_for("#settings-form:not(.hidden)", UI)
        .await
        .map_err(step("the settings load again"))?;
    let deadline = std::time::Instant::now() + UI;
    loop {
        let shown = session
            .find("#settings-late-after")
            .await
            .map_err(step("find the late field"))?;
        let value = session
            .property(&shown, "value")
            .await
            .map_err(step("read the late field"))?;
        if value.as_str() == Some(wanted_late.to_string().as_str()) {
            break;
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("the late field reads {value} after reloading"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The audit log has the change, with the field before and after.
    click(session, "#nav-audit", UI).await?;
    session
        .wait_for("#audit-list", UI)
        .await
        .map_err(step("the audit log loads"))?;
    click(session, "#audit-what option[value='settings']", UI).await?;
    click(session, "#audit-apply", UI).await?;
    let newest = "#audit-list li.audit-entry:first-child";
    wait_for_text_containing(session, newest, "settings.update", UI).await?;
    let row = format!("{newest} tr[data-field=\"late_sync_max_hours\"]");
    let line = wait_for_text_containing(session, &row, "12", UI).await?;
    check(
        !line.trim().ends_with("—"),
        format!("the change reads {line:?}"),
    )?;
    wait_for_text_containing(session, newest, "School Administrator", UI).await?;
    save_screenshots_at_sizes(session, env, "admin-audit", None).await?;
    Ok(())
}
