//! Privacy: location evidence is kept only for the retention period, and a
//! student can download everything held about them.

use std::time::Duration;

use sqlx::PgPool;

/// Default days location evidence is kept.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;

/// Removes location evidence and face thumbnails from claims scanned more
/// than `days` ago;
/// returns how many claims were cleared.
///
/// # Errors
/// When the database fails.
pub async fn purge_locations(pool: &PgPool, days: u32) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE claims SET location = NULL, thumbnail = NULL
         WHERE (location IS NOT NULL OR thumbnail IS NOT NULL)
           AND scanned_at < now() - make_interval(days => $1)",
        i32::try_from(days).unwrap_or(i32::MAX)
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// Purges once an hour for as long as the pool is open, keeping evidence for the
/// days the Settings screen says (read at each run, so a change applies within the hour).
pub fn spawn_retention(pool: PgPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if pool.is_closed() {
                return;
            }
            let days: Result<i32, sqlx::Error> =
                sqlx::query_scalar!("SELECT retention_days FROM school_settings")
                    .fetch_one(&pool)
                    .await;
            let days = match days {
                Ok(days) => u32::try_from(days).unwrap_or(DEFAULT_RETENTION_DAYS),
                Err(e) => {
                    tracing::warn!(error = %e, "retention setting unreadable");
                    continue;
                }
            };
            match purge_locations(&pool, days).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(claims = n, days, "purged old location evidence"),
                Err(e) => tracing::warn!(error = %e, "location purge failed"),
            }
        }
    });
}
