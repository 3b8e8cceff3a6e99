//! The real `rollcall-server` binary on its own private Postgres: first start,
//! restart with the data kept, recovery after `kill -9`, and a clean stop.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use std::io::{BufRead as _, BufReader};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(data_dir: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rollcall-server"))
            .arg("serve")
            .env("ROLLCALL_DATA_DIR", data_dir)
            .env("ROLLCALL_LISTEN", "127.0.0.1:0")
            .env_remove("DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("server binary starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("server prints its address");
        let base = line
            .trim()
            .rsplit(' ')
            .next()
            .filter(|u| u.starts_with("http://"))
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .to_owned();
        Self { child, base }
    }

    fn signal(&mut self, signal: Signal) -> std::process::ExitStatus {
        let pid = Pid::from_raw(i32::try_from(self.child.id()).expect("pid fits"));
        kill(pid, signal).expect("signal is delivered");
        self.child.wait().expect("server exits")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn seed(data_dir: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_rollcall-server"))
        .arg("seed-demo")
        .env("ROLLCALL_DATA_DIR", data_dir)
        .env_remove("DATABASE_URL")
        .output()
        .expect("seed-demo runs");
    assert!(
        out.status.success(),
        "seed-demo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("60 students"), "{text}");
    assert!(text.contains("teacher1  / rollcall-teacher"), "{text}");
}

async fn status(base: &str, path: &str) -> u16 {
    reqwest::get(format!("{base}{path}"))
        .await
        .map_or(0, |r| r.status().as_u16())
}

async fn teacher_signs_in(base: &str) -> bool {
    reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"login": "teacher1", "password": "rollcall-teacher"}))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
}

fn cluster_is_running(data_dir: &Path) -> bool {
    let pid = data_dir.join("pg/data/postmaster.pid");
    std::fs::read_to_string(pid)
        .ok()
        .and_then(|t| t.lines().next().and_then(|l| l.trim().parse::<i32>().ok()))
        .is_some_and(|pid| kill(Pid::from_raw(pid), None).is_ok())
}

/// A data folder the unprivileged Postgres account can reach when the tests
/// run as root.
fn data_folder() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix("rollcall-cluster-")
        .tempdir()
        .expect("tempdir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let data = dir.path().join("data");
    (dir, data)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_private_cluster_keeps_data_across_restarts_and_recovers_from_kill_9() {
    let (_guard, data) = data_folder();
    seed(&data);
    assert!(
        !cluster_is_running(&data),
        "seed-demo stops the cluster it started"
    );

    let mut server = Server::start(&data);
    assert_eq!(status(&server.base, "/health/ready").await, 200);
    assert!(
        teacher_signs_in(&server.base).await,
        "seeded data is served"
    );
    let exit = server.signal(Signal::SIGTERM);
    assert!(exit.success(), "SIGTERM is a clean shutdown: {exit:?}");
    assert!(
        !cluster_is_running(&data),
        "a clean shutdown stops Postgres"
    );
    drop(server);

    let mut server = Server::start(&data);
    assert_eq!(status(&server.base, "/health/ready").await, 200);
    assert!(
        teacher_signs_in(&server.base).await,
        "data survives a restart"
    );
    server.signal(Signal::SIGKILL);
    drop(server);
    assert!(
        cluster_is_running(&data),
        "after kill -9 Postgres is orphaned, still running"
    );

    let mut server = Server::start(&data);
    assert_eq!(
        status(&server.base, "/health/ready").await,
        200,
        "the cluster is recovered"
    );
    assert!(teacher_signs_in(&server.base).await);
    let exit = server.signal(Signal::SIGINT);
    assert!(exit.success(), "SIGINT is a clean shutdown: {exit:?}");
    assert!(!cluster_is_running(&data));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stale_pid_file_after_a_crash_is_recovered() {
    let (_guard, data) = data_folder();
    seed(&data);
    // A machine crash leaves postmaster.pid behind with no process.
    let pid_file = data.join("pg/data/postmaster.pid");
    std::fs::write(
        &pid_file,
        "999999\n/nowhere\n0\n5432\n\n127.0.0.1\n0 0\nready\n",
    )
    .unwrap();
    let mut server = Server::start(&data);
    assert_eq!(status(&server.base, "/health/ready").await, 200);
    assert!(server.signal(Signal::SIGTERM).success());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_server_on_the_same_folder_is_refused_clearly() {
    let (_guard, data) = data_folder();
    let mut first = Server::start(&data);
    let out = Command::new(env!("CARGO_BIN_EXE_rollcall-server"))
        .arg("migrate")
        .env("ROLLCALL_DATA_DIR", &data)
        .env_remove("DATABASE_URL")
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already using the private database"), "{err}");
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert!(first.signal(Signal::SIGTERM).success());
}

#[test]
fn a_bad_listen_address_fails_with_a_message_naming_the_variable() {
    let out = Command::new(env!("CARGO_BIN_EXE_rollcall-server"))
        .env("ROLLCALL_LISTEN", "not-an-address")
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ROLLCALL_LISTEN"));
}

#[test]
fn an_unknown_subcommand_exits_2_with_usage() {
    let out = Command::new(env!("CARGO_BIN_EXE_rollcall-server"))
        .arg("serv")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("USAGE"));
}
