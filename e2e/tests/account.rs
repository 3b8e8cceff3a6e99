//! A person's own account from the desktop app against a real server: the
//! password change shows core's rule as it is typed and names a wrong current
//! password; the old password then fails and the new one works. Signed out,
//! "Forgot password?" has the server mail a code to a real SMTP server on
//! loopback (aiosmtpd, which `cargo xtask test` starts); a wrong code is
//! refused by name, the mailed one sets a new password, and it signs in.
//!
//! Needs what `desktop_login` needs, plus `ROLLCALL_E2E_MAILDIR`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rollcall_core::api::{NewUser, Role};
use rollcall_e2e::env::JourneyEnv;
use rollcall_e2e::journey::{
    check, click, fill_login_form, finish, save_screenshot, save_screenshots_at_sizes, step,
    type_into, wait_for_text_containing, APP_START, SIGN_IN,
};
use rollcall_e2e::mailbox;
use rollcall_e2e::school::{signed_in, ADMIN, ADMIN_PASSWORD};
use rollcall_e2e::tauri_driver::TauriDriver;
use rollcall_e2e::webdriver::Session;

const UI: Duration = Duration::from_secs(20);
const FIRST: &str = "first-Pass-word-7";
const SECOND: &str = "second-Pass-word-8";
const THIRD: &str = "third-Pass-word-9";

#[tokio::test(flavor = "multi_thread")]
async fn a_teacher_changes_their_password_then_resets_a_forgotten_one_with_the_mailed_code() {
    let env = JourneyEnv::from_env().unwrap_or_else(|problem| panic!("{problem}"));
    let maildir = mailbox::maildir().unwrap_or_else(|problem| panic!("{problem}"));
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() % 1_000_000);
    let username = format!("acct-{stamp}");
    let email = format!("{username}@school.example");
    let admin = signed_in(&env.server, ADMIN, ADMIN_PASSWORD).await;
    admin
        .create_user(&NewUser {
            username: username.clone(),
            email: Some(email.clone()),
            display_name: format!("Account Journey {stamp}"),
            role: Role::Teacher,
            student_no: None,
            password: FIRST.to_owned(),
        })
        .await
        .expect("the admin adds the teacher");

    let driver = TauriDriver::start(&env.artifacts.join("tauri-driver-account.log"))
        .await
        .unwrap_or_else(|problem| panic!("{problem}"));
    let session = Session::start(&driver.url(), Session::tauri_capabilities(&env.app))
        .await
        .unwrap_or_else(|e| panic!("the app did not start under WebDriver: {e}"));
    let outcome = async {
        change_password(&session, &env, &username).await?;
        reset_forgotten(&session, &env, &username, &email, &maildir).await
    }
    .await;
    if outcome.is_err() {
        let _ = save_screenshot(&session, &env, "account-failure.png").await;
    }
    finish(session, driver, outcome).await;
}

async fn sign_in(
    session: &Session,
    env: &JourneyEnv,
    username: &str,
    password: &str,
) -> Result<(), String> {
    fill_login_form(session, &env.server, username, password).await?;
    click(session, "#sign-in", UI).await?;
    session
        .wait_for("#signed-in-user", SIGN_IN)
        .await
        .map(drop)
        .map_err(step("the signed-in screen appears"))
}

async fn change_password(
    session: &Session,
    env: &JourneyEnv,
    username: &str,
) -> Result<(), String> {
    session
        .wait_for("#server-url", APP_START)
        .await
        .map_err(step("the login screen appears"))?;
    sign_in(session, env, username, FIRST).await?;
    click(session, "#account", UI).await?;

    // The rule is told as the new password is typed.
    type_into(session, "#new-password", "short").await?;
    wait_for_text_containing(session, "#new-password-rule", "at least 10 characters", UI).await?;
    type_into(session, "#new-password", &format!("x-{username}-x")).await?;
    wait_for_text_containing(
        session,
        "#new-password-rule",
        "must not contain the username",
        UI,
    )
    .await?;
    type_into(session, "#new-password", SECOND).await?;
    type_into(session, "#confirm-password", "something-else-1").await?;
    wait_for_text_containing(session, "#new-password-rule", "differ", UI).await?;
    type_into(session, "#confirm-password", SECOND).await?;
    wait_for_text_containing(session, "#new-password-rule", "can be used", UI).await?;

    // A wrong current password is named, and nothing changes.
    type_into(session, "#current-password", "not-my-password-1").await?;
    click(session, "#change-password", UI).await?;
    wait_for_text_containing(
        session,
        "#current-password-error",
        "not your current password",
        UI,
    )
    .await?;
    let unchanged = rollcall_client::Client::new()
        .login(&env.server, username, FIRST)
        .await;
    check(
        unchanged.is_ok(),
        format!("after a refused change the first password still works: {unchanged:?}"),
    )?;

    type_into(session, "#current-password", FIRST).await?;
    click(session, "#change-password", UI).await?;
    wait_for_text_containing(session, "#account-outcome", "Your password is changed", UI).await?;
    save_screenshots_at_sizes(
        session,
        env,
        "account-password-changed",
        Some("#account-panel"),
    )
    .await?;
    let old = rollcall_client::Client::new()
        .login(&env.server, username, FIRST)
        .await;
    check(
        old.is_err(),
        "the old password no longer signs in".to_owned(),
    )?;
    rollcall_client::Client::new()
        .login(&env.server, username, SECOND)
        .await
        .map_err(|e| format!("the new password does not sign in: {e}"))?;
    // This sign-in stays: the screens still load.
    session
        .wait_for("#signed-in-user", UI)
        .await
        .map_err(step("still signed in after the change"))?;
    click(session, "#sign-out", UI).await?;
    session
        .wait_for("#forgot-password", SIGN_IN)
        .await
        .map(drop)
        .map_err(step("the login screen returns"))
}

async fn reset_forgotten(
    session: &Session,
    env: &JourneyEnv,
    username: &str,
    email: &str,
    maildir: &std::path::Path,
) -> Result<(), String> {
    let before = mailbox::count_to(maildir, email);
    type_into(session, "#server-url", &env.server).await?;
    click(session, "#forgot-password", UI).await?;
    type_into(session, "#reset-login", username).await?;
    click(session, "#reset-ask", UI).await?;
    wait_for_text_containing(session, "#reset-sent", "a code was sent", UI).await?;
    let code = mailbox::reset_code(maildir, email, before, UI)?;

    // A wrong code is refused by name; the rule is told here too.
    type_into(session, "#reset-code", "NOT-THE-CODE").await?;
    type_into(session, "#new-password", THIRD).await?;

    type_into(session, "#confirm-password", THIRD).await?;
    click(session, "#reset-go", UI).await?;
    wait_for_text_containing(session, "#reset-problem", "wrong, used or expired", UI).await?;
    save_screenshots_at_sizes(session, env, "account-reset-code", None).await?;

    type_into(session, "#reset-code", &code).await?;
    click(session, "#reset-go", UI).await?;
    wait_for_text_containing(session, "#login-notice", "Sign in with the new one", UI).await?;
    sign_in(session, env, username, THIRD).await?;
    let second = rollcall_client::Client::new()
        .login(&env.server, username, SECOND)
        .await;
    check(
        second.is_err(),
        "the replaced password no longer signs in".to_owned(),
    )
}
