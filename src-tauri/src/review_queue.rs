//! The review queue: doubtful claims with their evidence, a kiosk's face
//! thumbnail, and the reviewer's decision.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use reqwest::Method;
use rollcall_core::api::{Page, ReviewForm, ReviewItem, ReviewVerdict, RosterEntry};
use uuid::Uuid;

use crate::{AppError, ServerClient};

/// Claims waiting for a decision, oldest first, a page of at most 50.
///
/// # Errors
/// What the server call fails with.
pub async fn queue(client: &ServerClient, page: u32) -> Result<Page<ReviewItem>, AppError> {
    client
        .get_json(&format!("api/v1/review?page={}&per_page=50", page.max(1)))
        .await
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
    client
        .send_json(
            Method::POST,
            &format!("api/v1/review/{}", form.claim_id),
            Some(&verdict),
        )
        .await
}

/// The kiosk's face thumbnail of a claim as a `data:` URL the UI can show
/// without any network access of its own.
///
/// # Errors
/// What the server call fails with.
pub async fn thumbnail(client: &ServerClient, claim_id: Uuid) -> Result<String, AppError> {
    let file = client
        .download(&format!("api/v1/review/{claim_id}/thumbnail"))
        .await?;
    Ok(format!(
        "data:image/jpeg;base64,{}",
        STANDARD.encode(&file.bytes)
    ))
}
