//! The command line: `serve` (default), `migrate`, `seed-demo`, `db start`,
//! `db stop`.

use std::process::ExitCode;

use anyhow::Context as _;
use sqlx::PgPool;
use tracing_subscriber::EnvFilter;

use crate::auth::mailer::Mailer;
use crate::auth::tokens::TokenKeys;
use crate::config::Config;
use crate::http::{router, AppState, Settings};
use crate::private_cluster::{self, PrivateCluster};
use crate::{database, seed};

const USAGE: &str = "\
rollcall-server: the Rollcall attendance server

USAGE: rollcall-server [COMMAND]

COMMANDS:
  serve       apply migrations and serve the API (default)
  migrate     apply migrations and exit
  seed-demo   apply migrations, fill the demo school (idempotent) and exit
  db start    start the private database, print its URL and leave it running
  db stop     stop the private database
  help        print this text
  version     print the version

Configuration comes from the environment: ROLLCALL_LISTEN, DATABASE_URL,
ROLLCALL_DATA_DIR, ROLLCALL_JWT_SECRET, ROLLCALL_PG_USER, ROLLCALL_SMTP_URL,
ROLLCALL_MAIL_FROM, ROLLCALL_CORS_ORIGINS, ROLLCALL_METRICS_TOKEN,
ROLLCALL_LOGIN_LIMIT_PER_MINUTE, ROLLCALL_RATE_LIMIT_PER_MINUTE, ROLLCALL_LOG_FORMAT,
RUST_LOG (see the README).";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    Serve,
    Migrate,
    SeedDemo,
    DbStart,
    DbStop,
    Help,
    Version,
}

impl Command {
    fn parse(args: &[String]) -> Result<Self, String> {
        let words: Vec<&str> = args.iter().map(String::as_str).collect();
        match words.as_slice() {
            [] | ["serve"] => Ok(Self::Serve),
            ["migrate"] => Ok(Self::Migrate),
            ["seed-demo"] => Ok(Self::SeedDemo),
            ["db", "start"] => Ok(Self::DbStart),
            ["db", "stop"] => Ok(Self::DbStop),
            ["help" | "--help" | "-h"] => Ok(Self::Help),
            ["version" | "--version" | "-V"] => Ok(Self::Version),
            _ => Err(format!("unknown command: {}", words.join(" "))),
        }
    }
}

/// Runs the command line and returns the process exit code.
#[must_use]
pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match Command::parse(&args) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("error: {msg}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Help => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Command::Version => {
            println!("rollcall-server {}", crate::VERSION);
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    init_tracing();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("ROLLCALL_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    match command {
        Command::Serve => serve(&config).await,
        Command::Migrate => {
            let (pool, cluster) = open_database(&config).await?;
            database::migrate(&pool).await?;
            println!("migrations applied");
            close(pool, cluster).await
        }
        Command::SeedDemo => {
            let (pool, cluster) = open_database(&config).await?;
            database::migrate(&pool).await?;
            let counts = seed::seed_demo(&pool).await?;
            println!(
                "demo school ready: {} students, {} teachers, {} admin, {} divisions, {} subjects, \
                 {} rooms, {} access points, {} timetable slots",
                counts.students,
                counts.teachers,
                counts.admins,
                counts.divisions,
                counts.subjects,
                counts.rooms,
                counts.access_points,
                counts.timetable_slots
            );
            print_demo_logins();
            close(pool, cluster).await
        }
        Command::DbStart => {
            if config.database_url.is_some() {
                anyhow::bail!("DATABASE_URL is set: there is no private database to start");
            }
            let cluster = PrivateCluster::start(&config.data_dir, &config.pg_user).await?;
            println!("{}", cluster.database_url());
            // Left running on purpose: `db stop` ends it.
            drop(cluster);
            Ok(())
        }
        Command::DbStop => {
            private_cluster::stop_cluster(&config.data_dir, &config.pg_user).await?;
            Ok(())
        }
        Command::Help | Command::Version => Ok(()),
    }
}

/// Prints the demo logins (they are public demo credentials, not secrets).
pub fn print_demo_logins() {
    println!("demo logins:");
    for login in seed::DEMO_LOGINS {
        println!(
            "  {:<9} {:<9} / {}",
            login.role, login.username, login.password
        );
    }
}

async fn open_database(config: &Config) -> anyhow::Result<(PgPool, Option<PrivateCluster>)> {
    if let Some(url) = &config.database_url {
        return Ok((database::connect(url).await?, None));
    }
    let cluster = PrivateCluster::start(&config.data_dir, &config.pg_user)
        .await
        .context("Failed to start the private database")?;
    let pool = database::connect(&cluster.database_url()).await?;
    Ok((pool, Some(cluster)))
}

async fn close(pool: PgPool, cluster: Option<PrivateCluster>) -> anyhow::Result<()> {
    pool.close().await;
    if let Some(cluster) = cluster {
        cluster.stop().await?;
    }
    Ok(())
}

async fn serve(config: &Config) -> anyhow::Result<()> {
    let (pool, cluster) = open_database(config).await?;
    database::migrate(&pool).await?;
    let keys = TokenKeys::load(config.jwt_secret.as_deref(), &config.data_dir)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("Failed to listen on {}", config.listen))?;
    let shutdown = shutdown_signal()?;
    let addr = listener.local_addr()?;
    println!(
        "rollcall-server {} listening on http://{addr}",
        crate::VERSION
    );
    tracing::info!(%addr, "serving");
    let mailer = Mailer::new(config.smtp_url.as_deref(), &config.mail_from)?;
    let settings = Settings {
        cors_origins: config.cors_origins.clone(),
        metrics_token: config.metrics_token.clone(),
        limits: config.limits,
        school_offset: config.school_offset,
        trusted_proxies: config.trusted_proxies.clone(),
    };
    let template_key =
        crate::face_templates::TemplateKey::load(config.template_key.as_deref(), &config.data_dir)?;
    let state = AppState::new(pool.clone(), keys, mailer, template_key, settings);
    crate::privacy::spawn_retention(pool.clone());
    state.live.listen(&pool).await?;
    let app = router(state);
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    tracing::info!("shutting down");
    close(pool, cluster).await?;
    served.context("The HTTP server failed")
}

/// Signal handlers for SIGINT and SIGTERM, registered at once: a signal that
/// arrives after the server has said it is listening must be a clean shutdown,
/// never the default kill.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt()).context("Failed to watch SIGINT")?;
    let mut terminate = signal(SignalKind::terminate()).context("Failed to watch SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(words: &[&str]) -> Result<Command, String> {
        Command::parse(&words.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn no_arguments_means_serve() {
        assert_eq!(parse(&[]), Ok(Command::Serve));
        assert_eq!(parse(&["seed-demo"]), Ok(Command::SeedDemo));
        assert_eq!(parse(&["db", "start"]), Ok(Command::DbStart));
    }

    #[test]
    fn an_unknown_command_is_an_error_naming_it() {
        assert!(parse(&["serv"]).unwrap_err().contains("serv"));
        assert!(parse(&["db"]).is_err());
    }
}
