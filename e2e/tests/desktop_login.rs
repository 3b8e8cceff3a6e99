//! The desktop app, launched under Xvfb and driven over WebDriver against a running
//! server with the demo data: an unreachable server address and a wrong password are each
//! explained, then `teacher1` signs in and sees who they are and which server version
//! answered; the app started again is still signed in (the sign-in kept on the Rust
//! side), and once signed out, started again it shows the login screen.
//!
//! Needs `DISPLAY`, `ROLLCALL_E2E_APP`, `ROLLCALL_E2E_SERVER` and `ROLLCALL_E2E_ARTIFACTS`;
//! `cargo xtask test` provides them. Without them the test fails, never passes quietly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use std::time::Duration;

use rollcall_e2e::env::JourneyEnv;
use rollcall_e2e::journey::{
    check, fill_login_form, save_screenshot, step, text_of, wait_for_text_containing, SIGN_IN,
};
use rollcall_e2e::tauri_driver::TauriDriver;
use rollcall_e2e::webdriver::Session;

/// The first window may take a while: WebKit starts and the wasm UI compiles.
const APP_START: Duration = Duration::from_secs(60);
/// The W3C key code for Enter.
const ENTER: &str = "\u{E007}";

const TEACHER: &str = "teacher1";
const TEACHER_PASSWORD: &str = "rollcall-teacher";

#[tokio::test(flavor = "multi_thread")]
async fn a_teacher_signs_in_on_the_desktop_after_the_login_errors_are_explained() {
    let env = JourneyEnv::from_env().unwrap_or_else(|problem| panic!("{problem}"));
    let expected = Expected::ask_server(&env.server).await;

    let driver = TauriDriver::start(&env.artifacts.join("tauri-driver.log"))
        .await
        .unwrap_or_else(|problem| panic!("{problem}"));
    let session = Session::start(&driver.url(), Session::tauri_capabilities(&env.app))
        .await
        .unwrap_or_else(|e| panic!("the app did not start under WebDriver: {e}"));

    let outcome = journey(&session, &env, &expected).await;
    if outcome.is_err() {
        // Best effort: the screen at the moment of failure is the most useful artifact.
        let _ = save_screenshot(&session, &env, "desktop-failure.png").await;
    }
    // Ending the session closes the app; then the guard stops tauri-driver.
    let ended = session.end().await;
    // The app starts again: the sign-in is kept; signed out, it is forgotten.
    let outcome = match outcome {
        Ok(()) => restarts(&driver, &env, &expected).await,
        failed => failed,
    };
    drop(driver);

    if let Err(problem) = outcome {
        panic!("{problem}");
    }
    ended.expect("the WebDriver session ends cleanly");
}

async fn journey(session: &Session, env: &JourneyEnv, expected: &Expected) -> Result<(), String> {
    session
        .wait_for("#server-url", APP_START)
        .await
        .map_err(step("the login screen appears"))?;
    save_screenshot(session, env, "desktop-login.png").await?;

    // A server address where nothing listens is named in the message.
    let nowhere = format!("http://127.0.0.1:{}", closed_port()?);
    fill_login_form(session, &nowhere, TEACHER, TEACHER_PASSWORD).await?;
    let sign_in = session
        .find("#sign-in")
        .await
        .map_err(step("find Sign in"))?;
    session
        .click(&sign_in)
        .await
        .map_err(step("click Sign in"))?;
    let error = session
        .wait_for_text("#login-error", SIGN_IN)
        .await
        .map_err(step("an error appears for an unreachable server"))?;
    check(
        error.contains("reach") && error.contains(&nowhere),
        format!("the error for {nowhere} reads {error:?}"),
    )?;
    save_screenshot(session, env, "desktop-login-server-unreachable.png").await?;

    // A wrong password, submitted with Enter.
    fill_login_form(session, &env.server, TEACHER, "not-the-password").await?;
    let password = session
        .find("#password")
        .await
        .map_err(step("find the password field"))?;
    session
        .send_keys(&password, ENTER)
        .await
        .map_err(step("press Enter"))?;
    let error = wait_for_text_containing(
        session,
        "#login-error",
        "Wrong username or password.",
        SIGN_IN,
    )
    .await?;
    check(
        error.contains("Wrong username or password."),
        format!("the error reads {error:?}"),
    )?;
    save_screenshot(session, env, "desktop-login-wrong-password.png").await?;

    // The right password, submitted with the button.
    fill_login_form(session, &env.server, TEACHER, TEACHER_PASSWORD).await?;
    let sign_in = session
        .find("#sign-in")
        .await
        .map_err(step("find Sign in"))?;
    session
        .click(&sign_in)
        .await
        .map_err(step("click Sign in"))?;
    let user = session
        .wait_for_text("#signed-in-user", SIGN_IN)
        .await
        .map_err(step("the signed-in screen appears"))?;
    check(
        user.contains(&expected.display_name),
        format!(
            "#signed-in-user reads {user:?}, expected {:?}",
            expected.display_name
        ),
    )?;
    let role = text_of(session, "#signed-in-role").await?;
    check(
        role.eq_ignore_ascii_case("teacher"),
        format!("#signed-in-role reads {role:?}"),
    )?;
    let version = text_of(session, "#server-version").await?;
    check(
        !version.trim().is_empty() && version.trim() == expected.server_version,
        format!(
            "#server-version reads {version:?}, the server says {:?}",
            expected.server_version
        ),
    )?;
    save_screenshot(session, env, "desktop-signed-in.png").await?;
    Ok(())
}

