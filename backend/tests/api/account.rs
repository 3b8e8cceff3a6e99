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
    let elsewhere = signed_in(&app, "student2", "rollcall-student").await;
    let path = "/api/v1/auth/password";

    let wrong = post(
        &app,
        path,
        Some(&s.access_token),
        json!({"current_password": "nope", "new_password": "a fine new password"}),
    )
    .await;
    // The sign-in itself is fine: not a 401, which would sign the app out.
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let env = envelope(wrong).await;
    assert_eq!(env.error.code, "invalid_credentials");
    assert_eq!(env.error.details["field"], "current_password");
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
    let other_refresh = post(
        &app,
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": elsewhere.refresh_token}),
    )
    .await;
    assert_eq!(
        other_refresh.status(),
        StatusCode::UNAUTHORIZED,
        "a password change signs out other sessions"
    );
    let own_refresh = post(
        &app,
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": s.refresh_token}),
    )
    .await;
    assert_eq!(
        own_refresh.status(),
        StatusCode::OK,
        "the sign-in that changed it stays"
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

/// A request with `token` to `/api/v1/me` on `app`: its status and error code.
async fn me_with(app: &TestApp, token: &str) -> (StatusCode, Option<String>) {
    let resp = app
        .http
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    if status.is_success() {
        (status, None)
    } else {
        (status, Some(envelope(resp).await.error.code.to_string()))
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn signing_out_ends_that_sign_ins_access_token_at_once_on_every_replica(pool: PgPool) {
    // Two replicas with the same signing key, as behind a load balancer.
    let keys = rollcall_server::auth::tokens::TokenKeys::random();
    let app = TestApp::seeded_with(
        pool.clone(),
        TestServer {
            keys: keys.clone(),
            ..TestServer::default()
        },
    )
    .await;
    let replica = TestApp::spawn_with(
        pool,
        TestServer {
            keys,
            ..TestServer::default()
        },
    )
    .await;
    // Two sign-ins of one account: a laptop and a phone.
    let laptop = app.client("teacher1", "rollcall-teacher").await;
    let phone = app.client("teacher1", "rollcall-teacher").await;
    let laptop_token = laptop
        .with_session(|s| s.access_token().to_owned())
        .unwrap();
    let phone_token = phone.with_session(|s| s.access_token().to_owned()).unwrap();
    assert_eq!(me_with(&replica, &laptop_token).await.0, StatusCode::OK);

    laptop.sign_out().await.expect("signed out");
    // The access token, 15 minutes from expiry, is refused at once, by the
    // other replica too, with its own code.
    for server in [&app, &replica] {
        assert_eq!(
            me_with(server, &laptop_token).await,
            (StatusCode::UNAUTHORIZED, Some("signed_out".to_owned()))
        );
    }
    // The claims endpoint reads the account in its own statement: refused too.
    let claims = app
        .http
        .post(app.url("/api/v1/attendance/claims"))
        .bearer_auth(&laptop_token)
        .json(&json!({"claims": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(claims.status(), StatusCode::UNAUTHORIZED);
    // The phone's sign-in stands.
    assert_eq!(me_with(&replica, &phone_token).await.0, StatusCode::OK);
    assert!(phone.me().await.is_ok());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_signed_out_students_claims_are_refused_before_anything_is_judged(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let class = crate::attendance::start_class(&app).await;
    let phone = crate::attendance::phone(&app, class.students[0], 3).await;
    let token = phone.token.clone();
    // A genuine claim from the room, signed by the bound phone's key, sent
    // with the access token after its sign-in ended.
    let at = crate::attendance::now();
    let mut evidence = crate::attendance::in_the_room(at, false);
    evidence.token = Some(crate::attendance::qr_at(&class, at));
    let signed = crate::attendance::claim(&phone, class.session.session.id, at, evidence);
    phone.client.sign_out().await.expect("signed out");
    let resp = app
        .http
        .post(app.url("/api/v1/attendance/claims"))
        .bearer_auth(&token)
        .json(&rollcall_core::api::ClaimBatch {
            claims: vec![signed],
        })
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(envelope(resp).await.error.code, "signed_out");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM claims")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0, "nothing judged, nothing written");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_password_change_ends_every_other_sign_ins_access_token_and_keeps_this_one(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let other = signed_in(&app, "student2", "rollcall-student").await;
    let this = signed_in(&app, "student2", "rollcall-student").await;
    let changed = post(
        &app,
        "/api/v1/auth/password",
        Some(&this.access_token),
        json!({"current_password": "rollcall-student", "new_password": "a much longer passphrase 42"}),
    )
    .await;
    assert!(changed.status().is_success(), "{}", changed.status());
    assert_eq!(
        me_with(&app, &other.access_token).await,
        (StatusCode::UNAUTHORIZED, Some("signed_out".to_owned()))
    );
    assert_eq!(me_with(&app, &this.access_token).await.0, StatusCode::OK);
}
