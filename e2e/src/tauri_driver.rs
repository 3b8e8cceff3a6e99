//! Runs `tauri-driver` (which starts WebKitWebDriver) on free loopback ports and stops it
//! when the guard is dropped, even when a test panics.

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long `tauri-driver` may take to answer `/status`.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// A running `tauri-driver`.
#[derive(Debug)]
pub struct TauriDriver {
    child: Child,
    port: u16,
}

/// Each journey starts as a fresh install does: no sign-in kept by the app
/// from an earlier journey (the app keeps it in `ROLLCALL_APP_DATA_DIR` when
/// that is set). A journey that restarts the app within one driver keeps it.
fn forget_kept_sign_in(env: &[(&str, &Path)]) -> Result<(), String> {
    let folder = env
        .iter()
        .find(|(name, _)| *name == "ROLLCALL_APP_DATA_DIR")
        .map(|(_, folder)| folder.to_path_buf())
        .or_else(|| std::env::var_os("ROLLCALL_APP_DATA_DIR").map(PathBuf::from));
    let Some(kept) = folder.map(|f| f.join("sign-in.json")) else {
        return Ok(());
    };
    match std::fs::remove_file(&kept) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(format!("cannot remove {}: {e}", kept.display()))
        }
        _ => Ok(()),
    }
}

impl TauriDriver {
    /// Starts `tauri-driver`, writing its output (and the app's) to `log`, and waits until
    /// it answers.
    ///
    /// # Errors
    /// When the binary cannot be found or started, or does not answer in time.
    pub async fn start(log: &Path) -> Result<Self, String> {
        Self::start_with_env(log, &[]).await
    }

    /// [`TauriDriver::start`] with extra environment variables for the app it starts.
    ///
    /// # Errors
    /// As [`TauriDriver::start`].
    pub async fn start_with_env(log: &Path, env: &[(&str, &Path)]) -> Result<Self, String> {
        forget_kept_sign_in(env)?;
        let binary = find_tauri_driver()?;
        let port = free_port()?;
        let native_port = free_port()?;
        let log = File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        let log_err = log
            .try_clone()
            .map_err(|e| format!("cannot share the log file: {e}"))?;
        let child = Command::new(&binary)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", binary.display()))?;
        let mut driver = Self { child, port };
        driver.wait_until_ready().await?;
        Ok(driver)
    }

    /// The WebDriver endpoint, such as `http://127.0.0.1:4444`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn wait_until_ready(&mut self) -> Result<(), String> {
        let http = reqwest::Client::new();
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        let status = format!("{}/status", self.url());
        loop {
            if let Ok(Some(exit)) = self.child.try_wait() {
                return Err(format!("tauri-driver exited early: {exit}"));
            }
            if let Ok(response) = http.get(&status).send().await {
                if response.status().is_success() {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "tauri-driver did not answer at {status} within {STARTUP_TIMEOUT:?}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        // On SIGTERM tauri-driver stops WebKitWebDriver too; SIGKILL would leave it behind.
        // std has no way to send SIGTERM without `unsafe`, so ask `kill(1)`.
        let terminated = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .is_ok_and(|status| status.success());
        if terminated {
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `tauri-driver` on PATH, else where `cargo install` puts it.
fn find_tauri_driver() -> Result<PathBuf, String> {
    let on_path: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("tauri-driver"))
                .collect()
        })
        .unwrap_or_default();
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    on_path
        .into_iter()
        .chain(cargo_home.map(|home| home.join("bin").join("tauri-driver")))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| {
            "tauri-driver not found on PATH or in ~/.cargo/bin; \
             install it with `cargo install tauri-driver --version 2.1.0 --locked`"
                .to_owned()
        })
}

/// A loopback port that was free a moment ago.
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener
        .local_addr()
        .map(|addr| addr.port())
        .map_err(|e| format!("no free port: {e}"))
}
