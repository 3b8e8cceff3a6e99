//! The embedded default database: without `DATABASE_URL` the server runs a
//! Postgres cluster of its own under `ROLLCALL_DATA_DIR/pg`, so a newcomer
//! needs no set-up.
//!
//! Layout under the data folder:
//! - `pg/data`: the cluster (`initdb` runs once; `pg/initialised` marks success,
//!   so an interrupted first run is redone rather than half-used);
//! - `pg/postgres.log`: the cluster's log;
//! - `pg-password`: the generated superuser password (mode 0600);
//! - `pg.lock`: held while a server uses the cluster, so two servers never
//!   share it; the OS drops it when the process dies, even on `kill -9`.
//!
//! After a crash the cluster may still be running (it is started in its own
//! process group, so it outlives the server): it is reused. A stale
//! `postmaster.pid` with no server behind it is removed before starting.
//! Postgres refuses to run as root, so under root every Postgres command runs
//! through `runuser` as `ROLLCALL_PG_USER` (default `postgres`).

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use rand::distributions::{Alphanumeric, DistString as _};
use sqlx::{Connection as _, PgConnection};
use tokio::process::Command;

/// The superuser and database the server uses inside its private cluster.
const DB_NAME: &str = "rollcall";

/// Why the private cluster could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No `initdb`/`pg_ctl` on the machine.
    #[error(
        "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or in \
         /usr/lib/postgresql/*/bin; install them (Debian/Ubuntu: apt-get install postgresql) \
         or set DATABASE_URL to an existing server"
    )]
    BinariesNotFound,
    /// Running as root without an account to run Postgres as.
    #[error(
        "running as root, the private database must run as an unprivileged account, but user \
         {0:?} does not exist; create it (apt-get install postgresql creates 'postgres') or set \
         ROLLCALL_PG_USER"
    )]
    NoPgUser(String),
    /// The account that runs Postgres cannot reach the data folder.
    #[error(
        "user {user} cannot enter {dir}, which holds the private database; set ROLLCALL_DATA_DIR \
         to a folder it can reach (for example /var/lib/rollcall-data)"
    )]
    NotTraversable {
        /// The account that runs Postgres.
        user: String,
        /// The folder it cannot enter.
        dir: PathBuf,
    },
    /// Another server holds the cluster.
    #[error("another rollcall-server is already using the private database in {0}")]
    InUse(PathBuf),
    /// The cluster was initialised but its password file is gone.
    #[error("{0} is missing; the private database cannot be opened without it")]
    MissingPassword(PathBuf),
    /// A Postgres command failed.
    #[error("{action} failed: {detail}")]
    Command {
        /// What was being done.
        action: &'static str,
        /// What the command printed.
        detail: String,
    },
    /// A file operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The `rollcall` database could not be created.
    #[error("cannot prepare the rollcall database: {0}")]
    Database(#[from] sqlx::Error),
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> ClusterError {
    let context = context.into();
    move |source| ClusterError::Io { context, source }
}

/// Where the cluster's files live.
#[derive(Debug, Clone)]
struct Layout {
    pg: PathBuf,
    pgdata: PathBuf,
    log: PathBuf,
    marker: PathBuf,
    password: PathBuf,
    lock: PathBuf,
}

impl Layout {
    fn new(data_dir: &Path) -> Self {
        let pg = data_dir.join("pg");
        Self {
            pgdata: pg.join("data"),
            log: pg.join("postgres.log"),
            marker: pg.join("initialised"),
            password: data_dir.join("pg-password"),
            lock: data_dir.join("pg.lock"),
            pg,
        }
    }
}

/// The unprivileged account Postgres runs as when the server is root.
#[derive(Debug, Clone)]
struct RunAs {
    name: String,
    uid: nix::unistd::Uid,
    gid: nix::unistd::Gid,
}

/// A running private cluster. Dropping it leaves Postgres running (as after a
/// crash); [`PrivateCluster::stop`] shuts it down.
#[derive(Debug)]
pub struct PrivateCluster {
    layout: Layout,
    bin_dir: PathBuf,
    run_as: Option<RunAs>,
    port: u16,
    password: String,
    _lock: File,
}

impl PrivateCluster {
    /// Initialises the cluster on first use, starts it (or adopts one left
    /// running by a crashed server) and makes sure the `rollcall` database
    /// exists.
    ///
    /// # Errors
    /// A [`ClusterError`] that says what to install or change.
    pub async fn start(data_dir: &Path, pg_user: &str) -> Result<Self, ClusterError> {
        let bin_dir = find_binaries()?;
        let run_as = if nix::unistd::geteuid().is_root() {
            let user = nix::unistd::User::from_name(pg_user)
                .ok()
                .flatten()
                .ok_or_else(|| ClusterError::NoPgUser(pg_user.to_owned()))?;
            Some(RunAs {
                name: user.name,
                uid: user.uid,
                gid: user.gid,
            })
        } else {
            None
        };
        let layout = Layout::new(data_dir);
        prepare_folders(data_dir, &layout, run_as.as_ref())?;
        let lock = take_lock(&layout)?;

        let mut cluster = Self {
            layout,
            bin_dir,
            run_as,
            port: 0,
            password: String::new(),
            _lock: lock,
        };
        cluster.initialise_once().await?;
        cluster.password = fs::read_to_string(&cluster.layout.password)
            .map_err(|_| ClusterError::MissingPassword(cluster.layout.password.clone()))?
            .trim()
            .to_owned();
        cluster.port = match cluster.running_port().await? {
            Some(port) => {
                tracing::info!(port, "adopting the private database left running");
                port
            }
            None => cluster.start_postgres().await?,
        };
        cluster.ensure_database().await?;
        Ok(cluster)
    }

    /// The URL of the `rollcall` database in this cluster.
    #[must_use]
    pub fn database_url(&self) -> String {
        self.url_for(DB_NAME)
    }

    /// The loopback port the cluster listens on.
    #[must_use]
    pub const fn port(&self) -> u16 {
        self.port
    }

    fn url_for(&self, db: &str) -> String {
        format!(
            "postgres://{DB_NAME}:{}@127.0.0.1:{}/{db}",
            self.password, self.port
        )
    }

    /// Stops Postgres (fast shutdown: open transactions roll back, data is kept).
    ///
    /// # Errors
    /// When `pg_ctl stop` fails while the cluster is still running.
    pub async fn stop(self) -> Result<(), ClusterError> {
        stop_cluster_at(&self.layout, &self.bin_dir, self.run_as.as_ref()).await
    }

    async fn initialise_once(&self) -> Result<(), ClusterError> {
        let l = &self.layout;
        if l.marker.exists() {
            return Ok(());
        }
        if l.pgdata.exists() {
            tracing::warn!("removing a private database whose first set-up did not finish");
            fs::remove_dir_all(&l.pgdata).map_err(io("removing an unfinished cluster"))?;
        }
        tracing::info!(dir = %l.pgdata.display(), "initialising the private database (first start)");
        let password = Alphanumeric.sample_string(&mut rand::thread_rng(), 32);
        let pwfile = l.pg.join("initdb-password");
        write_private(&pwfile, &password, self.run_as.as_ref())?;
        let result = self
            .pg_command(
                "initdb",
                "initdb",
                &[
                    "-D".as_ref(),
                    l.pgdata.as_os_str(),
                    "-U".as_ref(),
                    DB_NAME.as_ref(),
                    "--auth=scram-sha-256".as_ref(),
                    format!("--pwfile={}", pwfile.display()).as_ref(),
                    "-E".as_ref(),
                    "UTF8".as_ref(),
                    "--no-locale".as_ref(),
                ],
            )
            .await;
        let _ = fs::remove_file(&pwfile);
        result?;
        let mut conf = OpenOptions::new()
            .append(true)
            .open(l.pgdata.join("postgresql.conf"))
            .map_err(io("opening postgresql.conf"))?;
        conf.write_all(
            b"\n# rollcall: loopback TCP only; the port is chosen at each start\n\
              listen_addresses = '127.0.0.1'\nunix_socket_directories = ''\n",
        )
        .map_err(io("writing postgresql.conf"))?;
        write_private(&l.password, &password, None)?;
        fs::write(&l.marker, b"ok\n").map_err(io("marking the cluster initialised"))?;
        Ok(())
    }

    /// The port of a cluster already running in this folder, if any; a stale
    /// pid file is removed.
    async fn running_port(&self) -> Result<Option<u16>, ClusterError> {
        if !pg_ctl_is_running(&self.layout, &self.bin_dir, self.run_as.as_ref()).await? {
            let pid_file = self.layout.pgdata.join("postmaster.pid");
            if pid_file.exists() {
                tracing::warn!("removing a stale postmaster.pid left by a crash");
                fs::remove_file(&pid_file).map_err(io("removing a stale postmaster.pid"))?;
            }
            return Ok(None);
        }
        let pid = fs::read_to_string(self.layout.pgdata.join("postmaster.pid"))
            .map_err(io("reading postmaster.pid"))?;
        Ok(pid.lines().nth(3).and_then(|p| p.trim().parse().ok()))
    }

    async fn start_postgres(&self) -> Result<u16, ClusterError> {
        let mut last = None;
        for _attempt in 0..3 {
            let port = free_port()?;
            let l = &self.layout;
            let started = self
                .pg_command(
                    "pg_ctl",
                    "starting the private database",
                    &[
                        "start".as_ref(),
                        "-w".as_ref(),
                        "-t".as_ref(),
                        "60".as_ref(),
                        "-D".as_ref(),
                        l.pgdata.as_os_str(),
                        "-l".as_ref(),
                        l.log.as_os_str(),
                        "-o".as_ref(),
                        format!("-p {port}").as_ref(),
                    ],
                )
                .await;
            match started {
                Ok(_) => {
                    tracing::info!(port, "private database started");
                    return Ok(port);
                }
                Err(e) => last = Some(e),
            }
        }
        let mut err = last.unwrap_or(ClusterError::Command {
            action: "starting the private database",
            detail: String::new(),
        });
        if let ClusterError::Command { detail, .. } = &mut err {
            detail.push_str("\n--- postgres.log (last lines) ---\n");
            detail.push_str(&tail(&self.layout.log, 15));
        }
        Err(err)
    }

    async fn ensure_database(&self) -> Result<(), ClusterError> {
        let mut conn = connect_with_retry(&self.url_for("postgres")).await?;
        let exists = sqlx::query_scalar!(
            "SELECT 1 AS one FROM pg_database WHERE datname = $1",
            DB_NAME
        )
        .fetch_optional(&mut conn)
        .await?;
        if exists.is_none() {
            // DB_NAME; an identifier cannot be a parameter.
            sqlx::query!("CREATE DATABASE rollcall")
                .execute(&mut conn)
                .await?;
        }
        conn.close().await?;
        Ok(())
    }

    async fn pg_command(
        &self,
        program: &str,
        action: &'static str,
        args: &[&std::ffi::OsStr],
    ) -> Result<Output, ClusterError> {
        run_pg(
            &self.bin_dir,
            self.run_as.as_ref(),
            &self.layout.pg,
            program,
            action,
            args,
        )
        .await
    }
}

/// Stops the cluster under `data_dir` if one is running (used by
/// `rollcall-server db stop`).
///
/// # Errors
/// When the binaries are missing or `pg_ctl stop` fails.
pub async fn stop_cluster(data_dir: &Path, pg_user: &str) -> Result<(), ClusterError> {
    let bin_dir = find_binaries()?;
    let run_as = if nix::unistd::geteuid().is_root() {
        nix::unistd::User::from_name(pg_user)
            .ok()
            .flatten()
            .map(|u| RunAs {
                name: u.name,
                uid: u.uid,
                gid: u.gid,
            })
    } else {
        None
    };
    let layout = Layout::new(data_dir);
    if !layout.marker.exists() {
        return Ok(());
    }
    stop_cluster_at(&layout, &bin_dir, run_as.as_ref()).await
}

async fn stop_cluster_at(
    layout: &Layout,
    bin_dir: &Path,
    run_as: Option<&RunAs>,
) -> Result<(), ClusterError> {
    if !pg_ctl_is_running(layout, bin_dir, run_as).await? {
        return Ok(());
    }
    run_pg(
        bin_dir,
        run_as,
        &layout.pg,
        "pg_ctl",
        "stopping the private database",
        &[
            "stop".as_ref(),
            "-w".as_ref(),
            "-m".as_ref(),
            "fast".as_ref(),
            "-D".as_ref(),
            layout.pgdata.as_os_str(),
        ],
    )
    .await?;
    tracing::info!("private database stopped");
    Ok(())
}

async fn pg_ctl_is_running(
    layout: &Layout,
    bin_dir: &Path,
    run_as: Option<&RunAs>,
) -> Result<bool, ClusterError> {
    let out = pg_process(bin_dir, run_as, &layout.pg, "pg_ctl")
        .arg("status")
        .arg("-D")
        .arg(&layout.pgdata)
        .output()
        .await
        .map_err(io("running pg_ctl status"))?;
    // pg_ctl status: 0 running, 3 not running, 4 no usable data folder.
    Ok(out.status.code() == Some(0))
}

fn pg_process(bin_dir: &Path, run_as: Option<&RunAs>, cwd: &Path, program: &str) -> Command {
    let bin = bin_dir.join(program);
    let mut cmd = match run_as {
        Some(user) => {
            let mut c = Command::new("runuser");
            c.arg("-u").arg(&user.name).arg("--").arg(bin);
            c
        }
        None => Command::new(bin),
    };
    // Its own process group: a Ctrl-C meant for the server must not reach
    // Postgres before the server has shut down cleanly.
    cmd.current_dir(cwd).process_group(0).kill_on_drop(false);
    cmd
}

async fn run_pg(
    bin_dir: &Path,
    run_as: Option<&RunAs>,
    cwd: &Path,
    program: &str,
    action: &'static str,
    args: &[&std::ffi::OsStr],
) -> Result<Output, ClusterError> {
    let out = pg_process(bin_dir, run_as, cwd, program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .map_err(io(format!("running {program}")))?;
    if out.status.success() {
        Ok(out)
    } else {
        let mut detail = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        if detail.is_empty() {
            detail = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        }
        Err(ClusterError::Command { action, detail })
    }
}

async fn connect_with_retry(url: &str) -> Result<PgConnection, ClusterError> {
    let mut delay = Duration::from_millis(100);
    for _ in 0..20 {
        match PgConnection::connect(url).await {
            Ok(c) => return Ok(c),
            Err(e) if delay < Duration::from_secs(2) => {
                tracing::debug!(error = %e, "private database not accepting connections yet");
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            Err(_) => tokio::time::sleep(delay).await,
        }
    }
    Ok(PgConnection::connect(url).await?)
}

/// The folder holding `initdb` and `pg_ctl`: PATH first, then the newest
/// `/usr/lib/postgresql/*/bin`.
fn find_binaries() -> Result<PathBuf, ClusterError> {
    let has_both = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if has_both(&dir) {
                // Follow a symlinked initdb to its real folder, where the
                // matching `postgres` binary lives.
                let real = fs::canonicalize(dir.join("initdb")).ok();
                let real_dir = real
                    .as_deref()
                    .and_then(Path::parent)
                    .map(Path::to_path_buf);
                return Ok(real_dir.filter(|d| has_both(d)).unwrap_or(dir));
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            has_both(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .ok_or(ClusterError::BinariesNotFound)
}

fn prepare_folders(
    data_dir: &Path,
    layout: &Layout,
    run_as: Option<&RunAs>,
) -> Result<(), ClusterError> {
    fs::create_dir_all(data_dir).map_err(io(format!("creating {}", data_dir.display())))?;
    if !layout.pg.exists() {
        fs::create_dir(&layout.pg).map_err(io(format!("creating {}", layout.pg.display())))?;
    }
    fs::set_permissions(&layout.pg, fs::Permissions::from_mode(0o700))
        .map_err(io("securing the database folder"))?;
    let Some(user) = run_as else { return Ok(()) };
    // The data folder itself must let the Postgres account pass through.
    let meta = fs::metadata(data_dir).map_err(io("reading the data folder"))?;
    if meta.mode() & 0o001 == 0 {
        fs::set_permissions(
            data_dir,
            fs::Permissions::from_mode(meta.mode() & 0o7777 | 0o711),
        )
        .map_err(io("opening the data folder to the database account"))?;
    }
    for dir in data_dir.ancestors() {
        if !can_enter(dir, user)? {
            return Err(ClusterError::NotTraversable {
                user: user.name.clone(),
                dir: dir.into(),
            });
        }
    }
    chown_tree(&layout.pg, user)
}

fn can_enter(dir: &Path, user: &RunAs) -> Result<bool, ClusterError> {
    let meta = fs::metadata(dir).map_err(io(format!("reading {}", dir.display())))?;
    let mode = meta.mode();
    Ok(mode & 0o001 != 0
        || (meta.uid() == user.uid.as_raw() && mode & 0o100 != 0)
        || (meta.gid() == user.gid.as_raw() && mode & 0o010 != 0))
}

fn chown_tree(path: &Path, user: &RunAs) -> Result<(), ClusterError> {
    let meta = fs::symlink_metadata(path).map_err(io(format!("reading {}", path.display())))?;
    if meta.uid() != user.uid.as_raw() {
        std::os::unix::fs::lchown(path, Some(user.uid.as_raw()), Some(user.gid.as_raw()))
            .map_err(io(format!("handing {} to {}", path.display(), user.name)))?;
    }
    if meta.is_dir() {
        for entry in fs::read_dir(path).map_err(io(format!("listing {}", path.display())))? {
            chown_tree(
                &entry.map_err(io("listing the database folder"))?.path(),
                user,
            )?;
        }
    }
    Ok(())
}

fn take_lock(layout: &Layout) -> Result<File, ClusterError> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&layout.lock)
        .map_err(io("opening the database lock"))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(ClusterError::InUse(layout.pg.clone())),
        Err(fs::TryLockError::Error(e)) => Err(io("locking the private database")(e)),
    }
}

fn write_private(path: &Path, contents: &str, owner: Option<&RunAs>) -> Result<(), ClusterError> {
    let mut f = OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .mode(0o600)
        .open(path)
        .map_err(io(format!("writing {}", path.display())))?;
    f.write_all(contents.as_bytes())
        .map_err(io(format!("writing {}", path.display())))?;
    if let Some(user) = owner {
        std::os::unix::fs::chown(path, Some(user.uid.as_raw()), Some(user.gid.as_raw()))
            .map_err(io(format!("handing {} to {}", path.display(), user.name)))?;
    }
    Ok(())
}

fn free_port() -> Result<u16, ClusterError> {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").map_err(io("finding a free loopback port"))?;
    Ok(listener
        .local_addr()
        .map_err(io("finding a free loopback port"))?
        .port())
}

fn tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
