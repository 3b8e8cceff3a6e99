use reqwest::StatusCode;
use rollcall_core::api::ServerInfo;
use sqlx::PgPool;

use crate::helpers::{envelope, TestApp};

#[sqlx::test(migrations = "../migrations")]
async fn live_and_ready_answer_while_the_database_is_up(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    for path in ["/health/live", "/health/ready"] {
        let resp = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        assert!(resp.headers().contains_key("x-request-id"));
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn ready_turns_503_with_an_envelope_when_the_database_is_gone(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.pool.close().await;
    let resp = app.http.get(app.url("/health/ready")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(envelope(resp).await.error.code, "database_unavailable");
    let live = app.http.get(app.url("/health/live")).send().await.unwrap();
    assert_eq!(live.status(), StatusCode::OK);
}

#[sqlx::test(migrations = "../migrations")]
async fn meta_names_the_server_and_its_version(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let info: ServerInfo = app
        .http
        .get(app.url("/api/v1/meta"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info.name, "rollcall-server");
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_bodies_get_a_4xx_with_our_envelope(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let url = app.url("/api/v1/auth/login");
    let cases: Vec<(reqwest::RequestBuilder, StatusCode, &str)> = vec![
        (
            app.http
                .post(&url)
                .header("content-type", "application/json")
                .body("{not json"),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            app.http
                .post(&url)
                .header("content-type", "application/json")
                .body(r#"{"login":"a"}"#),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            app.http.post(&url).body(r#"{"login":"a","password":"b"}"#),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            app.http
                .post(&url)
                .header("content-type", "application/json")
                .body(format!(
                    r#"{{"login":"{}","password":"b"}}"#,
                    "a".repeat(70_000)
                )),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
    ];
    let json = |body: &'static str| {
        app.http
            .post(&url)
            .header("content-type", "application/json")
            .body(body)
    };
    let mut cases = cases;
    cases.push((
        json(r#"["teacher1", "rollcall-teacher"]"#),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    ));
    cases.push((
        json(r#"{"login":"a","password":"b"} trailing"#),
        StatusCode::BAD_REQUEST,
        "malformed_json",
    ));
    cases.push((
        json(r#"{"login":"a","password":"b","role":"admin"}"#),
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    ));
    cases.push((
        json(r#"{"login":7,"password":"b"}"#),
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    ));
    for (request, status, code) in cases {
        let resp = request.send().await.unwrap();
        assert_eq!(resp.status(), status, "{code}");
        assert_eq!(envelope(resp).await.error.code, code);
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn unknown_paths_and_methods_get_our_envelope(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let resp = app
        .http
        .get(app.url("/api/v1/nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(envelope(resp).await.error.code, "not_found");
    let resp = app
        .http
        .delete(app.url("/api/v1/auth/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(envelope(resp).await.error.code, "method_not_allowed");
}
