use reqwest::StatusCode;
use rollcall_server::http::rate_limit::Limits;
use rollcall_server::http::Settings;
use rollcall_server::testing::TestServer;
use sqlx::PgPool;

use crate::helpers::{envelope, TestApp};

fn with_settings(settings: Settings) -> TestServer {
    TestServer {
        settings,
        ..TestServer::default()
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn the_eleventh_login_in_a_minute_is_429_with_retry_after(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    for attempt in 1..=10 {
        let resp = app.login("teacher1", "guess").await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let resp = app.login("teacher1", "rollcall-teacher").await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(envelope(resp).await.error.code, "rate_limited");
    let other = app.http.get(app.url("/health/live")).send().await.unwrap();
    assert_eq!(
        other.status(),
        StatusCode::OK,
        "other requests have their own budget"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_general_limit_is_configurable(pool: PgPool) {
    let limits = Limits {
        sign_in_per_minute: 10,
        general_per_minute: 3,
    };
    let app = TestApp::spawn_with(
        pool,
        with_settings(Settings {
            limits,
            ..Settings::default()
        }),
    )
    .await;
    for _ in 0..3 {
        assert_eq!(
            app.http
                .get(app.url("/api/v1/meta"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
    }
    let resp = app.http.get(app.url("/api/v1/meta")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().contains_key("retry-after"));
}

#[sqlx::test(migrations = "../migrations")]
async fn metrics_count_requests_by_route_template_and_status(pool: PgPool) {
    let settings = Settings {
        metrics_token: Some("scrape-secret-123".into()),
        ..Settings::default()
    };
    let app = TestApp::spawn_with(pool, with_settings(settings)).await;
    app.http.get(app.url("/health/live")).send().await.unwrap();
    app.http
        .get(app.url("/api/v1/users/0190a000-0000-7000-8000-000000000000"))
        .send()
        .await
        .unwrap();
    app.http
        .get(app.url("/no/such/path/123"))
        .send()
        .await
        .unwrap();
    let resp = app
        .http
        .get(app.url("/metrics"))
        .bearer_auth("scrape-secret-123")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = resp.text().await.unwrap();
    assert!(
        text.contains(
            r#"rollcall_http_requests_total{method="GET",route="/health/live",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/api/v1/users/{id}",status="401""#),
        "templates, not ids: {text}"
    );
    assert!(text.contains(r#"route="unmatched",status="404""#), "{text}");
    assert!(text.contains(r#"rollcall_http_request_duration_seconds_bucket{method="GET",route="/health/live",status="200",le="+Inf"} 1"#));
    assert!(!text.contains("123"), "raw paths never become labels");
    assert!(
        !text.contains("rollcall_app_requests_total{"),
        "the test's requests are not the app's: {text}"
    );
    app.http
        .get(app.url("/health/live"))
        .header("user-agent", "rollcall-app/0.1.0")
        .send()
        .await
        .unwrap();
    let text = app
        .http
        .get(app.url("/metrics"))
        .bearer_auth("scrape-secret-123")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(
            r#"rollcall_app_requests_total{method="GET",route="/health/live",status="200"} 1"#
        ),
        "the app's own requests are counted apart: {text}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn metrics_are_off_without_a_token_even_for_a_proxy_on_this_machine(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    // The test's client is on loopback, as a reverse proxy on the same host is.
    let resp = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(envelope(resp).await.error.code, "forbidden");
    let guessed = app
        .http
        .get(app.url("/metrics"))
        .bearer_auth("")
        .send()
        .await
        .unwrap();
    assert_eq!(guessed.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test(migrations = "../migrations")]
async fn metrics_behind_a_token_need_it(pool: PgPool) {
    let settings = Settings {
        metrics_token: Some("scrape-secret-123".into()),
        ..Settings::default()
    };
    let app = TestApp::spawn_with(pool, with_settings(settings)).await;
    let none = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(none.status(), StatusCode::FORBIDDEN);
    let wrong = app
        .http
        .get(app.url("/metrics"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let right = app
        .http
        .get(app.url("/metrics"))
        .bearer_auth("scrape-secret-123")
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), StatusCode::OK);
}

#[sqlx::test(migrations = "../migrations")]
async fn cors_answers_only_configured_origins(pool: PgPool) {
    let settings = Settings {
        cors_origins: vec!["https://admin.school.example".into()],
        ..Settings::default()
    };
    let app = TestApp::spawn_with(pool, with_settings(settings)).await;
    let preflight = |origin: &'static str| {
        app.http
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/auth/login"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let ok = preflight("https://admin.school.example").await.unwrap();
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://admin.school.example"
    );
    let evil = preflight("https://evil.example").await.unwrap();
    assert!(!evil.headers().contains_key("access-control-allow-origin"));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_request_id_is_echoed_or_made(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let resp = app
        .http
        .get(app.url("/health/live"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "trace-me-42");
    let made = app.http.get(app.url("/health/live")).send().await.unwrap();
    assert_eq!(made.headers()["x-request-id"].to_str().unwrap().len(), 36);
}

#[sqlx::test(migrations = "../migrations")]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget(pool: PgPool) {
    let settings = Settings {
        limits: Limits {
            sign_in_per_minute: 2,
            general_per_minute: 600,
        },
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..Settings::default()
    };
    let app = TestApp::spawn_with(pool, with_settings(settings)).await;
    let login = |client: &'static str| {
        app.http
            .post(app.url("/api/v1/auth/login"))
            .header("x-forwarded-for", client)
            .json(&serde_json::json!({"login": "nobody", "password": "x"}))
            .send()
    };
    for _ in 0..2 {
        assert_eq!(
            login("198.51.100.1").await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login("198.51.100.1").await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        login("198.51.100.2").await.unwrap().status(),
        StatusCode::UNAUTHORIZED,
        "another client behind the same proxy has its own budget"
    );
}

#[tokio::test]
async fn claims_sent_while_the_database_is_unreachable_are_a_503_in_our_envelope() {
    use rollcall_core::api::Role;
    use rollcall_server::auth::mailer::Mailer;
    use rollcall_server::auth::tokens::TokenKeys;
    use rollcall_server::face_templates::TemplateKey;
    use rollcall_server::http::{router, AppState};
    use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

    // A pool over an address where no database listens.
    let options: PgConnectOptions = "postgres://rollcall@127.0.0.1:1/rollcall".parse().unwrap();
    let pool = PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_secs(1))
        .connect_lazy_with(options);
    let keys = TokenKeys::random();
    let state = AppState::new(
        pool,
        keys.clone(),
        Mailer::disabled(),
        TemplateKey::random(),
        Settings::default(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });

    let student = uuid::Uuid::now_v7();
    let token = keys
        .issue(student, Role::Student, uuid::Uuid::now_v7())
        .unwrap();
    let key = rollcall_core::signing::DeviceKey::from_seed(&[5; 32]);
    let at = crate::attendance::now();
    let claim = rollcall_core::claim::Claim {
        id: rollcall_core::ids::ClaimId::generate(
            u64::try_from(at.unix()).unwrap() * 1000,
            &mut rand_core::OsRng,
        ),
        student: rollcall_core::ids::StudentId::from(student),
        session: rollcall_core::ids::SessionId::from(uuid::Uuid::now_v7()),
        device: rollcall_core::ids::DeviceId::from(uuid::Uuid::now_v7()),
        scanned_at: at,
        evidence: rollcall_core::claim::Evidence::default(),
    };
    let signed = rollcall_core::signing::SignedClaim::sign(claim, &key);
    let resp = reqwest::Client::new()
        .post(format!("http://{addr}/api/v1/attendance/claims"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "claims": [signed] }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(envelope(resp).await.error.code, "database_unavailable");
}
