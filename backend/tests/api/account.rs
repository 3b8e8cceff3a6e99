use reqwest::StatusCode;
use rollcall_core::api::{LoginResponse, UserSummary};
use rollcall_server::auth::mailer::Mailer;
use rollcall_server::testing::TestServer;
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::{envelope, TestApp};
use crate::smtp_sink::SmtpSink;

async fn signed_in(app: &TestApp, login: &str, password: &str) -> LoginResponse {
    let resp = app.login(login, password).await;
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

async fn post(
    app: &TestApp,
    path: &str,
    bearer: Option<&str>,
    body: serde_json::Value,
) -> reqwest::Response {
    let mut req = app.http.post(app.url(path)).json(&body);
    if let Some(token) = bearer {
        req = req.bearer_auth(token);
    }
    req.send().await.unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn me_answers_for_the_bearer_and_refuses_without_a_valid_token(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let session = signed_in(&app, "student1", "rollcall-student").await;
    let me: UserSummary = app
        .http
        .get(app.url("/api/v1/me"))
        .bearer_auth(&session.access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me.username, "student1");

    let no_token = app.http.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(no_token.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(envelope(no_token).await.error.code, "missing_token");
    let garbage = app
        .http
        .get(app.url("/api/v1/me"))
        .bearer_auth("a.b.c")
        .send()
        .await
        .unwrap();
    assert_eq!(envelope(garbage).await.error.code, "invalid_token");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_refresh_token_rotates_and_a_reused_one_revokes_the_whole_family(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let first = signed_in(&app, "teacher1", "rollcall-teacher").await;

    let resp = post(
        &app,
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": first.refresh_token}),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let second: LoginResponse = resp.json().await.unwrap();
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_eq!(second.user.username, "teacher1");

    // The first token again: theft. The family, including the fresh token, dies.
    let reuse = post(
        &app,
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": first.refresh_token}),
    )
    .await;
    assert_eq!(reuse.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(envelope(reuse).await.error.code, "refresh_token_reused");
    let after = post(
        &app,
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": second.refresh_token}),
    )
    .await;
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(envelope(after).await.error.code, "invalid_refresh_token");

    // Another login is another family and is untouched.
    let other = signed_in(&app, "teacher1", "rollcall-teacher").await;
    let ok = post(
        &app,
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": other.refresh_token}),
    )
    .await;
    assert_eq!(ok.status(), StatusCode::OK);
}

#[sqlx::test(migrations = "../migrations")]
async fn logout_revokes_the_refresh_token(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let s = signed_in(&app, "admin", "rollcall-admin").await;
    let out = post(
        &app,
        "/api/v1/auth/logout",
        Some(&s.access_token),
        json!({"refresh_token": s.refresh_token}),
    )
    .await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let again = post(
        &app,
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": s.refresh_token}),
    )
    .await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrations = "../migrations")]
async fn changing_the_password_needs_the_current_one_and_follows_the_rules(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let s = signed_in(&app, "student2", "rollcall-student").await;
    let path = "/api/v1/auth/password";

    let wrong = post(
        &app,
        path,
        Some(&s.access_token),
        json!({"current_password": "nope", "new_password": "a fine new password"}),
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let weak = post(
        &app,
        path,
        Some(&s.access_token),
        json!({"current_password": "rollcall-student", "new_password": "short"}),
    )
    .await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let env = envelope(weak).await;
    assert_eq!(env.error.code, "weak_password");
    assert_eq!(env.error.details["field"], "new_password");
    assert_eq!(
        app.login("student2", "rollcall-student").await.status(),
        StatusCode::OK,
        "nothing changed"
    );

    let ok = post(
        &app,
        path,
        Some(&s.access_token),
        json!({"current_password": "rollcall-student", "new_password": "a fine new password"}),
    )
    .await;
    assert_eq!(ok.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.login("student2", "rollcall-student").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("student2", "a fine new password").await.status(),
        StatusCode::OK
    );
    let old_refresh = post(
        &app,
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": s.refresh_token}),
    )
    .await;
    assert_eq!(
        old_refresh.status(),
        StatusCode::UNAUTHORIZED,
        "a password change signs out other sessions"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_forgotten_password_is_reset_with_the_code_mailed_over_smtp_once(pool: PgPool) {
    let sink = SmtpSink::start().await;
    let mailer = Mailer::new(Some(&sink.url), "Rollcall <no-reply@school.example>").unwrap();
    let app = TestApp::seeded_with(
        pool,
        TestServer {
            mailer,
            ..TestServer::default()
        },
    )
    .await;

    let resp = post(
        &app,
        "/api/v1/auth/forgot",
        None,
        json!({"login": "teacher3"}),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let unknown = post(
        &app,
        "/api/v1/auth/forgot",
        None,
        json!({"login": "nobody"}),
    )
    .await;
    assert_eq!(
        unknown.status(),
        StatusCode::ACCEPTED,
        "no hint whether an account exists"
    );

    let mail = sink.message(0).await;
    assert!(mail.contains("teacher3@demo.rollcall.example"), "{mail}");
    assert!(
        mail.contains("Subject: Your Rollcall password reset code"),
        "{mail}"
    );
    let code = mail
        .lines()
        .skip_while(|l| !l.contains("Your reset code is:"))
        .map(str::trim)
        .find(|l| l.len() == 43)
        .unwrap_or_else(|| panic!("no code in {mail}"))
        .to_owned();

    let weak = post(
        &app,
        "/api/v1/auth/reset",
        None,
        json!({"token": code, "new_password": "123"}),
    )
    .await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let ok = post(
        &app,
        "/api/v1/auth/reset",
        None,
        json!({"token": code, "new_password": "a brand new secret"}),
    )
    .await;
    assert_eq!(ok.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.login("teacher3", "a brand new secret").await.status(),
        StatusCode::OK
    );
    let twice = post(
        &app,
        "/api/v1/auth/reset",
        None,
        json!({"token": code, "new_password": "yet another secret"}),
    )
    .await;
    assert_eq!(twice.status(), StatusCode::BAD_REQUEST);
    assert_eq!(envelope(twice).await.error.code, "invalid_reset_token");
    assert_eq!(sink.count(), 1, "no mail for an unknown account");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_expired_reset_code_is_refused(pool: PgPool) {
    let sink = SmtpSink::start().await;
    let mailer = Mailer::new(Some(&sink.url), "Rollcall <no-reply@school.example>").unwrap();
    let app = TestApp::seeded_with(
        pool,
        TestServer {
            mailer,
            ..TestServer::default()
        },
    )
    .await;
    post(
        &app,
        "/api/v1/auth/forgot",
        None,
        json!({"login": "student5"}),
    )
    .await;
    let mail = sink.message(0).await;
    let code = mail
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 43)
        .unwrap()
        .to_owned();
    sqlx::query("UPDATE password_resets SET expires_at = now() - interval '1 minute'")
        .execute(&app.pool)
        .await
        .unwrap();
    let resp = post(
        &app,
        "/api/v1/auth/reset",
        None,
        json!({"token": code, "new_password": "a brand new secret"}),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        app.login("student5", "rollcall-student").await.status(),
        StatusCode::OK
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_deactivated_account_loses_its_access_token_at_once(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let s = signed_in(&app, "student9", "rollcall-student").await;
    sqlx::query("UPDATE users SET active = false WHERE username = 'student9'")
        .execute(&app.pool)
        .await
        .unwrap();
    let resp = app
        .http
        .get(app.url("/api/v1/me"))
        .bearer_auth(&s.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(envelope(resp).await.error.code, "account_inactive");
}
