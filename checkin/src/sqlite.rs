//! The app's outbox: a SQLite file (the engine tauri-plugin-sql wraps, used
//! from Rust so claims are kept with or without a window). A claim is written
//! (and synced to disk) before any network call, and removed only in the same
//! transaction that stores the server's answer for it, so a crash at any point
//! loses nothing and a resend is answered by the server's duplicate detection.

use std::path::Path;
use std::str::FromStr;

use rollcall_core::api::{ClaimResult, KioskMark};
use rollcall_core::signing::SignedClaim;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use uuid::Uuid;

use crate::store::{ClaimStore, OutboxError, Queued};

/// Now, in milliseconds since 1970: the order claims wait in.
fn unix_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The app's outbox, in a SQLite file.
#[derive(Debug, Clone)]
pub struct Outbox {
    pool: SqlitePool,
    path: String,
}

impl Outbox {
    /// Opens (creating and migrating) the outbox file at `path`.
    ///
    /// # Errors
    /// [`OutboxError::Storage`].
    pub async fn open(path: &Path) -> Result<Self, OutboxError> {
        let shown = path.display().to_string();
        let storage = |source: sqlx::Error| OutboxError::Storage {
            path: shown.clone(),
            reason: source.to_string(),
        };
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{shown}"))
            .map_err(storage)?
            .create_if_missing(true)
            // WAL + FULL: a committed claim survives a crash or a power cut.
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(std::time::Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(storage)?;
        sqlx::migrate!("./outbox-migrations")
            .run(&pool)
            .await
            .map_err(|e| storage(e.into()))?;
        Ok(Self { pool, path: shown })
    }

    fn storage(&self, source: &sqlx::Error) -> OutboxError {
        OutboxError::Storage {
            path: self.path.clone(),
            reason: source.to_string(),
        }
    }
}

impl ClaimStore for Outbox {
    /// Writes a claim; a claim id already queued or answered is left as it is.
    ///
    /// # Errors
    /// [`OutboxError::Storage`].
    async fn enqueue(&self, claim: &SignedClaim) -> Result<(), OutboxError> {
        let body = serde_json::to_string(claim).map_err(|e| OutboxError::Damaged(e.to_string()))?;
        let id = claim.claim.id.as_uuid().to_string();
        sqlx::query(
            "INSERT INTO outbox (claim_id, session_id, body, queued_at) \
             SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS (SELECT 1 FROM answered WHERE claim_id = ?1) \
             ON CONFLICT (claim_id) DO NOTHING",
        )
        .bind(&id)
        .bind(claim.claim.session.as_uuid().to_string())
        .bind(body)
        .bind(unix_ms())
        .execute(&self.pool)
        .await
        .map_err(|e| self.storage(&e))?;
        Ok(())
    }

    /// Writes a kiosk's mark (sent to the kiosk endpoint, answered like a claim); a
    /// mark id already queued or answered is left as it is.
    ///
    /// # Errors
    /// [`OutboxError::Storage`].
    async fn enqueue_mark(&self, mark: &KioskMark) -> Result<(), OutboxError> {
        let body = serde_json::to_string(mark).map_err(|e| OutboxError::Damaged(e.to_string()))?;
        sqlx::query(
            "INSERT INTO outbox (claim_id, session_id, body, queued_at, kind) \
             SELECT ?1, '', ?2, ?3, 'kiosk_mark' \
             WHERE NOT EXISTS (SELECT 1 FROM answered WHERE claim_id = ?1) \
             ON CONFLICT (claim_id) DO NOTHING",
        )
        .bind(mark.id.to_string())
        .bind(body)
        .bind(unix_ms())
        .execute(&self.pool)
        .await
        .map_err(|e| self.storage(&e))?;
        Ok(())
    }

