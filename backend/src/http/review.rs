//! `/api/v1/review`: claims whose verdict was *review*, for admins and the
//! session's teacher to approve or reject with a note.

use axum::extract::State;
use rollcall_core::api::ErrorCode;
use rollcall_core::api::{
    ErrorEnvelope, ListParams, Page, ReviewDecision, ReviewItem, ReviewStatus, ReviewVerdict, Role,
    RosterEntry,
};
use rollcall_core::verdict::{FactorStatus, Reason};
use sqlx::{PgPool, QueryBuilder};
use time::OffsetDateTime;
use uuid::Uuid;

use super::extract::{ApiPath, ApiQuery};
use super::paging::Paging;
use super::{ApiError, ApiJson, AuthUser};
use crate::attendance::record_writer::{self, RecordWrite};
use crate::attendance::{live, records, session, unix};
use crate::audit::{self, Change};
use rollcall_core::record::{judged_instant, RecordSource};

#[derive(serde::Deserialize)]
struct StoredVerdict {
    reasons: Vec<Reason>,
    factors: Vec<FactorStatus>,
}

#[derive(sqlx::FromRow)]
struct Row {
    claim_id: Uuid,
    session_id: Uuid,
    student_id: Uuid,
    student_name: String,
    room_name: String,
    subject_name: Option<String>,
    scanned_at: OffsetDateTime,
    verdict: sqlx::types::Json<StoredVerdict>,
    has_thumbnail: bool,
}

const SELECT: &str =
    "SELECT c.id AS claim_id, c.session_id, c.student_id, u.display_name AS student_name, \
    r.name AS room_name, sub.name AS subject_name, c.scanned_at, c.verdict, \
    c.thumbnail IS NOT NULL AS has_thumbnail \
    FROM claims c JOIN class_sessions s ON s.id = c.session_id JOIN users u ON u.id = c.student_id \
    JOIN rooms r ON r.id = s.room_id LEFT JOIN subjects sub ON sub.id = s.subject_id";

#[utoipa::path(get, path = "/api/v1/review", tag = "attendance", summary = "Claims waiting for review (admins: all; teachers: their sessions')", params(ListParams), responses((status = 200, description = "A page of doubtful claims", body = Page<ReviewItem>), (status = 403, description = "Not a teacher or admin", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn list(
    State(pool): State<PgPool>,
    user: AuthUser,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<ApiJson<Page<ReviewItem>>, ApiError> {
    user.require(&[Role::Admin, Role::Teacher])?;
    let paging = Paging::new(&params, &["scanned_at", "student_name"])?;
    let teacher = (user.role == Role::Teacher).then_some(user.id);
    let where_clause = |qb: &mut QueryBuilder<'_, sqlx::Postgres>| {
        qb.push(" WHERE c.review_status = 'pending'");
        if let Some(t) = teacher {
            qb.push(" AND s.teacher_id = ").push_bind(t);
        }
        if let Some(q) = &paging.search {
            qb.push(" AND u.display_name ILIKE ").push_bind(q.clone());
        }
    };
    let mut count = QueryBuilder::new(
        "SELECT count(*) FROM claims c JOIN class_sessions s ON s.id = c.session_id JOIN users u ON u.id = c.student_id",
    );
    where_clause(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(&pool).await?;
    let mut select = QueryBuilder::new(SELECT);
    where_clause(&mut select);
    paging.push_tail_by(&mut select, "c.id");
    let rows: Vec<Row> = select.build_query_as().fetch_all(&pool).await?;
    let items = rows
        .into_iter()
        .map(|r| ReviewItem {
            claim_id: r.claim_id,
            session_id: r.session_id,
            student_id: r.student_id,
            student_name: r.student_name,
            room_name: r.room_name,
            subject_name: r.subject_name,
            scanned_at: unix(r.scanned_at),
            reasons: r.verdict.0.reasons,
            factors: r.verdict.0.factors,
            has_thumbnail: r.has_thumbnail,
        })
        .collect();
    Ok(ApiJson(paging.page(items, total)))
}

