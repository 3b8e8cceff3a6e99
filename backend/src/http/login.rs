//! `POST /api/v1/auth/login`: username or e-mail plus password, answered with
//! an access token.

use axum::extract::State;
use rollcall_core::api::ErrorCode;
use rollcall_core::api::{ErrorEnvelope, LoginRequest, LoginResponse, Role, UserSummary};
use sqlx::PgPool;
use uuid::Uuid;

use super::{ApiError, ApiJson};
use crate::auth::password;
use crate::auth::refresh::{self, REFRESH_TOKEN_SECONDS};
use crate::auth::tokens::{TokenKeys, ACCESS_TOKEN_SECONDS};

#[derive(sqlx::FromRow)]
struct Account {
    id: Uuid,
    username: String,
    display_name: String,
    role: Role,
    password_hash: String,
}

fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized {
        code: ErrorCode::InvalidCredentials,
        message: "Wrong username or password.".to_owned(),
    }
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", summary = "Sign in by username or e-mail", request_body = LoginRequest, responses((status = 200, description = "Signed in", body = LoginResponse), (status = 401, description = "Wrong username or password", body = ErrorEnvelope), (status = 429, description = "Too many attempts", body = ErrorEnvelope)))]
pub(super) async fn login(
    State(pool): State<PgPool>,
    State(keys): State<TokenKeys>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<ApiJson<LoginResponse>, ApiError> {
    let login = req.login.trim().to_lowercase();
    if login.is_empty() || req.password.is_empty() || login.len() > 254 || req.password.len() > 1024
    {
        return Err(invalid_credentials());
    }
    let account = sqlx::query_as!(
        Account,
        r#"SELECT id, username, display_name, role AS "role: Role", password_hash FROM users
         WHERE active AND (username = $1 OR lower(email) = $1)"#,
        login
    )
    .fetch_optional(&pool)
    .await?;

    let password = req.password;
    let verified = tokio::task::spawn_blocking(move || match account {
        Some(account) if password::verify(&password, &account.password_hash) => Some(account),
        Some(_) => None,
        None => {
            password::verify_dummy(&password);
            None
        }
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?;

    let account = verified.ok_or_else(invalid_credentials)?;
    let role = account.role;
    // A sign-in is a refresh family; its access tokens end with it.
    let sign_in = Uuid::now_v7();
    let mut conn = pool.acquire().await?;
    let refresh_token = refresh::issue(&mut conn, account.id, sign_in).await?;
    let access_token = keys.issue(account.id, role, sign_in)?;
    tracing::info!(user = %account.id, %role, "signed in");
    Ok(ApiJson(LoginResponse {
        access_token,
        token_type: "Bearer".to_owned(),
        expires_in: ACCESS_TOKEN_SECONDS,
        refresh_token,
        refresh_expires_in: REFRESH_TOKEN_SECONDS,
        user: UserSummary {
            id: account.id,
            username: account.username,
            display_name: account.display_name,
            role,
        },
    }))
}
