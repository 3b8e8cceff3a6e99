//! The signed-in account: who am I, refresh, logout, change password, and the
//! forgotten-password flow by e-mail.

use axum::extract::State;
use axum::http::StatusCode;
use rollcall_core::api::ErrorCode;
use rollcall_core::api::{
    password_problem, ErrorEnvelope, ForgotPasswordRequest, LoginResponse, PasswordChangeRequest,
    RefreshRequest, ResetPasswordRequest, UserSummary,
};
use sqlx::PgPool;
use uuid::Uuid;

use super::auth_user::AuthUser;
use super::{ApiError, ApiJson};
use crate::auth::mailer::Mailer;
use crate::auth::refresh::{self, RefreshError, REFRESH_TOKEN_SECONDS};
use crate::auth::tokens::{TokenKeys, ACCESS_TOKEN_SECONDS};
use crate::auth::{password, secret_token};

/// How long a reset code works.
const RESET_MINUTES: i32 = 30;

#[utoipa::path(get, path = "/api/v1/me", tag = "auth", summary = "The signed-in account", responses((status = 200, description = "The account", body = UserSummary), (status = 401, description = "No valid access token", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn me(
    State(pool): State<PgPool>,
    user: AuthUser,
) -> Result<ApiJson<UserSummary>, ApiError> {
    let (username, display_name) = names(&pool, user.id).await?;
    Ok(ApiJson(UserSummary {
        id: user.id,
        username,
        display_name,
        role: user.role,
    }))
}

/// An account's username and display name.
async fn names(pool: &PgPool, id: Uuid) -> Result<(String, String), sqlx::Error> {
    let row = sqlx::query!("SELECT username, display_name FROM users WHERE id = $1", id)
        .fetch_one(pool)
        .await?;
    Ok((row.username, row.display_name))
}

