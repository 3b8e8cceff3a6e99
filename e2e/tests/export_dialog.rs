//! Exports saved where the user chooses, in the real app under Xvfb against a real
//! server: without `ROLLCALL_EXPORT_DIR` the app asks with the system's save dialog
//! (GTK's, over the app's window). The admin runs a report, exports the CSV, types
//! a folder and name of their own in the dialog (with `xdotool`, as a person would
//! type), and the file lands exactly there; exporting the PDF and closing the
//! dialog saves nothing and says so.
//!
//! Needs what `desktop_login` needs, plus `xdotool`; `cargo xtask test` provides them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rollcall_core::verdict::Outcome;
use rollcall_e2e::env::JourneyEnv;
use rollcall_e2e::journey::{
    check, click, finish, save_screenshot, sign_in_until, step, wait_for_text_containing,
};
use rollcall_e2e::school::{School, ADMIN, ADMIN_PASSWORD};
use rollcall_e2e::tauri_driver::TauriDriver;
use rollcall_e2e::webdriver::Session;

const UI: Duration = Duration::from_secs(20);
const DIALOG: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_saves_the_report_where_they_choose_and_closing_the_dialog_saves_nothing() {
    let env = JourneyEnv::from_env().unwrap_or_else(|problem| panic!("{problem}"));
    let school = School::prepare(&env.server).await;
    let (_, checked_in) = school.hold_class(1, 10.0).await;
    assert_eq!(
        checked_in.outcome,
        Outcome::Accepted,
        "{:?}",
        checked_in.reasons
    );
    let name = school.students[1].display_name.clone();
    let chosen_folder = env
        .artifacts
        .join(format!("chosen-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&chosen_folder).expect("a folder to choose");

    // An empty ROLLCALL_EXPORT_DIR: the app asks where, as for any user.
    let driver = TauriDriver::start_with_env(
        &env.artifacts.join("tauri-driver-export.log"),
        &[("ROLLCALL_EXPORT_DIR", Path::new(""))],
    )
    .await
    .unwrap_or_else(|problem| panic!("{problem}"));
    let session = Session::start(&driver.url(), Session::tauri_capabilities(&env.app))
        .await
        .unwrap_or_else(|e| panic!("the app did not start under WebDriver: {e}"));
    let outcome = journey(&session, &env, &chosen_folder, &name).await;
    if outcome.is_err() {
        let _ = save_screenshot(&session, &env, "export-failure.png").await;
        screen_shot(&env.artifacts.join("export-failure-screen.png"));
        // A dialog left open would keep the app from closing.
        let _ = xdotool(&["key", "Escape"]);
    }
    finish(session, driver, outcome).await;
}

async fn journey(
    session: &Session,
    env: &JourneyEnv,
    folder: &Path,
    name: &str,
) -> Result<(), String> {
    sign_in_until(session, &env.server, ADMIN, ADMIN_PASSWORD, "#nav-reports").await?;
    click(session, "#nav-reports", UI).await?;
    session
        .wait_for("#report-table", UI)
        .await
        .map_err(step("the report table appears"))?;

    // CSV: the dialog opens with the server's file name; the admin types their own.
    click(session, "#report-csv", UI).await?;
    let dialog = wait_for_window("Save the attendance report")?;
    screen_shot(&env.artifacts.join("export-save-dialog.png"));
    let target = folder.join("term report");
    xdotool(&["windowfocus", "--sync", &dialog])?;
    xdotool(&["key", "--clearmodifiers", "ctrl+a"])?;
    xdotool(&["type", "--delay", "15", &target.display().to_string()])?;
    xdotool(&["key", "Return"])?;
    let saved = wait_for_text_containing(session, "#report-notice", "Saved to ", UI).await?;
    let path = PathBuf::from(saved.trim().trim_start_matches("Saved to ").trim());
    // Typed without an extension: the app adds it.
    let expected = folder.join("term report.csv");
    check(
        path == expected,
        format!(
            "saved to {} rather than {}",
            path.display(),
            expected.display()
        ),
    )?;
    let csv = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    check(
        csv.starts_with("Student,Roll number,Held,Present") && csv.contains(name),
        format!("the CSV lists {name}: {csv}"),
    )?;

    // PDF: the admin changes their mind and closes the dialog.
    click(session, "#report-pdf", UI).await?;
    let dialog = wait_for_window("Save the attendance report")?;
    xdotool(&["windowfocus", "--sync", &dialog])?;
    xdotool(&["key", "Escape"])?;
    wait_for_text_containing(session, "#report-notice", "Not saved", UI).await?;
    let files: Vec<String> = std::fs::read_dir(folder)
        .map_err(|e| format!("{}: {e}", folder.display()))?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    check(
        files == ["term report.csv"],
        format!("the folder holds {files:?} after the cancelled PDF"),
    )?;
    save_screenshot(session, env, "export-not-saved.png").await?;
    Ok(())
}

/// Runs `xdotool` with `args`; its output.
fn xdotool(args: &[&str]) -> Result<String, String> {
    let out = Command::new("xdotool")
        .args(args)
        .output()
        .map_err(|e| format!("xdotool could not run ({e}); install it (cargo xtask test does)"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    } else {
        Err(format!(
            "xdotool {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The X window id of the visible window titled `title`, once it appears.
fn wait_for_window(title: &str) -> Result<String, String> {
    let deadline = Instant::now() + DIALOG;
    loop {
        if let Ok(ids) = xdotool(&["search", "--onlyvisible", "--name", title]) {
            if let Some(id) = ids.lines().next().filter(|id| !id.is_empty()) {
                // Let GTK finish laying it out and focus its name field.
                std::thread::sleep(Duration::from_millis(500));
                return Ok(id.to_owned());
            }
        }
        if Instant::now() > deadline {
            return Err(format!("no window titled {title:?} appeared"));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The whole X screen as a PNG (the native dialog is outside the webview, so
/// WebDriver cannot see it); skipped where ImageMagick's `import` is missing.
fn screen_shot(path: &Path) {
    let taken = Command::new("import")
        .args(["-window", "root"])
        .arg(path)
        .status();
    if !taken.is_ok_and(|s| s.success()) {
        eprintln!(
            "no screen shot at {}: ImageMagick's import is missing",
            path.display()
        );
    }
}
