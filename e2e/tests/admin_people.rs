//! The admin manages people and devices in the real app under Xvfb, against a real
//! server: searches the people, adds a teacher (a bad username is named first) and
//! deactivates them, imports a CSV file (a file with bad lines is refused line by
//! line and writes nothing; the corrected file imports), approves a student's
//! second phone, and adds a kiosk whose credential is shown once.
//!
//! Needs what `desktop_login` needs; `cargo xtask test` provides it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rollcall_core::api::{DeviceRegistration, ListParams, Platform, UserFilter};
use rollcall_core::signing::DeviceKey;
use rollcall_e2e::env::JourneyEnv;
use rollcall_e2e::journey::{
    check, choose_file, click, finish, save_screenshot, save_screenshots_at_sizes, sign_in_until,
    step, text_of, type_into, wait_for_text_containing,
};
use rollcall_e2e::school::{signed_in, ADMIN, ADMIN_PASSWORD, STUDENT_PASSWORD};
use rollcall_e2e::tauri_driver::TauriDriver;
use rollcall_e2e::webdriver::Session;

const UI: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_manages_people_imports_a_csv_and_approves_a_second_phone() {
    let env = JourneyEnv::from_env().unwrap_or_else(|problem| panic!("{problem}"));
    let server = env.server.trim_end_matches('/').to_owned();
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() % 1_000_000);

    // student40 gets a second phone, which waits for an admin.
    let student = signed_in(&server, "student40", STUDENT_PASSWORD).await;
    for n in 0..2_u8 {
        // New keys on every run, so a rerun against the same server still has a phone waiting.
        let key = DeviceKey::from_seed(&[u8::try_from(stamp % 200).unwrap_or(0) + n; 32]);
        student
            .register_device(&DeviceRegistration {
                public_key: key.public(),
                label: format!("Phone {stamp}-{n}"),
                platform: Platform::Android,
            })
            .await
            .expect("the phone is registered");
    }
    let files = env.artifacts.join("import");
    std::fs::create_dir_all(&files).expect("a folder for the CSV files");
    let header = "username,email,display_name,role,student_no,password\n";
    let bad = files.join("people-bad.csv");
    std::fs::write(
        &bad,
        format!("{header}imp{stamp},,Imported Person,student,I{stamp},a-long-enough-passphrase\nstudent1,,Taken,student,,a-long-enough-passphrase\nx y,,Bad,wizard,,short\n"),
    )
    .expect("a CSV file");
    let good = files.join("people-good.csv");
    std::fs::write(
        &good,
        format!("{header}imp{stamp},,Imported Person,student,I{stamp},a-long-enough-passphrase\n"),
    )
    .expect("a CSV file");

    let driver = TauriDriver::start(&env.artifacts.join("tauri-driver-people.log"))
        .await
        .unwrap_or_else(|problem| panic!("{problem}"));
    let session = Session::start(&driver.url(), Session::tauri_capabilities(&env.app))
        .await
        .unwrap_or_else(|e| panic!("the app did not start under WebDriver: {e}"));
    let outcome = journey(&session, &env, stamp, &bad, &good).await;
    if outcome.is_err() {
        let _ = save_screenshot(&session, &env, "admin-people-failure.png").await;
    }
    finish(session, driver, outcome).await;

    let admin = signed_in(&server, ADMIN, ADMIN_PASSWORD).await;
    let search = ListParams {
        q: Some(format!("imp{stamp}")),
        ..ListParams::default()
    };
    let imported = admin
        .users(&search, &UserFilter::default())
        .await
        .expect("the accounts");
    assert_eq!(
        imported.total, 1,
        "the corrected file imported exactly one account"
    );
}