#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", summary = "Trade a refresh token for new tokens (rotation; reuse revokes the family)", request_body = RefreshRequest, responses((status = 200, description = "New tokens", body = LoginResponse), (status = 401, description = "Invalid, reused or expired token", body = ErrorEnvelope)))]
pub(super) async fn refresh(
    State(pool): State<PgPool>,
    State(keys): State<TokenKeys>,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> Result<ApiJson<LoginResponse>, ApiError> {
    let rotated = refresh::rotate(&pool, &req.refresh_token)
        .await
        .map_err(|e| {
            let code = match &e {
                RefreshError::Database(_) => return ApiError::from(anyhow::Error::new(e)),
                RefreshError::Invalid => ErrorCode::InvalidRefreshToken,
                RefreshError::Reused => ErrorCode::RefreshTokenReused,
                RefreshError::Expired => ErrorCode::RefreshTokenExpired,
                RefreshError::Inactive => ErrorCode::AccountInactive,
            };
            ApiError::Unauthorized {
                code,
                message: e.to_string(),
            }
        })?;
    let (id, role) = (rotated.user, rotated.role);
    let refresh_token = rotated.token;
    let (username, display_name) = names(&pool, id).await?;
    Ok(ApiJson(LoginResponse {
        access_token: keys.issue(id, role, rotated.family)?,
        token_type: "Bearer".to_owned(),
        expires_in: ACCESS_TOKEN_SECONDS,
        refresh_token,
        refresh_expires_in: REFRESH_TOKEN_SECONDS,
        user: UserSummary {
            id,
            username,
            display_name,
            role,
        },
    }))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", summary = "Sign out: end this sign-in (its refresh-token family and every access token of it)", request_body = RefreshRequest, responses((status = 204, description = "Signed out"), (status = 401, description = "No valid access token", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn logout(
    State(pool): State<PgPool>,
    user: AuthUser,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> Result<StatusCode, ApiError> {
    refresh::revoke_family_of(&pool, &req.refresh_token, user.id, user.sign_in).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn weak_password(problem: &str) -> ApiError {
    ApiError::Unprocessable {
        code: ErrorCode::WeakPassword,
        message: problem.to_owned(),
        details: [("field".to_owned(), "new_password".to_owned())].into(),
    }
}

/// Sets the password and ends every sign-in of the account but `keep`.
async fn set_password(
    pool: &PgPool,
    user: Uuid,
    new_password: String,
    keep: Option<Uuid>,
) -> Result<(), ApiError> {
    let hash = tokio::task::spawn_blocking(move || password::hash(&new_password))
        .await
        .map_err(anyhow::Error::new)?
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?;
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1",
        user,
        hash
    )
    .execute(&mut *tx)
    .await?;
    refresh::revoke_all(&mut tx, user, keep).await?;
    tx.commit().await?;
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", summary = "Change one's own password", request_body = PasswordChangeRequest, responses((status = 204, description = "Changed; other sessions signed out"), (status = 422, description = "The current password is wrong (invalid_credentials), or the new one breaks a rule (weak_password); details.field names which", body = ErrorEnvelope), (status = 401, description = "No valid access token", body = ErrorEnvelope)), security(("bearer" = [])))]
pub(super) async fn change_password(
    State(pool): State<PgPool>,
    user: AuthUser,
    ApiJson(req): ApiJson<PasswordChangeRequest>,
) -> Result<StatusCode, ApiError> {
    let account = sqlx::query!(
        "SELECT username, password_hash FROM users WHERE id = $1",
        user.id
    )
    .fetch_one(&pool)
    .await?;
    let (username, stored) = (account.username, account.password_hash);
    let current = req.current_password;
    let matches = tokio::task::spawn_blocking(move || password::verify(&current, &stored))
        .await
        .map_err(anyhow::Error::new)?;
    if !matches {
        // 422, not 401: the sign-in is fine; a 401 would tell the app it is gone.
        return Err(ApiError::Unprocessable {
            code: ErrorCode::InvalidCredentials,
            message: "The current password is wrong.".to_owned(),
            details: [("field".to_owned(), "current_password".to_owned())].into(),
        });
    }
    if let Some(problem) = password_problem(&req.new_password, &username) {
        return Err(weak_password(problem));
    }
    set_password(&pool, user.id, req.new_password, user.sign_in).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Always 202, whether or not the account exists, so the answer tells an
/// attacker nothing.
#[utoipa::path(post, path = "/api/v1/auth/forgot", tag = "auth", summary = "Mail a single-use reset code (always 202)", request_body = ForgotPasswordRequest, responses((status = 202, description = "Accepted")))]
pub(super) async fn forgot_password(
    State(pool): State<PgPool>,
    State(mailer): State<Mailer>,
    ApiJson(req): ApiJson<ForgotPasswordRequest>,
) -> Result<StatusCode, ApiError> {
    let login = req.login.trim().to_lowercase();
    let account = sqlx::query!(
        "SELECT id, display_name, email FROM users
         WHERE active AND (username = $1 OR lower(email) = $1)",
        login
    )
    .fetch_optional(&pool)
    .await?
    .and_then(|a| Some((a.id, a.display_name, a.email?)));
    if let Some((id, name, email)) = account {
        let code = secret_token::generate();
        sqlx::query!(
            "INSERT INTO password_resets (id, user_id, token_hash, expires_at)
             VALUES ($1, $2, $3, now() + make_interval(mins => $4))",
            Uuid::now_v7(),
            id,
            secret_token::hash(&code),
            RESET_MINUTES
        )
        .execute(&pool)
        .await?;
        if let Err(e) = mailer.send_reset_code(&email, &name, &code).await {
            tracing::error!(error = %e, user = %id, "reset mail not sent");
        }
    }
    Ok(StatusCode::ACCEPTED)
}

#[utoipa::path(post, path = "/api/v1/auth/reset", tag = "auth", summary = "Set a new password with a mailed code", request_body = ResetPasswordRequest, responses((status = 204, description = "Reset"), (status = 400, description = "Invalid or expired code", body = ErrorEnvelope), (status = 422, description = "The new password breaks a rule", body = ErrorEnvelope)))]
pub(super) async fn reset_password(
    State(pool): State<PgPool>,
    ApiJson(req): ApiJson<ResetPasswordRequest>,
) -> Result<StatusCode, ApiError> {
    let invalid = || ApiError::BadRequest {
        code: ErrorCode::InvalidResetToken,
        message: "This reset code is not valid, was already used, or has expired.".to_owned(),
    };
    let mut tx = pool.begin().await?;
    let row = sqlx::query!(
        "SELECT r.id, r.user_id, u.username FROM password_resets r
         JOIN users u ON u.id = r.user_id
         WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now() AND u.active
         FOR UPDATE OF r",
        secret_token::hash(&req.token)
    )
    .fetch_optional(&mut *tx)
    .await?;
    let (reset_id, user, username) = row
        .map(|r| (r.id, r.user_id, r.username))
        .ok_or_else(invalid)?;
    if let Some(problem) = password_problem(&req.new_password, &username) {
        return Err(weak_password(problem));
    }
    sqlx::query!(
        "UPDATE password_resets SET used_at = now() WHERE id = $1",
        reset_id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    set_password(&pool, user, req.new_password, None).await?;
    Ok(StatusCode::NO_CONTENT)
}
