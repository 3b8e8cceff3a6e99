//! Steps every desktop journey shares: filling the login form, reading text,
//! screenshots, and turning WebDriver failures into sentences that name the step.

use std::time::{Duration, Instant};

use crate::env::JourneyEnv;
use crate::webdriver::{Session, WebDriverError};

/// A login includes password hashing on the server.
pub const SIGN_IN: Duration = Duration::from_secs(30);

/// Maps a WebDriver failure to a message naming the step that failed.
pub fn step(what: &str) -> impl Fn(WebDriverError) -> String + '_ {
    move |error| format!("step \"{what}\" failed: {error}")
}

/// `Ok` when `condition` holds, else the failure message.
///
/// # Errors
/// `failure` when the condition does not hold.
pub fn check(condition: bool, failure: String) -> Result<(), String> {
    if condition {
        Ok(())
    } else {
        Err(failure)
    }
}

/// Types the server address, login and password into the login form.
///
/// # Errors
/// The step that failed.
pub async fn fill_login_form(
    session: &Session,
    server: &str,
    login: &str,
    password: &str,
) -> Result<(), String> {
    for (css, text) in [
        ("#server-url", server),
        ("#login", login),
        ("#password", password),
    ] {
        type_into(session, css, text).await?;
    }
    Ok(())
}

/// How long the app may take to show its login screen under WebDriver.
pub const APP_START: Duration = Duration::from_secs(60);

/// Waits for the login screen, signs in as `login` at `server` and waits until
/// `landing` (an element of the signed-in screen) appears.
///
/// # Errors
/// The step that failed.
pub async fn sign_in_until(
    session: &Session,
    server: &str,
    login: &str,
    password: &str,
    landing: &str,
) -> Result<(), String> {
    session
        .wait_for("#server-url", APP_START)
        .await
        .map_err(step("the login screen appears"))?;
    fill_login_form(session, server, login, password).await?;
    click(session, "#sign-in", Duration::from_secs(20)).await?;
    session
        .wait_for(landing, SIGN_IN)
        .await
        .map_err(step(&format!("signed in, {landing} appears")))?;
    Ok(())
}

/// Chooses `file` in the file input matching `css`, as a person picking it would.
///
/// # Errors
/// The step that failed.
pub async fn choose_file(
    session: &Session,
    css: &str,
    file: &std::path::Path,
) -> Result<(), String> {
    let input = session
        .wait_for(css, Duration::from_secs(20))
        .await
        .map_err(step(&format!("find {css}")))?;
    session
        .send_keys(&input, &file.display().to_string())
        .await
        .map_err(step(&format!("choose {}", file.display())))
}

/// Clicks the element matching `css`.
///
/// # Errors
/// The step that failed.
pub async fn click(session: &Session, css: &str, timeout: Duration) -> Result<(), String> {
    let element = session
        .wait_for(css, timeout)
        .await
        .map_err(step(&format!("find {css}")))?;
    session
        .click(&element)
        .await
        .map_err(step(&format!("click {css}")))
}

/// The text of the element matching `css`, now.
///
/// # Errors
/// The step that failed.
pub async fn text_of(session: &Session, css: &str) -> Result<String, String> {
    let element = session
        .find(css)
        .await
        .map_err(step(&format!("find {css}")))?;
    session
        .text(&element)
        .await
        .map_err(step(&format!("read {css}")))
}

/// Waits until `css` shows text containing `wanted`, and returns that text; a message
/// from an earlier step may stay on screen until the next answer arrives.
///
/// # Errors
/// A message with the last text seen when `wanted` does not appear in time.
pub async fn wait_for_text_containing(
    session: &Session,
    css: &str,
    wanted: &str,
    timeout: Duration,
) -> Result<String, String> {
    let deadline = Instant::now() + timeout;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let text = session
            .wait_for_text(css, remaining.max(Duration::from_millis(200)))
            .await
            .map_err(step(&format!("read {css}")))?;
        if text.contains(wanted) {
            return Ok(text);
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{css} did not come to contain {wanted:?} in {timeout:?}; it reads {text:?}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Saves a screenshot of the window under the artifacts folder.
///
/// # Errors
/// The step that failed.
pub async fn save_screenshot(
    session: &Session,
    env: &JourneyEnv,
    name: &str,
) -> Result<(), String> {
    let _ = session.wait_for_paint().await;
    let png = session
        .screenshot()
        .await
        .map_err(step(&format!("take {name}")))?;
    let path = env.artifacts.join(name);
    std::fs::write(&path, png).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The sizes every new screen is photographed at: a school laptop's and a
/// projector's.
pub const SCREEN_SIZES: [(u32, u32); 2] = [(1366, 768), (1920, 1080)];

/// Screenshots at each of [`SCREEN_SIZES`], `{stem}-{w}x{h}.png`, with the
/// element matching `focus` (if any) scrolled to the top of the window.
///
/// # Errors
/// The step that failed.
pub async fn save_screenshots_at_sizes(
    session: &Session,
    env: &JourneyEnv,
    stem: &str,
    focus: Option<&str>,
) -> Result<(), String> {
    for (width, height) in SCREEN_SIZES {
        session
            .set_window_size(width, height)
            .await
            .map_err(step(&format!("resize the window to {width}×{height}")))?;
        tokio::time::sleep(Duration::from_millis(400)).await;
        if let Some(css) = focus {
            let script = "const [css, done] = arguments;\n\
                          const el = document.querySelector(css);\n\
                          if (el) el.scrollIntoView({block: 'start'});\n\
                          done(el !== null);";
            let found = session
                .execute_async(script, serde_json::json!([css]))
                .await
                .map_err(step(&format!("scroll to {css}")))?;
            check(
                found == serde_json::Value::Bool(true),
                format!("{css} is on the screen"),
            )?;
        }
        save_screenshot(session, env, &format!("{stem}-{width}x{height}.png")).await?;
    }
    Ok(())
}

/// The attribute `name` of the element matching `css`, now (`None` when there is no
/// such element or attribute).
///
/// # Errors
/// The step that failed.
pub async fn attribute(session: &Session, css: &str, name: &str) -> Result<Option<String>, String> {
    let value = session
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             const el = document.querySelector(arguments[0]);\
             done(el ? el.getAttribute(arguments[1]) : null);",
            serde_json::json!([css, name]),
        )
        .await
        .map_err(step(&format!("read {name} of {css}")))?;
    Ok(value.as_str().map(str::to_owned))
}

/// Empties the field matching `css` and types `text` into it.
///
/// # Errors
/// The step that failed.
pub async fn type_into(session: &Session, css: &str, text: &str) -> Result<(), String> {
    let field = session
        .wait_for(css, Duration::from_secs(20))
        .await
        .map_err(step(&format!("find {css}")))?;
    session
        .clear(&field)
        .await
        .map_err(step(&format!("clear {css}")))?;
    session
        .send_keys(&field, text)
        .await
        .map_err(step(&format!("type into {css}")))
}

/// Ends the WebDriver session and `tauri-driver` (so the app closes either way),
/// then fails the test with the journey's problem, if there was one.
///
/// # Panics
/// With the journey's problem, or when the session does not end cleanly.
pub async fn finish(
    session: Session,
    driver: crate::tauri_driver::TauriDriver,
    outcome: Result<(), String>,
) {
    let ended = session.end().await;
    drop(driver);
    if let Err(problem) = outcome {
        panic!("{problem}");
    }
    ended.expect("the WebDriver session ends cleanly");
}
