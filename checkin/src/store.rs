//! The outbox behind a trait: a claim is kept before any network call and
//! leaves only in the same step that stores the server's answer for it, so a
//! crash at any point loses nothing and a resend is answered by the server's
//! duplicate detection. The app keeps it in SQLite ([`crate::sqlite`]); a
//! browser will keep it in IndexedDB.

use rollcall_core::api::{ClaimResult, KioskMark};
use rollcall_core::signing::SignedClaim;
use uuid::Uuid;

/// `Send` on the host, where the app's tasks move between threads; nothing in
/// a browser, whose storage futures are not `Send` and which has one thread.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSend: Send {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + ?Sized> MaybeSend for T {}
/// `Send` on the host; nothing in a browser.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSend {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSend for T {}

/// `Sync` on the host; nothing in a browser.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSync: Sync {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Sync + ?Sized> MaybeSync for T {}
/// `Sync` on the host; nothing in a browser.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSync {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSync for T {}

/// Why the outbox failed.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// The storage could not be opened, read or written.
    #[error("the outbox at {path} failed: {reason}")]
    Storage {
        /// Where it is.
        path: String,
        /// What the storage said.
        reason: String,
    },
    /// A stored row is not what this app wrote (a damaged store).
    #[error("the outbox holds a damaged claim {0}")]
    Damaged(String),
}

/// A claim waiting to be sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    /// The claim id.
    pub claim_id: Uuid,
    /// The signed claim.
    pub claim: SignedClaim,
    /// Sends tried so far.
    pub attempts: u32,
}

/// Where claims (and a kiosk's marks) wait for the server.
pub trait ClaimStore: MaybeSend + MaybeSync {
    /// Keeps `claim` (once: the same id again changes nothing).
    ///
    /// # Errors
    /// [`OutboxError`].
    fn enqueue(
        &self,
        claim: &SignedClaim,
    ) -> impl std::future::Future<Output = Result<(), OutboxError>> + MaybeSend;

    /// Keeps a kiosk's `mark` (once).
    ///
    /// # Errors
    /// [`OutboxError`].
    fn enqueue_mark(
        &self,
        mark: &KioskMark,
    ) -> impl std::future::Future<Output = Result<(), OutboxError>> + MaybeSend;

    /// Claims and marks still waiting.
    ///
    /// # Errors
    /// [`OutboxError`].
    fn pending(&self) -> impl std::future::Future<Output = Result<u64, OutboxError>> + MaybeSend;

    /// Up to `limit` of the oldest claims.
    ///
    /// # Errors
    /// [`OutboxError`].
    fn oldest(
        &self,
        limit: u32,
    ) -> impl std::future::Future<Output = Result<Vec<Queued>, OutboxError>> + MaybeSend;

    /// Up to `limit` of the oldest marks.
    ///
    /// # Errors
    /// [`OutboxError`].
    fn oldest_marks(
        &self,
        limit: u32,
    ) -> impl std::future::Future<Output = Result<Vec<KioskMark>, OutboxError>> + MaybeSend;

    /// Stores the server's answers and lets their claims and marks go.
    ///
    /// # Errors
    /// [`OutboxError`].
    fn settle(
        &self,
        results: &[ClaimResult],
    ) -> impl std::future::Future<Output = Result<(), OutboxError>> + MaybeSend;

    /// Notes a failed send of `ids` (they stay).
    ///
    /// # Errors
    /// [`OutboxError`].
    fn note_failure(
        &self,
        ids: &[Uuid],
        error: &str,
    ) -> impl std::future::Future<Output = Result<(), OutboxError>> + MaybeSend;

    /// The latest `limit` answers, newest first.
    ///
    /// # Errors
    /// [`OutboxError`].
    fn answers(
        &self,
        limit: u32,
    ) -> impl std::future::Future<Output = Result<Vec<ClaimResult>, OutboxError>> + MaybeSend;
}
