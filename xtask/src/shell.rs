//! Running commands and saying so.

use std::ffi::OsStr;
use std::process::{Command, Stdio};
use std::time::Instant;

/// An error a person can act on.
pub type Result<T> = std::result::Result<T, String>;

/// Prints a step header.
pub fn step(what: &str) {
    println!("\n==> {what}");
}

/// Runs `cmd` with inherited output; fails with `what` if it fails.
pub fn run(what: &str, cmd: &mut Command) -> Result<()> {
    let started = Instant::now();
    let status = cmd
        .status()
        .map_err(|e| format!("{what}: cannot start {:?}: {e}", cmd.get_program()))?;
    let secs = started.elapsed().as_secs();
    if status.success() {
        println!("    ({what}: {secs}s)");
        Ok(())
    } else {
        Err(format!("{what} failed ({status}) after {secs}s"))
    }
}

/// Runs `cmd` quietly and returns its stdout, or `None` if it fails to run or exits non-zero.
pub fn output(program: impl AsRef<OsStr>, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whether `program` is on PATH.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// A `cargo` command using the cargo that runs this xtask.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}
