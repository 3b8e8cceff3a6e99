//! Starting and stopping the server binary and its private database for the
//! two commands.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::shell::Result;

/// The built server binary.
pub fn binary() -> PathBuf {
    crate::target_dir().join("debug/rollcall-server")
}

fn command(data_dir: &Path) -> Command {
    let mut cmd = Command::new(binary());
    cmd.env("ROLLCALL_DATA_DIR", data_dir);
    cmd
}

/// Fills the demo school in the private database under `data_dir` (or in `DATABASE_URL`).
pub fn seed_demo(data_dir: &Path) -> Result<()> {
    crate::shell::run("seed the demo school", command(data_dir).arg("seed-demo"))
}

/// Starts the private database under `data_dir`, leaves it running and returns its URL.
pub fn start_database(data_dir: &Path) -> Result<String> {
    let out = command(data_dir)
        .args(["db", "start"])
        .env_remove("DATABASE_URL")
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run the server binary: {e}"))?;
    if !out.status.success() {
        return Err("starting the private test database failed (see above)".to_owned());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Stops the private database under `data_dir`.
pub fn stop_database(data_dir: &Path) {
    let _ = command(data_dir)
        .args(["db", "stop"])
        .env_remove("DATABASE_URL")
        .status();
}

/// A running `rollcall-server serve`; stopped with SIGTERM when dropped.
pub struct RunningServer {
    child: Child,
    /// `http://host:port`.
    pub base_url: String,
}

impl RunningServer {
    /// Starts `serve` listening on `listen`, with `env` added to its environment, and
    /// waits until `/health/ready` answers.
    pub fn start(data_dir: &Path, listen: &str, env: &[(&str, &str)]) -> Result<Self> {
        let mut child = command(data_dir)
            .arg("serve")
            .env("ROLLCALL_LISTEN", listen)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?;
        let stdout = child.stdout.take().ok_or("no server stdout")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| format!("reading the server's address: {e}"))?;
        let Some(base_url) = line
            .split_whitespace()
            .last()
            .filter(|u| u.starts_with("http://"))
        else {
            let _ = child.kill();
            return Err(format!(
                "the server did not start (it said {:?})",
                line.trim()
            ));
        };
        let server = Self {
            child,
            base_url: base_url.to_owned(),
        };
        server.wait_ready(Duration::from_secs(60))?;
        Ok(server)
    }

    fn wait_ready(&self, limit: Duration) -> Result<()> {
        let host = self.base_url.trim_start_matches("http://");
        let started = Instant::now();
        while started.elapsed() < limit {
            if http_status(host, "/health/ready") == Some(200) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(format!("{} did not become ready", self.base_url))
    }

    /// Waits for the server to exit (Ctrl-C reaches it through the terminal).
    pub fn wait(mut self) {
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and waits for the graceful shutdown.
    pub fn stop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(self.child.id().to_string())
                .status();
            let _ = self.child.wait();
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A bare HTTP/1.0 GET, enough for a health check without an HTTP crate.
fn http_status(host: &str, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(host).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}
