//! The two commands a newcomer runs (see the README):
//!
//! - `cargo xtask run`: installs what is missing, builds the UI, the server and
//!   the desktop app, starts the server with the demo school on its private
//!   Postgres and opens the app pointed at it.
//! - `cargo xtask test`: installs what is missing and runs every check CI runs:
//!   formatting, clippy, the cross-target checks of `rollcall-core`, every test
//!   against a private Postgres, and the desktop WebDriver journeys under Xvfb.
//!
//! Both are idempotent and say what they are doing. Nothing is downloaded from
//! outside the package registries (Debian, crates.io, npm).

mod mail_sink;
mod prerequisites;
mod run_cmd;
mod server;
mod shell;
mod sqlx_data;
mod test_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <run|test|setup|sqlx>

  run    build everything and start the product: the server with demo data on
         its private Postgres, and the desktop app pointed at it
  test   run every check and test that CI runs
  setup  only install what is missing (Debian packages, Rust targets, tools)
  sqlx   rewrite backend/.sqlx (the server's checked SQL) after changing a
         statement or a migration";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run_cmd::run(),
        Some("test") => test_cmd::test(),
        Some("setup") => prerequisites::ensure_all().map(|_| ()),
        Some("sqlx") => prerequisites::ensure_all().and_then(|tools| {
            sqlx_data::refresh(&tools, &test_cmd::test_data_dir().join("sqlx-db"))
        }),
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of `xtask/`).
/// The face models: `ROLLCALL_MODELS_DIR` when set, else `shared/models/face` beside
/// the checkout (where this project keeps them; they are never committed).
fn models_dir() -> PathBuf {
    std::env::var_os("ROLLCALL_MODELS_DIR")
        .filter(|d| !d.is_empty())
        .map_or_else(
            || workspace_root().join("../shared/models/face"),
            PathBuf::from,
        )
}

fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map_or(manifest.clone(), std::path::Path::to_path_buf)
}

/// Where cargo puts build output: `CARGO_TARGET_DIR` or `target/`.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map_or_else(
            || workspace_root().join("target"),
            |p| {
                if p.is_absolute() {
                    p
                } else {
                    workspace_root().join(p)
                }
            },
        )
}
