//! The connection pool and the migrations in the top-level `migrations/`.

use std::time::Duration;

use anyhow::Context as _;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

/// The migrations, embedded at build time from `migrations/`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Opens a pool to `url`.
///
/// # Errors
/// When the database cannot be reached.
pub async fn connect(url: &str) -> anyhow::Result<PgPool> {
    PgPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(Duration::from_secs(5))
        .connect(url)
        .await
        .context("Failed to connect to the database")
}

/// Applies the migrations that have not run yet.
///
/// # Errors
/// When a migration fails (it is rolled back) or the history disagrees.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR
        .run(pool)
        .await
        .context("Failed to apply database migrations")
}

/// The database could not be reached (no connection, a connection lost, the
/// pool exhausted or closed): the request may succeed later, so callers
/// answer 503, not 500.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the database is not reachable: {0}")]
pub struct Unreachable(pub String);

/// Whether `error` says the database could not be reached, rather than that
/// a statement failed.
#[must_use]
pub fn is_unreachable(error: &sqlx::Error) -> bool {
    matches!(
        error,
        sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
    )
}

/// Whether anything in `error`'s chain says the database could not be
/// reached.
#[must_use]
pub fn unreachable_in(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.is::<Unreachable>()
            || cause
                .downcast_ref::<sqlx::Error>()
                .is_some_and(is_unreachable)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lost_connection_is_unreachable_and_a_failed_statement_is_not() {
        assert!(unreachable_in(&anyhow::Error::new(
            sqlx::Error::PoolTimedOut
        )));
        assert!(unreachable_in(
            &anyhow::Error::new(Unreachable("gone".into())).context("reading claims")
        ));
        assert!(!unreachable_in(&anyhow::Error::new(
            sqlx::Error::RowNotFound
        )));
        assert!(!unreachable_in(&anyhow::anyhow!("a bug")));
    }
}
