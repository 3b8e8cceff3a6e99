//! The review queue: doubtful claims with their evidence, a kiosk's face
//! thumbnail, and the reviewer's decision.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rollcall_core::api::{ListParams, Page, ReviewForm, ReviewItem, ReviewVerdict, RosterEntry};
use uuid::Uuid;

use crate::{AppError, ServerClient};

/// Claims waiting for a decision, oldest first, a page of at most 50.
///
/// # Errors
/// What the server call fails with.
pub async fn queue(client: &ServerClient, page: u32) -> Result<Page<ReviewItem>, AppError> {
    Ok(client
        .review_queue(&ListParams::per_page(50).page(page.max(1)))
        .await?)
}

/// Approves or rejects a claim with a note; the student's line after it.
///
/// # Errors
/// What the server call fails with (`invalid_field` without a note, 409 when
/// someone else decided first).
pub async fn decide(client: &ServerClient, form: &ReviewForm) -> Result<RosterEntry, AppError> {
    let verdict = ReviewVerdict {
        decision: form.decision,
        note: form.note.clone(),
    };
    Ok(client.decide_review(form.claim_id, &verdict).await?)
}

/// The kiosk's face thumbnail of a claim as a `data:` URL the UI can show
/// without any network access of its own.
///
/// # Errors
/// What the server call fails with.
pub async fn thumbnail(client: &ServerClient, claim_id: Uuid) -> Result<String, AppError> {
    let file = client.review_thumbnail(claim_id).await?;
    Ok(format!(
        "data:image/jpeg;base64,{}",
        STANDARD.encode(&file.bytes)
    ))
}
