//! `cargo xtask test`: every check CI runs, in the order that fails fastest.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use crate::mail_sink::MailSink;
use crate::prerequisites::{self, Tools};
use crate::server::{self, RunningServer};
use crate::shell::{cargo, run, run_tests, step, Result, Tally};

/// Runs everything; the first failure stops the run.
pub fn test() -> Result<()> {
    let started = Instant::now();
    let tools = prerequisites::ensure_all()?;
    build_ui(&tools)?;

    step("Formatting");
    run(
        "cargo fmt --check",
        cargo().args(["fmt", "--all", "--check"]),
    )?;

    step("Clippy (all targets, warnings are errors)");
    run(
        "cargo clippy",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;

    step("rollcall-core for the web and Android targets; the client and the engine for the web");
    for target in ["wasm32-unknown-unknown", "aarch64-linux-android"] {
        run(
            &format!("cargo check {target}"),
            cargo().args(["check", "-p", "rollcall-core", "--target", target]),
        )?;
    }
    // The students' web app runs the typed client (over fetch) and the check-in
    // engine (without SQLite and tokio's timer) in the browser.
    run(
        "cargo clippy rollcall-client rollcall-checkin wasm32",
        cargo().args([
            "clippy",
            "-p",
            "rollcall-client",
            "-p",
            "rollcall-checkin",
            "--no-default-features",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]),
    )?;

    step("The app's Rust side for Android (phone plugins, sensors, Keystore sealing)");
    run(
        "cargo clippy aarch64-linux-android",
        android_check(cargo()).args([
            "clippy",
            "-p",
            "rollcall-app",
            "-p",
            "tauri-plugin-rollcall-sensors",
            "--lib",
            "--target",
            "aarch64-linux-android",
            "--",
            "-D",
            "warnings",
        ]),
    )?;

    step("Build the server and the desktop app");
    run(
        "cargo build",
        cargo().args(["build", "-p", "rollcall-server", "-p", "rollcall-app"]),
    )?;

    let data = test_data_dir();
    let external = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty());
    let database_url = match &external {
        Some(url) => {
            println!("    using DATABASE_URL from the environment");
            url.clone()
        }
        None => {
            step("Private Postgres for the tests");
            server::start_database(&data.join("db"))?
        }
    };
    let result = crate::sqlx_data::check(&tools, &database_url)
        .and_then(|()| test_suites(&tools, &database_url, &data));
    if external.is_none() {
        server::stop_database(&data.join("db"));
    }
    let tally = result?;
    println!(
        "\nxtask test: everything passed in {}s",
        started.elapsed().as_secs()
    );
    // The closing line CI reads: every test of every suite.
    println!("{} passed, {} failed", tally.passed, tally.failed);
    Ok(())
}

