//! Live roster changes. Every write to a record or claim sends a Postgres
//! NOTIFY in its own transaction; each server process LISTENs and fans the
//! changes out to its WebSockets, so replicas behind a load balancer all see
//! every mark, whichever replica wrote it.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use sqlx::{PgConnection, PgPool};
use tokio::sync::broadcast;
use uuid::Uuid;

/// The NOTIFY channel.
pub const CHANNEL: &str = "rollcall_roster";

/// One student's line in one session changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterChange {
    /// The session.
    pub session_id: Uuid,
    /// The student; `None` when the whole roster changed (session ended).
    pub student_id: Option<Uuid>,
}

/// The NOTIFY payload of a change (for statements that notify themselves).
///
/// # Errors
/// Never in practice (two ids as JSON).
pub fn payload(session_id: Uuid, student_id: Option<Uuid>) -> serde_json::Result<String> {
    serde_json::to_string(&RosterChange {
        session_id,
        student_id,
    })
}

/// Announces a change, delivered when the caller's transaction commits.
///
/// # Errors
/// When the database fails.
pub async fn notify(
    conn: &mut PgConnection,
    session_id: Uuid,
    student_id: impl Into<Option<Uuid>>,
) -> anyhow::Result<()> {
    let payload = serde_json::to_string(&RosterChange {
        session_id,
        student_id: student_id.into(),
    })?;
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(payload)
        .execute(conn)
        .await?;
    Ok(())
}

/// This process's fan-out of roster changes.
#[derive(Debug, Clone)]
pub struct LiveHub {
    sender: broadcast::Sender<RosterChange>,
}

impl Default for LiveHub {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(1024).0,
        }
    }
}

impl LiveHub {
    /// A receiver of every change from now on.
    #[must_use]
    pub fn subscribe(&self) -> broadcast::Receiver<RosterChange> {
        self.sender.subscribe()
    }

    /// Listens on `pool`'s database for as long as the process runs,
    /// reconnecting after failures. Returns once the first LISTEN is in place.
    ///
    /// # Errors
    /// When the first connection cannot be made.
    pub async fn listen(&self, pool: &PgPool) -> anyhow::Result<()> {
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        let sender = self.sender.clone();
        let pool = pool.clone();
        tokio::spawn(async move {
            loop {
                match listener.try_recv().await {
                    Ok(Some(note)) => {
                        if let Ok(change) = serde_json::from_str::<RosterChange>(note.payload()) {
                            // No receivers is fine: nobody is watching.
                            let _ = sender.send(change);
                        }
                    }
                    // The connection dropped; PgListener reconnects on the next call.
                    Ok(None) => tracing::warn!("live roster listener reconnecting"),
                    Err(e) => {
                        if pool.is_closed() {
                            return;
                        }
                        tracing::warn!(error = %e, "live roster listener failed; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(())
    }
}
