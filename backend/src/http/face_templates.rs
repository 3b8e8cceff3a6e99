//! Face templates: an admin enrols or revokes a student's template; the
//! student's own device fetches it for 1:1 checks; a kiosk fetches those of
//! the students timetabled in its room for 1:N.

use axum::extract::State;
use axum::http::StatusCode;
use rollcall_core::api::ErrorCode;
use rollcall_core::api::{
    ErrorEnvelope, FaceTemplateInfo, FaceTemplateRecord, FaceTemplateUpload, Role,
};
use sqlx::PgPool;
use uuid::Uuid;

use super::extract::ApiPath;
use super::{Admin, ApiError, ApiJson, AuthUser};
use crate::attendance::unix;
use crate::audit::{self, Change};
use crate::face_templates::{Sealed, TemplateKey};

fn invalid(field: &str, message: &str) -> ApiError {
    ApiError::Unprocessable {
        code: ErrorCode::InvalidField,
        message: message.to_owned(),
        details: [(field.to_owned(), message.to_owned())].into(),
    }
}

#[utoipa::path(put, path = "/api/v1/students/{id}/face-template", tag = "face", summary = "Enrol or replace a student's face template, stored encrypted (admin)", params(("id" = Uuid, Path, description = "Student id")), request_body = FaceTemplateUpload, responses((status = 200, description = "Stored", body = FaceTemplateInfo), (status = 404, description = "No such student", body = ErrorEnvelope), (status = 422, description = "Not a usable template", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn put(
    State(pool): State<PgPool>,
    State(key): State<TemplateKey>,
    Admin(admin): Admin,
    ApiPath(student): ApiPath<Uuid>,
    ApiJson(upload): ApiJson<FaceTemplateUpload>,
) -> Result<ApiJson<FaceTemplateInfo>, ApiError> {
    let model = upload.model_id.trim();
    if model.is_empty() || model.len() > 64 {
        return Err(invalid("model_id", "name the model in 1 to 64 characters"));
    }
    let dims = upload.embedding.len();
    if !(16..=4096).contains(&dims) || upload.embedding.iter().any(|v| !v.is_finite()) {
        return Err(invalid(
            "embedding",
            "a template has 16 to 4096 finite numbers",
        ));
    }
    let norm: f32 = upload.embedding.iter().map(|v| v * v).sum::<f32>().sqrt();
    if (norm - 1.0).abs() > 0.01 {
        return Err(invalid(
            "embedding",
            "a template is L2-normalised (length 1)",
        ));
    }
    let mut tx = pool.begin().await?;
    let is_student = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND role = 'student') AS "exists!""#,
        student
    )
    .fetch_one(&mut *tx)
    .await?;
    if !is_student {
        return Err(ApiError::NotFound(
            "there is no student with this id".to_owned(),
        ));
    }
    let sealed = key.seal(student, model, &upload.embedding)?;
    let dims = i32::try_from(dims).unwrap_or(i32::MAX);
    let updated_at = sqlx::query_scalar!(
        "INSERT INTO face_templates (student_id, model_id, dims, nonce, ciphertext, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (student_id) DO UPDATE SET model_id = EXCLUDED.model_id,
           dims = EXCLUDED.dims, nonce = EXCLUDED.nonce, ciphertext = EXCLUDED.ciphertext,
           updated_by = EXCLUDED.updated_by, updated_at = now()
         RETURNING updated_at",
        student,
        model,
        dims,
        &sealed.nonce,
        &sealed.ciphertext,
        admin.id
    )
    .fetch_one(&mut *tx)
    .await?;
    let info = FaceTemplateInfo {
        student_id: student,
        model_id: model.to_owned(),
        dims: u32::try_from(dims).unwrap_or(0),
        updated_at: unix(updated_at),
    };
    // The audit keeps who and when, never the template.
    audit::record(
        &mut tx,
        Change::new(admin.id, "face_template.enrol", "face_template", student).after(&info),
    )
    .await?;
    tx.commit().await?;
    Ok(ApiJson(info))
}