/// Runs `phase` on a new start of the app under `driver`, then closes it.
async fn on_a_new_start<F, Fut>(
    driver: &TauriDriver,
    env: &JourneyEnv,
    name: &str,
    phase: F,
) -> Result<(), String>
where
    F: FnOnce(Session) -> Fut,
    Fut: std::future::Future<Output = (Session, Result<(), String>)>,
{
    let session = Session::start(&driver.url(), Session::tauri_capabilities(&env.app))
        .await
        .map_err(|e| format!("the app did not start again: {e}"))?;
    let (session, outcome) = phase(session).await;
    if outcome.is_err() {
        let _ = save_screenshot(&session, env, &format!("desktop-{name}-failure.png")).await;
    }
    let _ = session.end().await;
    outcome
}

/// The sign-in survives a restart (kept by the Rust side, never the WebView);
/// after signing out, a restart shows the login screen.
async fn restarts(
    driver: &TauriDriver,
    env: &JourneyEnv,
    expected: &Expected,
) -> Result<(), String> {
    on_a_new_start(driver, env, "resumed", |session| async move {
        let outcome = async {
            let user = session
                .wait_for_text("#signed-in-user", APP_START)
                .await
                .map_err(step("the app starts signed in"))?;
            check(
                user.contains(&expected.display_name),
                format!("after a restart #signed-in-user reads {user:?}"),
            )?;
            save_screenshot(&session, env, "desktop-signed-in-after-restart.png").await?;
            // Signing out returns to the login screen.
            let sign_out = session
                .find("#sign-out")
                .await
                .map_err(step("find Sign out"))?;
            session
                .click(&sign_out)
                .await
                .map_err(step("click Sign out"))?;
            session
                .wait_for("#sign-in", SIGN_IN)
                .await
                .map_err(step("the login screen returns"))?;
            Ok(())
        }
        .await;
        (session, outcome)
    })
    .await?;
    on_a_new_start(driver, env, "signed-out", |session| async move {
        let outcome = match session.wait_for("#sign-in", APP_START).await {
            Err(e) => Err(step("after signing out, a restart shows the login screen")(
                e,
            )),
            Ok(_) if session.find("#signed-in-user").await.is_ok() => {
                Err("still signed in after signing out".to_owned())
            }
            Ok(_) => Ok(()),
        };
        (session, outcome)
    })
    .await
}

/// A loopback port with nothing listening on it.
fn closed_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|addr| addr.port())
        .map_err(|e| e.to_string())
}

/// What the screens should show, asked of the server's API directly so the test does not
/// hard-code the demo data's names or the server's version.
struct Expected {
    display_name: String,
    server_version: String,
}

impl Expected {
    async fn ask_server(server: &str) -> Self {
        let client = rollcall_client::Client::new();
        let signed_in = client
            .login(server, TEACHER, TEACHER_PASSWORD)
            .await
            .unwrap_or_else(|e| {
                panic!("{TEACHER} cannot sign in at {server} (demo data seeded?): {e}")
            });
        Self {
            display_name: signed_in.user.display_name,
            server_version: signed_in.server.version,
        }
    }
}
