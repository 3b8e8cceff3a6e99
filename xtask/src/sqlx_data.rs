//! The server's checked SQL: `backend/.sqlx/` holds what the schema answered for
//! each static statement, so that builds need no database. `cargo xtask test`
//! fails while it is stale; `cargo xtask sqlx` refreshes it.

use std::path::Path;
use std::process::Command;

use crate::prerequisites::Tools;
use crate::shell::{cargo, run, step, Result};

/// The scratch database the statements are checked against, beside the tests'.
const CHECK_DB: &str = "rollcall_sqlx";

/// `url` with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> Result<String> {
    let (base, _) = url
        .rsplit_once('/')
        .ok_or_else(|| format!("not a database URL: {url}"))?;
    Ok(format!("{base}/{name}"))
}

/// A fresh database with every migration, next to the one `url` names.
fn fresh_schema(tools: &Tools, url: &str) -> Result<String> {
    let scratch = with_database(url, CHECK_DB)?;
    let sqlx = tools.cargo_bin.join("sqlx");
    let migrations = crate::workspace_root().join("migrations");
    run(
        "sqlx database drop",
        Command::new(&sqlx)
            .args(["database", "drop", "-y", "--database-url", &scratch])
            .env_remove("DATABASE_URL"),
    )?;
    run(
        "sqlx database setup",
        Command::new(&sqlx)
            .args(["database", "setup", "--database-url", &scratch, "--source"])
            .arg(&migrations)
            .env_remove("DATABASE_URL"),
    )?;
    Ok(scratch)
}

fn prepare(tools: &Tools, url: &str, check: bool) -> Result<()> {
    let scratch = fresh_schema(tools, url)?;
    let backend = crate::workspace_root().join("backend");
    let mut cmd = cargo();
    cmd.args(["sqlx", "prepare"]);
    if check {
        cmd.arg("--check");
    }
    run(
        if check {
            "cargo sqlx prepare --check"
        } else {
            "cargo sqlx prepare"
        },
        cmd.current_dir(&backend)
            .env("PATH", tools.path())
            .env("DATABASE_URL", &scratch),
    )
}

/// Fails when a statement's query file is missing or differs from what the
/// migrated schema answers now.
pub fn check(tools: &Tools, database_url: &str) -> Result<()> {
    step("Checked SQL: backend/.sqlx matches the statements and the migrations");
    prepare(tools, database_url, true).map_err(|e| {
        format!("{e}\n    the server's query files are stale: run `cargo xtask sqlx` and commit backend/.sqlx")
    })
}

/// `cargo xtask sqlx`: rewrites `backend/.sqlx` from the statements and the
/// migrations, next to `DATABASE_URL` when it is set, else on a private database
/// under `data` (started by the server binary already built: a build with stale
/// query files fails, so the binary of the last good build does it).
pub fn refresh(tools: &Tools, data: &Path) -> Result<()> {
    if let Some(url) = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        prepare(tools, &url, false)?;
        println!("    backend/.sqlx is up to date; commit it with the statements it describes");
        return Ok(());
    }
    if !crate::server::binary().exists() {
        step("Build the server (for its private Postgres)");
        run(
            "cargo build",
            cargo().args(["build", "-p", "rollcall-server"]),
        )?;
    }
    step("Private Postgres for the query files");
    let url = crate::server::start_database(data)?;
    let result = prepare(tools, &url, false);
    crate::server::stop_database(data);
    result?;
    println!("    backend/.sqlx is up to date; commit it with the statements it describes");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_scratch_database_sits_beside_the_tests_one() {
        assert_eq!(
            with_database("postgres://u:p@127.0.0.1:5/rollcall", "rollcall_sqlx").as_deref(),
            Ok("postgres://u:p@127.0.0.1:5/rollcall_sqlx")
        );
        assert!(with_database("nothing", "x").is_err());
    }
}
