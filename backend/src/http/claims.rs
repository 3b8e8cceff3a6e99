//! `POST /api/v1/attendance/claims`: a student's device submits signed claims,
//! live or from its offline outbox.

use axum::extract::State;
use rollcall_core::api::ErrorCode;
use rollcall_core::api::{ClaimBatch, ClaimBatchResult, ErrorEnvelope, KioskMarkBatch, Role};
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::auth_user::AccountChecks;
use super::{ApiError, ApiJson, AuthUser, Bearer};
use crate::attendance::claimant::{Claimant, ClaimsError};
use crate::attendance::claims::{self, ClaimGroups, MAX_BATCH};
use crate::attendance::judged::JudgedCache;
use crate::attendance::kiosk::{self, KioskMarkError};

#[utoipa::path(post, path = "/api/v1/attendance/claims", tag = "attendance", summary = "Submit signed claims (idempotent by claim id); one result per claim, in order (student)", request_body = ClaimBatch, responses((status = 200, description = "A verdict per claim", body = ClaimBatchResult), (status = 403, description = "Not a student, or a claim for someone else", body = ErrorEnvelope), (status = 422, description = "An empty or oversized batch", body = ErrorEnvelope), (status = 503, description = "The database is not reachable; send the claims again later", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn submit(
    State(pool): State<PgPool>,
    State(cache): State<std::sync::Arc<JudgedCache>>,
    State(groups): State<std::sync::Arc<ClaimGroups>>,
    State(accounts): State<AccountChecks>,
    bearer: Bearer,
    body: Result<ApiJson<ClaimBatch>, ApiError>,
) -> Result<ApiJson<ClaimBatchResult>, ApiError> {
    // A batch that will be judged has its account read with the first claim's
    // state (see `claimant`); any other request reads it first, as every
    // endpoint does, so an inactive account or a non-student hears that first.
    let batch = match body {
        Ok(ApiJson(batch)) if batch_problem(&batch, bearer.id).is_none() => batch,
        body => {
            let user = bearer.check(&pool, &accounts).await?;
            user.require(&[Role::Student])?;
            let ApiJson(batch) = body?;
            return Err(batch_problem(&batch, user.id).unwrap_or(ApiError::Forbidden));
        }
    };
    let mut claimant = Claimant::new(bearer.owner(), &accounts);
    let results = claims::process(
        &pool,
        &cache,
        &groups,
        &mut claimant,
        &batch.claims,
        OffsetDateTime::now_utc(),
    )
    .await
    .map_err(|e| match e {
        ClaimsError::NotAdmitted(status) => bearer
            .admit(status)
            .and_then(|user| user.require(&[Role::Student]))
            .err()
            .unwrap_or(ApiError::Forbidden),
        ClaimsError::Unavailable(e) => {
            tracing::warn!(error = %e, "claims not judged: the database is not reachable");
            ApiError::Unavailable
        }
        ClaimsError::Other(e) => ApiError::Internal(e),
    })?;
    Ok(ApiJson(ClaimBatchResult { results }))
}

/// What is wrong with a batch as a whole: empty or oversized (422), or a
/// claim for someone other than `student` (403).
fn batch_problem(batch: &ClaimBatch, student: Uuid) -> Option<ApiError> {
    if batch.claims.is_empty() || batch.claims.len() > MAX_BATCH {
        return Some(ApiError::Unprocessable {
            code: ErrorCode::InvalidBatch,
            message: format!("send 1 to {MAX_BATCH} claims at a time"),
            details: [("field".to_owned(), "claims".to_owned())].into(),
        });
    }
    batch
        .claims
        .iter()
        .any(|c| *c.claim.student.as_uuid() != student)
        .then_some(ApiError::Forbidden)
}

#[utoipa::path(post, path = "/api/v1/attendance/kiosk-marks", tag = "attendance", summary = "A room's kiosk reports faces it recognised; each is judged with the face as the factor (kiosk)", request_body = KioskMarkBatch, responses((status = 200, description = "A verdict per mark", body = ClaimBatchResult), (status = 403, description = "Not a registered kiosk", body = ErrorEnvelope), (status = 422, description = "An empty or oversized batch, a bad id or thumbnail", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn kiosk_marks(
    State(pool): State<PgPool>,
    user: AuthUser,
    body: Result<ApiJson<KioskMarkBatch>, ApiError>,
) -> Result<ApiJson<ClaimBatchResult>, ApiError> {
    user.require(&[Role::Kiosk])?;
    let ApiJson(batch) = body?;
    if batch.marks.is_empty() || batch.marks.len() > MAX_BATCH {
        return Err(ApiError::Unprocessable {
            code: ErrorCode::InvalidBatch,
            message: format!("send 1 to {MAX_BATCH} marks at a time"),
            details: [("field".to_owned(), "marks".to_owned())].into(),
        });
    }
    let results = kiosk::process(&pool, user.id, &batch.marks, OffsetDateTime::now_utc())
        .await
        .map_err(|e| match e {
            KioskMarkError::NotAKiosk => ApiError::Forbidden,
            KioskMarkError::Other(e) => ApiError::Internal(e),
            bad => ApiError::Unprocessable {
                code: ErrorCode::InvalidMark,
                message: bad.to_string(),
                details: [("field".to_owned(), "marks".to_owned())].into(),
            },
        })?;
    Ok(ApiJson(ClaimBatchResult { results }))
}
