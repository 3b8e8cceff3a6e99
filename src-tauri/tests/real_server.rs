//! The app's server client against a real `rollcall-server` on a fresh
//! database (the atuin approach: the product's own client drives the server).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use rollcall_app::{AppError, ServerClient};
use sqlx::PgPool;

async fn seeded_server(pool: &PgPool) -> String {
    rollcall_server::seed::seed_demo(pool)
        .await
        .expect("demo school seeds");
    let addr = rollcall_server::testing::spawn_server(pool.clone())
        .await
        .expect("server starts");
    format!("http://{addr}")
}

#[sqlx::test(migrations = "../migrations")]
async fn a_teacher_signs_in_through_the_app_client_and_signing_out_revokes_the_session(
    pool: PgPool,
) {
    let server = seeded_server(&pool).await;
    let client = ServerClient::new();
    let signed_in = client
        .login(&server, "teacher1", "rollcall-teacher")
        .await
        .unwrap();
    assert_eq!(signed_in.user.display_name, "Dr. Asha Rao");
    assert_eq!(signed_in.server.name, "rollcall-server");
    assert_eq!(signed_in.server_address, server);
    assert!(client.with_session(|s| s.user.username.clone()).is_some());

    let live: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM refresh_tokens t JOIN users u ON u.id = t.user_id \
         WHERE u.username = 'teacher1' AND t.revoked_at IS NULL",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(live, 1);

    client.sign_out().await.expect("the server is told");
    assert!(client.with_session(|_| ()).is_none());
    let live_after: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM refresh_tokens t JOIN users u ON u.id = t.user_id \
         WHERE u.username = 'teacher1' AND t.revoked_at IS NULL",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(live_after, 0, "the server revoked the refresh token");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_wrong_password_against_the_real_server_is_invalid_credentials(pool: PgPool) {
    let server = seeded_server(&pool).await;
    let error = AppError::from(
        ServerClient::new()
            .login(&server, "teacher1", "nope")
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(
            error,
            AppError::Server(rollcall_client::ClientError::InvalidCredentials)
        ),
        "{error:?}"
    );
    let json = serde_json::to_value(&error).unwrap();
    let typed: rollcall_core::api::CommandError = serde_json::from_value(json).unwrap();
    assert_eq!(
        typed.code,
        rollcall_core::api::CommandErrorCode::InvalidCredentials
    );
}
