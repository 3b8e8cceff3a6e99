//! The maildir the journeys' SMTP server (aiosmtpd, started by `cargo xtask
//! test`) keeps the server's mail in: `ROLLCALL_E2E_MAILDIR`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The journeys' maildir.
///
/// # Errors
/// When `ROLLCALL_E2E_MAILDIR` is not set.
pub fn maildir() -> Result<PathBuf, String> {
    std::env::var_os("ROLLCALL_E2E_MAILDIR")
        .map(PathBuf::from)
        .ok_or_else(|| {
            "ROLLCALL_E2E_MAILDIR is not set (the SMTP sink's maildir; cargo xtask test starts one)"
                .to_owned()
        })
}

/// Every message delivered to `to` so far, oldest first.
fn messages_to(maildir: &Path, to: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else {
        return Vec::new();
    };
    let mut found: Vec<(std::time::SystemTime, String)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path()).ok()?;
            let modified = e.metadata().and_then(|m| m.modified()).ok()?;
            let addressed = text.lines().any(|l| {
                l.strip_prefix("X-RcptTo:")
                    .is_some_and(|r| r.split(',').any(|a| a.trim().eq_ignore_ascii_case(to)))
            });
            addressed.then_some((modified, text))
        })
        .collect();
    found.sort_by_key(|(when, _)| *when);
    found.into_iter().map(|(_, text)| text).collect()
}

/// The reset code of the newest message to `to` after the first `seen`
/// messages, waiting up to `within` for it to arrive.
///
/// # Errors
/// When no such message arrives, or it has no code.
pub fn reset_code(
    maildir: &Path,
    to: &str,
    seen: usize,
    within: Duration,
) -> Result<String, String> {
    let deadline = Instant::now() + within;
    loop {
        let messages = messages_to(maildir, to);
        if let Some(message) = messages.get(seen..).and_then(<[String]>::last) {
            return message
                .lines()
                .skip_while(|l| !l.contains("reset code is"))
                .skip(1)
                .map(str::trim)
                .find(|l| !l.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| format!("the mail to {to} has no code:\n{message}"));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "no reset mail to {to} reached {} within {within:?}",
                maildir.display()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// How many messages `to` has received so far.
#[must_use]
pub fn count_to(maildir: &Path, to: &str) -> usize {
    messages_to(maildir, to).len()
}