async fn journey(
    session: &Session,
    env: &JourneyEnv,
    stamp: u128,
    bad: &std::path::Path,
    good: &std::path::Path,
) -> Result<(), String> {
    sign_in_until(session, &env.server, ADMIN, ADMIN_PASSWORD, "#nav-people").await?;

    // Search and pages.
    click(session, "#nav-people", UI).await?;
    wait_for_text_containing(session, "#people-page", "Page 1 of", UI).await?;
    type_into(session, "#people-search", "student17").await?;
    click(session, "#people-find", UI).await?;
    wait_for_text_containing(session, "#people-page", "1 people", UI).await?;
    session
        .wait_for("tr[data-username=\"student17\"]", UI)
        .await
        .map_err(step("the search finds student17"))?;

    // A new teacher: a bad username is named, then they are added and deactivated.
    let username = format!("t{stamp}");
    type_into(session, "#person-username", "Not Valid!").await?;
    type_into(session, "#person-name", "Grace Hopper").await?;
    click(session, "#person-role option[value=\"teacher\"]", UI).await?;
    type_into(session, "#person-password", "a-long-enough-passphrase").await?;
    click(session, "#person-save", UI).await?;
    wait_for_text_containing(session, "#person-outcome", "username", UI).await?;
    type_into(session, "#person-username", &username).await?;
    click(session, "#person-save", UI).await?;
    wait_for_text_containing(session, "#person-outcome", "can now sign in", UI).await?;
    type_into(session, "#people-search", &username).await?;
    click(session, "#people-find", UI).await?;
    let row = format!("tr[data-username=\"{username}\"]");
    click(session, &format!("{row} .toggle-active"), UI).await?;
    wait_for_text_containing(session, "#people-notice", "is deactivated", UI).await?;
    wait_for_text_containing(session, &row, "Deactivated", UI).await?;
    save_screenshot(session, env, "admin-people.png").await?;

    // CSV import: a preview first; bad lines are named and nothing is written.
    choose_file(session, "#import-file", bad).await?;
    wait_for_text_containing(session, "#import-summary", "3 row(s)", UI).await?;
    let preview = text_of(session, "#import-preview").await?;
    check(
        !preview.contains("a-long-enough-passphrase"),
        "the preview hides passwords".to_owned(),
    )?;
    click(session, "#import-go", UI).await?;
    let refused = wait_for_text_containing(session, "#import-errors", "Line 3", UI).await?;
    check(
        refused.contains("Line 4"),
        format!("every bad line is named: {refused:?}"),
    )?;
    save_screenshot(session, env, "admin-import-refused.png").await?;
    choose_file(session, "#import-file", good).await?;
    wait_for_text_containing(session, "#import-summary", "1 row(s)", UI).await?;
    click(session, "#import-go", UI).await?;
    wait_for_text_containing(session, "#import-outcome", "Imported 1", UI).await?;

    // Devices: the second phone waits; approving it is confirmed.
    click(session, "#nav-devices", UI).await?;
    session
        .wait_for("tr[data-status=\"pending\"]", UI)
        .await
        .map_err(step("a pending phone is listed"))?;
    let label = format!("Phone {stamp}-1");
    let text = text_of(session, "tr[data-status=\"pending\"]").await?;
    check(
        text.contains(&label),
        format!("the pending phone reads {text:?}"),
    )?;
    click(session, "tr[data-status=\"pending\"] .approve-device", UI).await?;
    wait_for_text_containing(session, "#devices-notice", "is approved", UI).await?;

    // A kiosk for a room; its credential is shown once.
    type_into(session, "#kiosk-name", &format!("Door {stamp}")).await?;
    click(session, "#kiosk-save", UI).await?;
    wait_for_text_containing(session, "#kiosk-secret", "shown only once", UI).await?;
    let row = format!("tr[data-kiosk=\"Door {stamp}\"]");
    session
        .wait_for(&row, UI)
        .await
        .map_err(step("the kiosk is listed"))?;
    wait_for_text_containing(session, &row, "Never seen", UI).await?;
    let first = text_of(session, "#kiosk-secret code").await?;
    let (login, first_secret) = first
        .split_once(" / ")
        .map(|(l, s)| (l.trim().to_owned(), s.trim().to_owned()))
        .ok_or_else(|| format!("the credential reads {first:?}"))?;
    save_screenshot(session, env, "admin-devices.png").await?;

    // A new credential: shown once; the first no longer signs in.
    click(session, &format!("{row} .kiosk-rotate"), UI).await?;
    wait_for_text_containing(session, "#devices-notice", "has a new credential", UI).await?;
    let second = text_of(session, "#kiosk-secret code").await?;
    let second_secret = second
        .split_once(" / ")
        .map(|(_, s)| s.trim().to_owned())
        .ok_or_else(|| format!("the new credential reads {second:?}"))?;
    check(
        second_secret != first_secret,
        "a different secret".to_owned(),
    )?;
    let old = rollcall_client::Client::new()
        .login(&env.server, &login, &first_secret)
        .await;
    check(
        old.is_err(),
        "the first secret no longer signs in".to_owned(),
    )?;
    rollcall_client::Client::new()
        .login(&env.server, &login, &second_secret)
        .await
        .map_err(|e| format!("the new secret does not sign in: {e}"))?;

    // Settings out of range are named at their field, and nothing is saved.
    click(session, &format!("{row} .kiosk-edit"), UI).await?;
    type_into(session, "#kiosk-frames", "0").await?;
    click(session, "#kiosk-settings-save", UI).await?;
    wait_for_text_containing(session, "#kiosk-agreement_frames-error", "from 1 to 10", UI).await?;
    let kept = session
        .find("#kiosk-frames")
        .await
        .map_err(step("find the frames field"))?;
    let kept = session
        .property(&kept, "value")
        .await
        .map_err(step("read the frames field"))?;
    check(
        kept == serde_json::json!("0"),
        format!("the refused value stays as typed: {kept}"),
    )?;
    wait_for_text_containing(session, &row, "3 agreeing frames", UI).await?;

    // Disabled: listed so, and the credential no longer signs in.
    click(session, &format!("{row} .kiosk-switch"), UI).await?;
    wait_for_text_containing(session, "#devices-notice", "is disabled", UI).await?;
    wait_for_text_containing(session, &row, "Disabled", UI).await?;
    let disabled = rollcall_client::Client::new()
        .login(&env.server, &login, &second_secret)
        .await;
    check(
        disabled.is_err(),
        "a disabled kiosk cannot sign in".to_owned(),
    )?;
    save_screenshots_at_sizes(session, env, "admin-kiosks", Some("#kiosks-table")).await?;
    Ok(())
}