#[utoipa::path(post, path = "/api/v1/review/{claim_id}", tag = "attendance", summary = "Approve (marks the student) or reject a doubtful claim, with a note (audited)", params(("claim_id" = Uuid, Path, description = "Claim id")), request_body = ReviewVerdict, responses((status = 200, description = "The student's line after the decision", body = RosterEntry), (status = 404, description = "No such claim in your sessions", body = ErrorEnvelope), (status = 409, description = "Already decided", body = ErrorEnvelope), (status = 422, description = "No note", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn decide(
    State(pool): State<PgPool>,
    user: AuthUser,
    ApiPath(claim): ApiPath<Uuid>,
    body: Result<ApiJson<ReviewVerdict>, ApiError>,
) -> Result<ApiJson<RosterEntry>, ApiError> {
    user.require(&[Role::Admin, Role::Teacher])?;
    let ApiJson(verdict) = body?;
    let note = verdict.note.trim();
    if note.is_empty() || note.chars().count() > 500 {
        return Err(ApiError::Unprocessable {
            code: ErrorCode::InvalidField,
            message: "write a note of 1 to 500 characters".to_owned(),
            details: [("note".to_owned(), "required".to_owned())].into(),
        });
    }
    let mut tx = pool.begin().await?;
    let found = sqlx::query!(
        r#"SELECT c.session_id, c.student_id, s.teacher_id,
           c.review_status AS "review_status: ReviewStatus", c.scanned_at, c.received_at,
           c.synced_late
         FROM claims c JOIN class_sessions s ON s.id = c.session_id
         WHERE c.id = $1 FOR UPDATE OF c"#,
        claim
    )
    .fetch_optional(&mut *tx)
    .await?;
    let not_found = || ApiError::NotFound("there is no such claim in your sessions".to_owned());
    let found = found.ok_or_else(not_found)?;
    let (session, student, teacher) = (found.session_id, found.student_id, found.teacher_id);
    if user.role == Role::Teacher && teacher != user.id {
        return Err(not_found());
    }
    if found.review_status != Some(ReviewStatus::Pending) {
        return Err(ApiError::Conflict {
            code: ErrorCode::NotPending,
            message: "this claim is not waiting for review".to_owned(),
            details: Default::default(),
        });
    }
    let decided = verdict.decision.status();
    sqlx::query!(
        "UPDATE claims SET review_status = $2, reviewed_by = $3, reviewed_at = now(),
         review_note = $4, thumbnail = NULL WHERE id = $1",
        claim,
        decided as ReviewStatus,
        user.id,
        note
    )
    .execute(&mut *tx)
    .await?;
    if verdict.decision == ReviewDecision::Approve {
        // Present or late at the instant the claim was judged, as if it had
        // been accepted then (core's rule, the claim path's instant).
        let row = session::load(&mut tx, session)
            .await?
            .ok_or_else(not_found)?;
        let judged_at = judged_instant(
            unix(found.scanned_at),
            unix(found.received_at),
            found.synced_late,
        );
        let write = RecordWrite {
            session_id: session,
            student_id: student,
            status: row.late_line().status_at(judged_at),
            source: RecordSource::Review,
            claim_id: Some(claim),
            marked_by: Some(user.id),
            note: Some(note.to_owned()),
        };
        record_writer::write(&mut tx, &[write]).await?;
    }
    audit::record(
        &mut tx,
        Change {
            actor: user.id,
            action: if verdict.decision == ReviewDecision::Approve {
                "review.approve"
            } else {
                "review.reject"
            },
            entity: "claim",
            entity_id: claim.to_string(),
            before: Some(serde_json::json!({"review_status": ReviewStatus::Pending})),
            after: Some(serde_json::json!({"review_status": decided, "note": note})),
        },
    )
    .await?;
    live::notify(&mut tx, session, student).await?;
    let entry = records::entry(&mut tx, session, student)
        .await?
        .ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(ApiJson(entry))
}

#[utoipa::path(get, path = "/api/v1/review/{claim_id}/thumbnail", tag = "attendance", summary = "The face thumbnail a kiosk attached to a doubtful mark (deleted with the decision)", params(("claim_id" = Uuid, Path, description = "Claim id")), responses((status = 200, description = "A JPEG", content_type = "image/jpeg"), (status = 404, description = "No such claim in your sessions, or no thumbnail", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn thumbnail(
    State(pool): State<PgPool>,
    user: AuthUser,
    ApiPath(claim): ApiPath<Uuid>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse as _;
    user.require(&[Role::Admin, Role::Teacher])?;
    let found = sqlx::query!(
        "SELECT s.teacher_id, c.thumbnail FROM claims c
         JOIN class_sessions s ON s.id = c.session_id WHERE c.id = $1",
        claim
    )
    .fetch_optional(&pool)
    .await?;
    let not_found = || ApiError::NotFound("there is no thumbnail for this claim".to_owned());
    let (teacher, bytes) = found
        .map(|f| (f.teacher_id, f.thumbnail))
        .ok_or_else(not_found)?;
    if user.role == Role::Teacher && teacher != user.id {
        return Err(not_found());
    }
    let bytes = bytes.ok_or_else(not_found)?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "image/jpeg"),
            (axum::http::header::CACHE_CONTROL, "private, no-store"),
        ],
        bytes,
    )
        .into_response())
}
