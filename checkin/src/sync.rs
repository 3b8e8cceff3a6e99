//! Sending the outbox, with one owner: the [`Courier`]. Its worker sends
//! batches of the oldest claims (then of a kiosk's marks), each removed only
//! with the server's answer for it. On failure the claims stay and the next
//! attempt waits longer (1 s doubling to 60 s, with ±20 % jitter so a class's
//! phones coming back online together do not knock in step, and never less
//! than the server's `Retry-After`). A new claim wakes the worker at once, and
//! whoever made it may wait for its answer; nobody else sends.

use std::future::Future;
use std::sync::Arc;

use futures_util::future::select;
use rollcall_client::{Client, ClientError};
use rollcall_core::api::{ClaimBatch, ClaimBatchResult, ClaimResult, KioskMarkBatch, SyncStatus};
use rollcall_core::timestamp::Timestamp;
use tokio::sync::{broadcast, Notify};
use uuid::Uuid;

use crate::store::{ClaimStore, MaybeSend, MaybeSync, OutboxError};

/// Claims per request.
pub const BATCH: u32 = 50;
/// The longest wait between failed attempts, seconds.
pub const MAX_WAIT_S: u16 = 60;

/// Why a sync stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The outbox failed.
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    /// The server could not be reached or refused the batch.
    #[error(transparent)]
    Server(#[from] ClientError),
    /// The server answered a batch with a different number of results.
    #[error("the server answered {got} results for {sent} claims")]
    Mismatch {
        /// Claims sent.
        sent: usize,
        /// Results received.
        got: usize,
    },
}

impl SyncError {
    /// Whether the sign-in is gone, so sending stops until someone signs in.
    #[must_use]
    pub const fn is_signed_out(&self) -> bool {
        matches!(
            self,
            Self::Server(ClientError::SignInAgain | ClientError::NotSignedIn)
        )
    }
}