    /// The oldest `limit` kiosk marks.
    ///
    /// # Errors
    /// [`OutboxError::Storage`] or [`OutboxError::Damaged`].
    async fn oldest_marks(&self, limit: u32) -> Result<Vec<KioskMark>, OutboxError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT claim_id, body FROM outbox WHERE kind = 'kiosk_mark' \
             ORDER BY queued_at, claim_id LIMIT ?1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.storage(&e))?;
        rows.into_iter()
            .map(|(id, body)| serde_json::from_str(&body).map_err(|_| OutboxError::Damaged(id)))
            .collect()
    }

    /// How many claims (and kiosk marks) wait.
    ///
    /// # Errors
    /// [`OutboxError::Storage`].
    async fn pending(&self) -> Result<u64, OutboxError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.storage(&e))?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    /// The oldest `limit` claims.
    ///
    /// # Errors
    /// [`OutboxError::Storage`] or [`OutboxError::Damaged`].
    async fn oldest(&self, limit: u32) -> Result<Vec<Queued>, OutboxError> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT claim_id, body, attempts FROM outbox WHERE kind = 'claim' \
             ORDER BY queued_at, claim_id LIMIT ?1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.storage(&e))?;
        rows.into_iter()
            .map(|(id, body, attempts)| {
                Ok(Queued {
                    claim_id: id.parse().map_err(|_| OutboxError::Damaged(id.clone()))?,
                    claim: serde_json::from_str(&body)
                        .map_err(|_| OutboxError::Damaged(id.clone()))?,
                    attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                })
            })
            .collect()
    }

    /// Stores the server's answers and removes their claims, in one transaction.
    ///
    /// # Errors
    /// [`OutboxError::Storage`].
    async fn settle(&self, results: &[ClaimResult]) -> Result<(), OutboxError> {
        let mut tx = self.pool.begin().await.map_err(|e| self.storage(&e))?;
        for result in results {
            let id = result.claim_id.to_string();
            let body =
                serde_json::to_string(result).map_err(|e| OutboxError::Damaged(e.to_string()))?;
            sqlx::query(
                "INSERT INTO answered (claim_id, session_id, outcome, body, answered_at) \
                 SELECT claim_id, session_id, ?2, ?3, ?4 FROM outbox WHERE claim_id = ?1 \
                 ON CONFLICT (claim_id) DO UPDATE SET outcome = excluded.outcome, body = excluded.body",
            )
            .bind(&id)
            .bind(result.outcome.as_str())
            .bind(body)
            .bind(unix_ms())
            .execute(&mut *tx)
            .await
            .map_err(|e| self.storage(&e))?;
            sqlx::query("DELETE FROM outbox WHERE claim_id = ?1")
                .bind(&id)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.storage(&e))?;
        }
        tx.commit().await.map_err(|e| self.storage(&e))
    }

    /// Notes a failed send of these claims (they stay queued).
    ///
    /// # Errors
    /// [`OutboxError::Storage`].
    async fn note_failure(&self, ids: &[Uuid], error: &str) -> Result<(), OutboxError> {
        let mut tx = self.pool.begin().await.map_err(|e| self.storage(&e))?;
        for id in ids {
            sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE claim_id = ?1",
            )
            .bind(id.to_string())
            .bind(error)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.storage(&e))?;
        }
        tx.commit().await.map_err(|e| self.storage(&e))
    }

    /// The server's answers, newest first.
    ///
    /// # Errors
    /// [`OutboxError::Storage`] or [`OutboxError::Damaged`].
    async fn answers(&self, limit: u32) -> Result<Vec<ClaimResult>, OutboxError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT claim_id, body FROM answered ORDER BY answered_at DESC LIMIT ?1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.storage(&e))?;
        rows.into_iter()
            .map(|(id, body)| serde_json::from_str(&body).map_err(|_| OutboxError::Damaged(id)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollcall_core::api::ClaimResult;
    use rollcall_core::claim::{Claim, Evidence, Token};
    use rollcall_core::ids::{ClaimId, DeviceId, SessionId, StudentId};
    use rollcall_core::signing::DeviceKey;
    use rollcall_core::timestamp::Timestamp;
    use rollcall_core::verdict::Outcome;

    fn claim(n: u8) -> SignedClaim {
        let claim = Claim {
            id: ClaimId::generate(1_795_338_000_000 + u64::from(n), &mut rand_core::OsRng),
            student: StudentId::from(Uuid::from_u128(1)),
            session: SessionId::from(Uuid::from_u128(2)),
            device: DeviceId::from(Uuid::from_u128(3)),
            scanned_at: Timestamp::from_unix(1_795_338_000),
            evidence: Evidence {
                token: Some(Token::Otp("123456".parse().unwrap())),
                location: None,
                radio: None,
                face: None,
            },
        };
        SignedClaim::sign(claim, &DeviceKey::from_seed(&[n; 32]))
    }

    fn answer(c: &SignedClaim) -> ClaimResult {
        ClaimResult {
            claim_id: *c.claim.id.as_uuid(),
            outcome: Outcome::Accepted,
            reasons: Vec::new(),
            factors: Vec::new(),
            synced_late: false,
            record: None,
            duplicate: false,
        }
    }

    #[tokio::test]
    async fn claims_wait_in_order_survive_a_reopen_and_leave_only_with_their_answer() {
        let path = std::env::temp_dir().join(format!("rollcall-outbox-{}.sqlite", Uuid::now_v7()));
        let outbox = Outbox::open(&path).await.unwrap();
        let (a, b) = (claim(1), claim(2));
        outbox.enqueue(&a).await.unwrap();
        outbox.enqueue(&b).await.unwrap();
        outbox.enqueue(&a).await.unwrap();
        assert_eq!(outbox.pending().await.unwrap(), 2, "a claim is queued once");
        outbox
            .note_failure(&[*a.claim.id.as_uuid()], "offline")
            .await
            .unwrap();
        drop(outbox);

        let outbox = Outbox::open(&path).await.unwrap();
        let queued = outbox.oldest(10).await.unwrap();
        assert_eq!(queued.len(), 2);
        assert_eq!(queued[0].claim, a, "oldest first, as written");
        assert_eq!(queued[0].attempts, 1);
        outbox.settle(&[answer(&a)]).await.unwrap();
        assert_eq!(outbox.pending().await.unwrap(), 1);
        assert_eq!(
            outbox.answers(10).await.unwrap()[0].claim_id,
            *a.claim.id.as_uuid()
        );
        outbox.enqueue(&a).await.unwrap();
        assert_eq!(
            outbox.pending().await.unwrap(),
            1,
            "an answered claim is not queued again"
        );
        std::fs::remove_file(&path).unwrap();
    }

    #[tokio::test]
    async fn kiosk_marks_share_the_outbox_but_not_the_claims_queue() {
        let path = std::env::temp_dir().join(format!("rollcall-outbox-{}.sqlite", Uuid::now_v7()));
        let outbox = Outbox::open(&path).await.unwrap();
        let a = claim(1);
        outbox.enqueue(&a).await.unwrap();
        let mark = KioskMark {
            id: Uuid::now_v7(),
            student_id: Uuid::from_u128(9),
            scanned_at: Timestamp::from_unix(1_795_338_000),
            face: rollcall_core::face::FaceEvidence {
                score: rollcall_core::face::FaceScore::new(0.8).unwrap(),
                model: rollcall_core::face::ModelId::new("m").unwrap(),
                liveness: rollcall_core::face::Liveness::NotTaken,
            },
            thumbnail: None,
        };
        outbox.enqueue_mark(&mark).await.unwrap();
        outbox.enqueue_mark(&mark).await.unwrap();
        assert_eq!(outbox.pending().await.unwrap(), 2);
        assert_eq!(outbox.oldest(10).await.unwrap().len(), 1, "claims only");
        assert_eq!(outbox.oldest_marks(10).await.unwrap(), vec![mark.clone()]);
        let mut answered = answer(&a);
        answered.claim_id = mark.id;
        outbox.settle(&[answered]).await.unwrap();
        assert!(outbox.oldest_marks(10).await.unwrap().is_empty());
        outbox.enqueue_mark(&mark).await.unwrap();
        assert_eq!(
            outbox.pending().await.unwrap(),
            1,
            "an answered mark stays answered"
        );
        std::fs::remove_file(&path).unwrap();
    }

    #[tokio::test]
    async fn an_unwritable_place_is_a_storage_error_naming_the_file() {
        let error = Outbox::open(Path::new("/proc/rollcall/outbox.sqlite"))
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("/proc/rollcall/outbox.sqlite"),
            "{error}"
        );
    }
}
