//! aiosmtpd on a free loopback port, keeping every message the server sends in
//! a maildir the journeys read (the reset code, later the weekly e-mail).

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::shell::Result;

/// A running aiosmtpd; stopped when dropped.
pub struct MailSink {
    child: Child,
    /// `smtp://127.0.0.1:port`, for `ROLLCALL_SMTP_URL`.
    pub url: String,
    /// The maildir its messages land in (`new/`).
    pub maildir: PathBuf,
}

impl MailSink {
    /// Starts `aiosmtpd` with a fresh maildir at `maildir` and waits until it
    /// accepts connections.
    pub fn start(aiosmtpd: &Path, maildir: &Path) -> Result<Self> {
        let _ = std::fs::remove_dir_all(maildir);
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port for the mail sink: {e}"))?
            .port();
        let listen = format!("127.0.0.1:{port}");
        let child = Command::new(aiosmtpd)
            .args(["-n", "-l", &listen, "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", aiosmtpd.display()))?;
        let mut sink = Self {
            child,
            url: format!("smtp://{listen}"),
            maildir: maildir.to_path_buf(),
        };
        let started = Instant::now();
        while TcpStream::connect(&listen).is_err() {
            if started.elapsed() > Duration::from_secs(20)
                || sink.child.try_wait().ok().flatten().is_some()
            {
                sink.stop();
                return Err(format!("the mail sink did not listen on {listen}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        println!(
            "    mail sink at {} (maildir {})",
            sink.url,
            maildir.display()
        );
        Ok(sink)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for MailSink {
    fn drop(&mut self) {
        self.stop();
    }
}