/// One batch from the outbox.
enum Batch<'a> {
    /// A student's claims.
    Claims(&'a ClaimBatch),
    /// A kiosk's marks.
    Marks(&'a KioskMarkBatch),
}

/// Sends everything queued, batch by batch, until the outbox is empty: the
/// claims, then a kiosk's marks; the server's answers in order. Only a
/// [`Courier`]'s worker calls it in the apps.
///
/// # Errors
/// The first [`SyncError`]; what was answered before it is settled.
pub async fn sync_once(
    client: &Client,
    outbox: &impl ClaimStore,
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

/// Posts one batch and settles its answers; a failure is noted on its rows.
async fn send(
    client: &Client,
    outbox: &impl ClaimStore,
    ids: &[Uuid],
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
            return Err(error.into());
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

/// Seconds to wait after `failures` failed attempts in a row, before jitter:
/// 1, 2, 4, … up to [`MAX_WAIT_S`].
#[must_use]
pub fn backoff_s(failures: u32) -> u16 {
    doubling_s(failures, MAX_WAIT_S)
}

/// 1, 2, 4, … seconds after `failures` failures in a row, up to `cap`: the
/// outbox's backoff and the app's sockets' reconnections.
#[must_use]
pub fn doubling_s(failures: u32, cap: u16) -> u16 {
    1u16.checked_shl(failures.saturating_sub(1))
        .map_or(cap, |s| s.min(cap))
}

/// The wait after `failures` failures: the backoff moved by `jitter` (a
/// fraction in −0.2..=0.2), at least 1 s, and never less than what the
/// server asked for (`retry_after`).
#[must_use]
pub fn wait_s(failures: u32, jitter: f64, retry_after: Option<u64>) -> u16 {
    let base = f64::from(backoff_s(failures));
    let jittered = (base * (1.0 + jitter.clamp(-0.2, 0.2))).round();
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "the value is rounded and clamped to 1..=72 first"
    )]
    let jittered = jittered.clamp(1.0, f64::from(MAX_WAIT_S) * 1.2) as u16;
    let asked = retry_after.map_or(0, |s| u16::try_from(s).unwrap_or(u16::MAX));
    jittered.max(asked)
}

/// A fraction in −0.2..=0.2 from the system's random source.
fn jitter() -> f64 {
    use rand_core::RngCore as _;
    let n = rand_core::OsRng.next_u32();
    (f64::from(n) / f64::from(u32::MAX)).mul_add(0.4, -0.2)
}

/// Waiting, as the shell provides it: tokio's timer in the apps, the
/// browser's in the web app.
pub trait Pause: MaybeSend + MaybeSync {
    /// Completes after `seconds`.
    fn pause(&self, seconds: u16) -> impl Future<Output = ()> + MaybeSend;
}

/// Waiting on tokio's timer.
#[cfg(feature = "tokio-time")]
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioPause;

#[cfg(feature = "tokio-time")]
impl Pause for TokioPause {
    fn pause(&self, seconds: u16) -> impl Future<Output = ()> + MaybeSend {
        tokio::time::sleep(std::time::Duration::from_secs(u64::from(seconds)))
    }
}

/// The end of one attempt to send the outbox.
#[derive(Debug, Clone)]
enum Pass {
    /// The server answered these claims (and the outbox is empty now).
    Answered(Vec<ClaimResult>),
    /// The attempt failed; the claims wait for the next.
    Failed,
}

/// The one owner of sending an outbox. The shell starts its worker
/// ([`Courier::run`]) once a phone or kiosk is ready; a check-in wakes it and
/// may wait for the answer ([`Courier::answer_for`]).
#[derive(Debug, Clone)]
pub struct Courier {
    wake: Arc<Notify>,
    passes: broadcast::Sender<Pass>,
}

impl Default for Courier {
    fn default() -> Self {
        Self::new()
    }
}

impl Courier {
    /// A courier whose worker has not started.
    #[must_use]
    pub fn new() -> Self {
        let (passes, _) = broadcast::channel(16);
        Self {
            wake: Arc::new(Notify::new()),
            passes,
        }
    }

    /// Asks the worker to send now (a claim was just kept).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Wakes the worker and waits, at most `within_s` seconds, for the
    /// server's answer to `claim`. `None` when the attempt failed (the worker
    /// keeps trying with its backoff) or took longer.
    pub async fn answer_for(
        &self,
        claim: Uuid,
        within_s: u16,
        pause: &impl Pause,
    ) -> Option<ClaimResult> {
        self.answers_for(&[claim], within_s, pause).await.pop()
    }

    /// As [`Courier::answer_for`], for several claims (a kiosk's marks): the
    /// answers that came, in no particular order.
    pub async fn answers_for(
        &self,
        claims: &[Uuid],
        within_s: u16,
        pause: &impl Pause,
    ) -> Vec<ClaimResult> {
        let mut passes = self.passes.subscribe();
        self.wake();
        let mut found: Vec<ClaimResult> = Vec::new();
        {
            let wait = async {
                while found.len() < claims.len() {
                    match passes.recv().await {
                        Ok(Pass::Answered(answers)) => {
                            // A pass that began before the claims were kept may
                            // miss them: the wake stands, so another follows.
                            for answer in answers {
                                let wanted = claims.contains(&answer.claim_id);
                                if wanted && !found.iter().any(|f| f.claim_id == answer.claim_id) {
                                    found.push(answer);
                                }
                            }
                        }
                        Ok(Pass::Failed) | Err(broadcast::error::RecvError::Closed) => break,
                        Err(broadcast::error::RecvError::Lagged(_)) => {}
                    }
                }
            };
            let timeout = pause.pause(within_s);
            futures_util::pin_mut!(wait, timeout);
            let _ = select(wait, timeout).await;
        }
        found
    }

    /// The worker: sends whenever woken (a new claim) or when the wait after
    /// a failure is over, and reports each state, until the sign-in is gone.
    /// `now` is the shell's clock.
    pub async fn run(
        &self,
        client: &Client,
        outbox: &impl ClaimStore,
        pause: &impl Pause,
        now: impl Fn() -> Timestamp,
        mut report: impl FnMut(SyncStatus),
    ) {
        let mut failures = 0_u32;
        let mut last_sync = None;
        loop {
            let outcome = sync_once(client, outbox).await;
            let pending = outbox.pending().await.unwrap_or_default();
            let (problem, wait) = match outcome {
                Ok(answers) => {
                    failures = 0;
                    last_sync = Some(now().unix());
                    let _ = self.passes.send(Pass::Answered(answers));
                    (None, None)
                }
                Err(error) if error.is_signed_out() => {
                    let _ = self.passes.send(Pass::Failed);
                    report(SyncStatus {
                        pending,
                        last_sync,
                        problem: Some("Sign in again to send your check-ins.".to_owned()),
                        retry_in_s: None,
                    });
                    return;
                }
                Err(error) => {
                    let _ = self.passes.send(Pass::Failed);
                    failures = failures.saturating_add(1);
                    let retry_after = match &error {
                        SyncError::Server(server) => server.retry_after(),
                        _ => None,
                    };
                    (
                        Some(error.to_string()),
                        Some(wait_s(failures, jitter(), retry_after)),
                    )
                }
            };
            report(SyncStatus {
                pending,
                last_sync,
                problem,
                retry_in_s: wait,
            });
            let woken = self.wake.notified();
            match wait {
                Some(seconds) => {
                    let timer = pause.pause(seconds);
                    futures_util::pin_mut!(woken, timer);
                    let _ = select(woken, timer).await;
                }
                None => woken.await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_up_to_a_minute() {
        let waits: Vec<u16> = (1..=8).map(backoff_s).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
    }

    #[test]
    fn jitter_moves_the_wait_a_fifth_at_most_and_retry_after_is_a_floor() {
        assert_eq!(wait_s(4, 0.0, None), 8);
        assert_eq!(wait_s(4, 0.2, None), 10);
        assert_eq!(wait_s(4, -0.2, None), 6);
        assert_eq!(wait_s(4, 5.0, None), 10, "a wild jitter is clamped");
        assert_eq!(wait_s(1, -0.2, None), 1, "never below a second");
        assert_eq!(wait_s(1, 0.0, Some(30)), 30, "the server's Retry-After");
        assert_eq!(
            wait_s(7, 0.0, Some(5)),
            60,
            "a shorter Retry-After changes nothing"
        );
        for _ in 0..100 {
            let j = jitter();
            assert!((-0.2..=0.2).contains(&j), "{j}");
        }
    }
}
