//! Live roster changes. Every write to a record or claim sends a Postgres
//! NOTIFY in its own transaction; each server process LISTENs and fans the
//! changes out to its WebSockets, so replicas behind a load balancer all see
//! every mark, whichever replica wrote it.

use std::time::Duration;

use rollcall_core::api::SessionStatus;
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
    /// When the class itself started or ended: whose class it is, so that each
    /// user's event socket can tell without asking the database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<ClassChange>,
}

/// A class that started or ended, and whose it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassChange {
    /// The division it is held for.
    pub division_id: Uuid,
    /// Its teacher.
    pub teacher_id: Uuid,
    /// Where it is now.
    pub status: SessionStatus,
}

/// A NOTIFY payload: one change, or (from the claim writer) a list of them.
#[derive(Deserialize)]
#[serde(untagged)]
enum Payload {
    One(RosterChange),
    Many(Vec<RosterChange>),
}

/// The changes a NOTIFY payload carries; nothing for a payload not ours.
fn changes(payload: &str) -> Vec<RosterChange> {
    match serde_json::from_str::<Payload>(payload) {
        Ok(Payload::One(change)) => vec![change],
        Ok(Payload::Many(changes)) => changes,
        Err(_) => Vec::new(),
    }
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
    send(
        conn,
        &RosterChange {
            session_id,
            student_id: student_id.into(),
            class: None,
        },
    )
    .await
}

/// Announces that a class started or ended (its whole roster changed too),
/// delivered when the caller's transaction commits.
///
/// # Errors
/// When the database fails.
pub async fn class_changed(
    conn: &mut PgConnection,
    session_id: Uuid,
    class: ClassChange,
) -> anyhow::Result<()> {
    send(
        conn,
        &RosterChange {
            session_id,
            student_id: None,
            class: Some(class),
        },
    )
    .await
}

async fn send(conn: &mut PgConnection, change: &RosterChange) -> anyhow::Result<()> {
    let payload = serde_json::to_string(change)?;
    sqlx::query!("SELECT pg_notify($1, $2)", CHANNEL, payload)
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
                        for change in changes(note.payload()) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_carry_one_change_or_a_list() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let one = format!(r#"{{"session_id":"{a}","student_id":null}}"#);
        assert_eq!(
            changes(&one),
            vec![RosterChange {
                session_id: a,
                student_id: None,
                class: None
            }]
        );
        // As Postgres's json_build_object writes it, with spaces.
        let many = format!(
            r#"[{{"session_id" : "{a}", "student_id" : "{b}"}}, {{"session_id" : "{b}", "student_id" : "{a}"}}]"#
        );
        assert_eq!(
            changes(&many),
            vec![
                RosterChange {
                    session_id: a,
                    student_id: Some(b),
                    class: None
                },
                RosterChange {
                    session_id: b,
                    student_id: Some(a),
                    class: None
                }
            ]
        );
        let started = RosterChange {
            session_id: a,
            student_id: None,
            class: Some(ClassChange {
                division_id: b,
                teacher_id: a,
                status: SessionStatus::Running,
            }),
        };
        let text = serde_json::to_string(&started).unwrap();
        assert_eq!(changes(&text), vec![started]);
        assert!(changes("not ours").is_empty());
        assert!(changes(r#"{"session_id":"x"}"#).is_empty());
    }
}
