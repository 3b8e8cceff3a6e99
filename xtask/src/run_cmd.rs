//! `cargo xtask run`: the product on this machine.

use std::process::Command;

use crate::prerequisites;
use crate::server::{self, RunningServer};
use crate::shell::{cargo, run as run_step, step, Result};

const DEMO_LOGINS: &str = "\
    admin     / rollcall-admin     (management view)
    teacher1  / rollcall-teacher   (classroom screen)
    student1  / rollcall-student   (check-in)";

/// Builds, seeds, serves and opens the app; returns when the app (or, with no
/// display, the server) exits.
pub fn run() -> Result<()> {
    let tools = prerequisites::ensure_all()?;
    crate::test_cmd::build_ui(&tools)?;
    step("Build the server and the desktop app");
    run_step(
        "cargo build",
        cargo().args(["build", "-p", "rollcall-server", "-p", "rollcall-app"]),
    )?;

    let data_dir = std::env::var_os("ROLLCALL_DATA_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(default_data_dir);
    step(&format!("Demo school in {}", data_dir.display()));
    server::seed_demo(&data_dir)?;

    step("Start the server");
    let listen = std::env::var("ROLLCALL_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    let server = RunningServer::start(&data_dir, &listen, &[])?;
    println!("\n    Rollcall server: {}", server.base_url);
    println!("    health:          {}/health/ready", server.base_url);
    println!("    demo logins:\n{DEMO_LOGINS}");

    let has_display = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()));
    if !has_display {
        println!(
            "\n    No display (DISPLAY/WAYLAND_DISPLAY unset), so the desktop app cannot open.\n    \
             The server keeps running at {}; press Ctrl-C to stop it.",
            server.base_url
        );
        server.wait();
        return Ok(());
    }
    step("Open the desktop app (close its window to stop everything)");
    let status = Command::new(crate::target_dir().join("debug/rollcall-app"))
        .env("ROLLCALL_SERVER_URL", &server.base_url)
        // The face pipeline loads ONNX Runtime from here; without it the face factor is
        // simply unavailable.
        .env("ORT_DYLIB_PATH", &tools.onnxruntime)
        .env("ROLLCALL_MODELS_DIR", crate::models_dir())
        .status()
        .map_err(|e| format!("cannot start the desktop app: {e}"))?;
    drop(server);
    if status.success() {
        Ok(())
    } else {
        Err(format!("the desktop app exited with {status}"))
    }
}

/// The server's own default (`rollcall-data` under the user's data folder;
/// `/var/lib/rollcall-data` for root), made explicit so xtask and server agree.
fn default_data_dir() -> std::path::PathBuf {
    let root = crate::shell::output("id", &["-u"]).is_some_and(|u| u.trim() == "0");
    if root {
        return "/var/lib/rollcall-data".into();
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::env::var_os("HOME")
                .map(std::path::PathBuf::from)
                .unwrap_or_default()
                .join(".local/share")
        });
    base.join("rollcall-data")
}
