//! Sending the outbox: batches of the oldest claims (then of a kiosk's marks), each removed only with the
//! server's answer for it; on failure the claims stay and the next attempt waits
//! longer (1 s doubling to 60 s), and a new claim wakes the worker at once.

use std::sync::Arc;
use std::time::Duration;

use rollcall_core::api::{ClaimBatch, ClaimBatchResult, ClaimResult, KioskMarkBatch, SyncStatus};
use tokio::sync::Notify;

use super::outbox::{Outbox, OutboxError};
use crate::{AppError, ServerClient};

/// Claims per request.
pub const BATCH: u32 = 50;
/// The longest wait between failed attempts.
const MAX_WAIT_S: u16 = 60;

/// Why a sync stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The outbox file failed.
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    /// The server could not be reached or refused the batch.
    #[error(transparent)]
    Server(#[from] AppError),
    /// The server answered a batch with a different number of results.
    #[error("the server answered {got} results for {sent} claims")]
    Mismatch {
        /// Claims sent.
        sent: usize,
        /// Results received.
        got: usize,
    },
}

/// Sends everything queued, batch by batch, until the outbox is empty: the
/// claims, then a kiosk's marks; the server's answers in order.
///
/// # Errors
/// The first [`SyncError`]; what was answered before it is settled.
pub async fn sync_once(
    client: &ServerClient,
    outbox: &Outbox,
) -> Result<Vec<ClaimResult>, SyncError> {
    let mut answered = Vec::new();
    loop {
        let queued = outbox.oldest(BATCH).await?;
        if queued.is_empty() {
            break;
        }
        let ids: Vec<_> = queued.iter().map(|q| q.claim_id).collect();
        let batch = ClaimBatch {
            claims: queued.into_iter().map(|q| q.claim).collect(),
        };
        answered.extend(send(client, outbox, &ids, Batch::Claims(&batch)).await?);
    }
    loop {
        let marks = outbox.oldest_marks(BATCH).await?;
        if marks.is_empty() {
            return Ok(answered);
        }
        let ids: Vec<_> = marks.iter().map(|m| m.id).collect();
        let batch = KioskMarkBatch { marks };
        answered.extend(send(client, outbox, &ids, Batch::Marks(&batch)).await?);
    }
}

/// One batch from the outbox.
enum Batch<'a> {
    /// A student's claims.
    Claims(&'a ClaimBatch),
    /// A kiosk's marks.
    Marks(&'a KioskMarkBatch),
}

/// Posts one batch and settles its answers; a failure is noted on its rows.
async fn send(
    client: &ServerClient,
    outbox: &Outbox,
    ids: &[uuid::Uuid],
    batch: Batch<'_>,
) -> Result<Vec<ClaimResult>, SyncError> {
    let sent = match batch {
        Batch::Claims(claims) => client.submit_claims(claims).await,
        Batch::Marks(marks) => client.submit_kiosk_marks(marks).await,
    };
    let answer: ClaimBatchResult = match sent {
        Ok(answer) => answer,
        Err(error) => {
            outbox.note_failure(ids, &error.to_string()).await?;
            return Err(AppError::from(error).into());
        }
    };
    if answer.results.len() != ids.len() {
        return Err(SyncError::Mismatch {
            sent: ids.len(),
            got: answer.results.len(),
        });
    }
    outbox.settle(&answer.results).await?;
    Ok(answer.results)
}

/// Seconds to wait after `failures` failed attempts in a row.
#[must_use]
pub fn wait_s(failures: u32) -> u16 {
    1u16.checked_shl(failures.saturating_sub(1))
        .map_or(MAX_WAIT_S, |s| s.min(MAX_WAIT_S))
}

/// Keeps the outbox flowing until the sign-in is gone: syncs when woken (a new
/// claim) or when the wait after a failure is over, and reports each state.
pub async fn run(
    client: &ServerClient,
    outbox: &Outbox,
    wake: Arc<Notify>,
    mut report: impl FnMut(SyncStatus),
) {
    let mut failures = 0_u32;
    let mut last_sync = None;
    loop {
        let outcome = sync_once(client, outbox).await;
        let pending = outbox.pending().await.unwrap_or_default();
        let (problem, wait) = match outcome {
            Ok(_) => {
                failures = 0;
                last_sync = Some(crate::clock::now().unix());
                (None, None)
            }
            Err(SyncError::Server(error)) if error.is_signed_out() => {
                report(SyncStatus {
                    pending,
                    last_sync,
                    problem: Some("Sign in again to send your check-ins.".to_owned()),
                    retry_in_s: None,
                });
                return;
            }
            Err(error) => {
                failures = failures.saturating_add(1);
                (Some(error.to_string()), Some(wait_s(failures)))
            }
        };
        report(SyncStatus {
            pending,
            last_sync,
            problem,
            retry_in_s: wait,
        });
        match wait {
            Some(seconds) => {
                tokio::select! {
                    () = wake.notified() => {}
                    () = tokio::time::sleep(Duration::from_secs(u64::from(seconds))) => {}
                }
            }
            None => wake.notified().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::wait_s;

    #[test]
    fn the_wait_doubles_up_to_a_minute() {
        let waits: Vec<u16> = (1..=8).map(wait_s).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
    }
}
