//! Claims and kiosk marks, the review queue, and the records.

use rollcall_core::api::{
    ClaimBatch, ClaimBatchResult, KioskMarkBatch, ListParams, Page, RecordFilter, RecordRow,
    ReviewItem, ReviewVerdict, RosterEntry,
};
use uuid::Uuid;

use crate::request::{Caller, Download};
use crate::routes;
use crate::{Client, ClientError};

impl Client {
    /// `POST /api/v1/attendance/claims`: the signed-in student's signed
    /// claims; one answer per claim, in order.
    ///
    /// # Errors
    /// What the call fails with (the whole batch: 403 for someone else's
    /// claim, 422 for an empty or oversized one, 503 with the database away).
    pub async fn submit_claims(&self, batch: &ClaimBatch) -> Result<ClaimBatchResult, ClientError> {
        self.call(&routes::SUBMIT_CLAIMS, &[], Caller::SignedIn)
            .json(batch)?
            .answer()
            .await
    }

    /// `POST /api/v1/attendance/kiosk-marks`: the signed-in kiosk's marks.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn submit_kiosk_marks(
        &self,
        batch: &KioskMarkBatch,
    ) -> Result<ClaimBatchResult, ClientError> {
        self.call(&routes::SUBMIT_KIOSK_MARKS, &[], Caller::SignedIn)
            .json(batch)?
            .answer()
            .await
    }

    /// `GET /api/v1/review`: doubtful claims waiting for a decision.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn review_queue(&self, list: &ListParams) -> Result<Page<ReviewItem>, ClientError> {
        self.call(&routes::REVIEW_QUEUE, &[], Caller::SignedIn)
            .query(list)?
            .answer()
            .await
    }

    /// `POST /api/v1/review/{claim_id}`: approves or rejects a doubtful claim.
    ///
    /// # Errors
    /// What the call fails with (`not_pending` when someone decided first).
    pub async fn decide_review(
        &self,
        claim: Uuid,
        verdict: &ReviewVerdict,
    ) -> Result<RosterEntry, ClientError> {
        self.call(&routes::DECIDE_REVIEW, &[&claim], Caller::SignedIn)
            .json(verdict)?
            .answer()
            .await
    }

    /// `GET /api/v1/review/{claim_id}/thumbnail`: a kiosk's face thumbnail.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn review_thumbnail(&self, claim: Uuid) -> Result<Download, ClientError> {
        self.call(&routes::REVIEW_THUMBNAIL, &[&claim], Caller::SignedIn)
            .file()
            .await
    }

    /// `GET /api/v1/records`: records with filters.
    ///
    /// # Errors
    /// What the call fails with.
    pub async fn records(
        &self,
        list: &ListParams,
        filter: &RecordFilter,
    ) -> Result<Page<RecordRow>, ClientError> {
        self.call(&routes::RECORDS, &[], Caller::SignedIn)
            .query(list)?
            .query(filter)?
            .answer()
            .await
    }
}