fn test_suites(tools: &Tools, database_url: &str, data: &std::path::Path) -> Result<Tally> {
    step("Unit, integration and API tests (real Postgres)");
    let mut tally = run_tests(
        "cargo test",
        cargo()
            .args(["test", "--workspace", "--exclude", "rollcall-e2e"])
            .env("DATABASE_URL", database_url)
            // The face tests run the real models on ONNX Runtime.
            .env("ORT_DYLIB_PATH", &tools.onnxruntime)
            // The API tests run Schemathesis over the server's OpenAPI document.
            .env("ROLLCALL_SCHEMATHESIS", &tools.schemathesis),
    )?;

    step("Desktop journeys: the real app under Xvfb, driven over WebDriver");
    let e2e_data = data.join("e2e");
    let _ = std::fs::remove_dir_all(&e2e_data);
    server::seed_demo(&e2e_data)?;
    // Every journey signs people in from the same loopback address, more often than
    // the per-address login limit that protects a real server allows.
    // The server's mail (the reset code) goes to a real SMTP server on loopback.
    let mail = MailSink::start(&tools.aiosmtpd, &data.join("e2e-mail"))?;
    // The route contract reads what the app used from the server's metrics.
    let metrics_token = format!(
        "e2e-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    );
    let mut server = RunningServer::start(
        &e2e_data,
        "127.0.0.1:0",
        &[
            ("ROLLCALL_LOGIN_LIMIT_PER_MINUTE", "600"),
            ("ROLLCALL_SMTP_URL", &mail.url),
            ("ROLLCALL_METRICS_TOKEN", &metrics_token),
        ],
    )?;
    let artifacts = crate::workspace_root().join("test-artifacts");
    let _ = std::fs::create_dir_all(&artifacts);
    let app = crate::target_dir().join("debug/rollcall-app");
    let result = run_tests(
        "desktop e2e",
        Command::new("xvfb-run")
            .args(["-a", "-s", "-screen 0 1920x1080x24"])
            .arg(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args(["test", "-p", "rollcall-e2e", "--", "--test-threads=1"])
            .env("PATH", tools.path())
            .env("ROLLCALL_E2E_APP", &app)
            .env("ROLLCALL_E2E_SERVER", &server.base_url)
            .env("ROLLCALL_E2E_ARTIFACTS", &artifacts)
            .env("ROLLCALL_E2E_MAILDIR", &mail.maildir)
            // The face screens run the real models on ONNX Runtime.
            .env("ORT_DYLIB_PATH", &tools.onnxruntime)
            .env("ROLLCALL_MODELS_DIR", crate::models_dir())
            // A kiosk's heartbeat (and new settings) every 2 s, not every minute.
            .env("ROLLCALL_KIOSK_HEARTBEAT_S", "2")
            // The app saves class sheets here; the journeys read them back.
            .env("ROLLCALL_EXPORT_DIR", artifacts.join("exports"))
            // The student's device key and outbox (a fresh folder: a fresh server).
            .env(
                "ROLLCALL_APP_DATA_DIR",
                fresh_folder(&data.join("e2e-app-data")),
            ),
    );
    // Then: every route of the API document is reached by a screen or listed.
    let result = result.and_then(|mut tally| {
        let contract = run_tests(
            "route contract",
            cargo()
                .args([
                    "test",
                    "-p",
                    "rollcall-e2e",
                    "--test",
                    "route_coverage",
                    "--",
                    "--ignored",
                    "--nocapture",
                ])
                .env("ROLLCALL_E2E_SERVER", &server.base_url)
                .env("ROLLCALL_E2E_METRICS_TOKEN", &metrics_token),
        )?;
        tally.add(contract);
        Ok(tally)
    });
    server.stop();
    drop(mail);
    server::stop_database(&e2e_data);
    tally.add(result?);
    println!("    screenshots in {}", artifacts.display());
    Ok(tally)
}

/// `folder`, emptied.
fn fresh_folder(folder: &std::path::Path) -> &std::path::Path {
    let _ = std::fs::remove_dir_all(folder);
    let _ = std::fs::create_dir_all(folder);
    folder
}

/// Builds the Yew UI into `ui/dist`, which the app embeds at compile time.
pub fn build_ui(tools: &Tools) -> Result<()> {
    step("Build the UI (Yew → wasm, trunk)");
    // Trunk builds offline; the registry crates must be in cargo's cache first.
    run("cargo fetch", cargo().arg("fetch"))?;
    run(
        "trunk build",
        Command::new(tools.cargo_bin.join("trunk"))
            .args(["build", "--release"])
            .current_dir(crate::workspace_root().join("ui"))
            .env("PATH", tools.path()),
    )
}

/// A folder for the tests' private clusters that the unprivileged Postgres
/// account can reach even when the tests run as root (so not under /root).
pub fn test_data_dir() -> PathBuf {
    let root = crate::workspace_root();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in root.as_os_str().as_encoded_bytes() {
        hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
    }
    std::env::temp_dir().join(format!("rollcall-test-{hash:016x}"))
}

/// Lets `cargo check` build the C parts of the app's dependencies (ring, SQLite)
/// for Android without the NDK: Debian's clang with the aarch64 glibc headers.
/// The objects are only compiled, never linked into an app, so this checks the
/// Rust code for Android; the APK itself needs the NDK (see the README).
fn android_check(mut cargo: Command) -> Command {
    cargo
        .env("CC_aarch64_linux_android", "clang")
        .env("AR_aarch64_linux_android", "llvm-ar")
        .env(
            "CFLAGS_aarch64_linux_android",
            "--target=aarch64-linux-android24 --sysroot=/usr/aarch64-linux-gnu \
             -isystem /usr/aarch64-linux-gnu/include",
        );
    cargo
}