#[utoipa::path(delete, path = "/api/v1/students/{id}/face-template", tag = "face", summary = "Revoke a student's face template (admin)", params(("id" = Uuid, Path, description = "Student id")), responses((status = 204, description = "Deleted"), (status = 404, description = "No template", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn delete(
    State(pool): State<PgPool>,
    Admin(admin): Admin,
    ApiPath(student): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    let mut tx = pool.begin().await?;
    let gone = sqlx::query!("DELETE FROM face_templates WHERE student_id = $1", student)
        .execute(&mut *tx)
        .await?;
    if gone.rows_affected() == 0 {
        return Err(ApiError::NotFound(
            "this student has no face template".to_owned(),
        ));
    }
    audit::record(
        &mut tx,
        Change::new(admin.id, "face_template.revoke", "face_template", student),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/students/{id}/face-template", tag = "face", summary = "Whether a student is enrolled, with model and date, never the template (admin)", params(("id" = Uuid, Path, description = "Student id")), responses((status = 200, description = "Enrolled", body = FaceTemplateInfo), (status = 404, description = "No template", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn info(
    State(pool): State<PgPool>,
    Admin(_admin): Admin,
    ApiPath(student): ApiPath<Uuid>,
) -> Result<ApiJson<FaceTemplateInfo>, ApiError> {
    let row = sqlx::query!(
        "SELECT model_id, dims, updated_at FROM face_templates WHERE student_id = $1",
        student
    )
    .fetch_optional(&pool)
    .await?
    .ok_or_else(|| ApiError::NotFound("this student has no face template".to_owned()))?;
    Ok(ApiJson(FaceTemplateInfo {
        student_id: student,
        model_id: row.model_id,
        dims: u32::try_from(row.dims).unwrap_or(0),
        updated_at: unix(row.updated_at),
    }))
}

/// A stored template with its student's name, still sealed.
struct TemplateRow {
    student_id: Uuid,
    display_name: String,
    model_id: String,
    nonce: Vec<u8>,
    ciphertext: Vec<u8>,
}

fn open_rows(
    key: &TemplateKey,
    rows: Vec<TemplateRow>,
) -> Result<Vec<FaceTemplateRecord>, ApiError> {
    rows.into_iter()
        .map(|r| {
            let sealed = Sealed {
                nonce: r.nonce,
                ciphertext: r.ciphertext,
            };
            let embedding = key.open(r.student_id, &r.model_id, &sealed)?;
            Ok(FaceTemplateRecord {
                student_id: r.student_id,
                display_name: r.display_name,
                model_id: r.model_id,
                embedding,
            })
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/me/face-template", tag = "face", summary = "The student's own template, for 1:1 checks on their device (student)", responses((status = 200, description = "The template", body = FaceTemplateRecord), (status = 404, description = "Not enrolled", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn mine(
    State(pool): State<PgPool>,
    State(key): State<TemplateKey>,
    user: AuthUser,
) -> Result<ApiJson<FaceTemplateRecord>, ApiError> {
    user.require(&[Role::Student])?;
    let rows = sqlx::query_as!(
        TemplateRow,
        "SELECT t.student_id, u.display_name, t.model_id, t.nonce, t.ciphertext
         FROM face_templates t JOIN users u ON u.id = t.student_id WHERE t.student_id = $1",
        user.id
    )
    .fetch_all(&pool)
    .await?;
    open_rows(&key, rows)?
        .pop()
        .map(ApiJson)
        .ok_or_else(|| ApiError::NotFound("you have no face template yet".to_owned()))
}

#[utoipa::path(get, path = "/api/v1/kiosks/roster-templates", tag = "face", summary = "Templates of the students timetabled in the kiosk's room, for 1:N at the door (kiosk)", responses((status = 200, description = "The templates", body = Vec<FaceTemplateRecord>), (status = 403, description = "Not a kiosk", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn kiosk_roster(
    State(pool): State<PgPool>,
    State(key): State<TemplateKey>,
    user: AuthUser,
) -> Result<ApiJson<Vec<FaceTemplateRecord>>, ApiError> {
    user.require(&[Role::Kiosk])?;
    let rows = sqlx::query_as!(
        TemplateRow,
        "SELECT DISTINCT t.student_id, u.display_name, t.model_id, t.nonce, t.ciphertext
         FROM kiosks k JOIN timetable_slots s ON s.room_id = k.room_id
         JOIN division_students ds ON ds.division_id = s.division_id
         JOIN face_templates t ON t.student_id = ds.student_id JOIN users u ON u.id = t.student_id
         WHERE k.user_id = $1 AND u.active",
        user.id
    )
    .fetch_all(&pool)
    .await?;
    Ok(ApiJson(open_rows(&key, rows)?))
}
