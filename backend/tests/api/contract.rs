//! The API's contract: every route is documented, and every route answers
//! every kind of caller with exactly the status it should.

use std::collections::BTreeSet;

use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use rollcall_core::api::{KioskCredential, LoginResponse};
use rollcall_server::auth::tokens::{AccessClaims, TokenKeys};
use rollcall_server::http::rate_limit::Limits;
use rollcall_server::http::Settings;
use rollcall_server::testing::TestServer;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::TestApp;

const SECRET: &[u8] = b"contract-test-signing-key-0123456789";
const NOBODY: &str = "0190a000-0000-7000-8000-000000000000";

/// The callers, in the column order of [`MATRIX`].
const CALLERS: [&str; 8] = [
    "anonymous",
    "expired",
    "alg_none",
    "other_key",
    "student",
    "teacher",
    "admin",
    "kiosk",
];

/// Every route and the status each caller gets, with `{}` as the body of
/// every POST/PATCH and a nonexistent id in every path. Statuses per column of
/// [`CALLERS`]. Role checks happen before bodies are read, so a caller without
/// the role gets 403 whatever it sends.
#[rustfmt::skip]
const MATRIX: &[(&str, &str, [u16; 8])] = &[
    // method, path, [anonymous, expired, alg_none, other_key, student, teacher, admin, kiosk]
    ("DELETE", "/api/v1/divisions/{id}", [401, 401, 401, 401, 403, 403, 404, 403]),
    ("DELETE", "/api/v1/divisions/{id}/students/{student_id}", [401, 401, 401, 401, 403, 403, 404, 403]),
    ("DELETE", "/api/v1/rooms/{id}", [401, 401, 401, 401, 403, 403, 404, 403]),
    ("DELETE", "/api/v1/rooms/{id}/access-points/{ap_id}", [401, 401, 401, 401, 403, 403, 404, 403]),
    ("DELETE", "/api/v1/subjects/{id}", [401, 401, 401, 401, 403, 403, 404, 403]),
    ("DELETE", "/api/v1/timetable/{id}", [401, 401, 401, 401, 403, 403, 404, 403]),
    ("GET", "/api/v1/audit", [401, 401, 401, 401, 403, 403, 200, 403]),
    ("GET", "/api/v1/devices", [401, 401, 401, 401, 200, 200, 200, 200]),
    ("GET", "/api/v1/divisions", [401, 401, 401, 401, 200, 200, 200, 403]),
    ("GET", "/api/v1/divisions/{id}", [401, 401, 401, 401, 404, 404, 404, 403]),
    ("GET", "/api/v1/divisions/{id}/students", [401, 401, 401, 401, 403, 404, 404, 403]),
    ("GET", "/api/v1/kiosks", [401, 401, 401, 401, 403, 403, 200, 403]),
    ("GET", "/api/v1/kiosks/{id}", [401, 401, 401, 401, 403, 403, 404, 403]),
    ("GET", "/api/v1/me", [401, 401, 401, 401, 200, 200, 200, 200]),
    ("GET", "/api/v1/meta", [200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/rooms", [401, 401, 401, 401, 200, 200, 200, 403]),
    ("GET", "/api/v1/rooms/{id}", [401, 401, 401, 401, 404, 404, 404, 403]),
    ("GET", "/api/v1/subjects", [401, 401, 401, 401, 200, 200, 200, 403]),
    ("GET", "/api/v1/settings", [401, 401, 401, 401, 403, 200, 200, 403]),
    ("GET", "/api/v1/subjects/{id}", [401, 401, 401, 401, 404, 404, 404, 403]),
    ("GET", "/api/v1/timetable", [401, 401, 401, 401, 200, 200, 200, 403]),
    ("GET", "/api/v1/timetable/{id}", [401, 401, 401, 401, 404, 404, 404, 403]),
    ("GET", "/api/v1/users", [401, 401, 401, 401, 403, 403, 200, 403]),
    ("GET", "/api/v1/users/{id}", [401, 401, 401, 401, 403, 403, 404, 403]),
    ("GET", "/health/live", [200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/health/ready", [200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/metrics", [403, 403, 403, 403, 403, 403, 403, 403]),
    ("PATCH", "/api/v1/divisions/{id}", [401, 401, 401, 401, 403, 403, 404, 403]),
    ("PATCH", "/api/v1/kiosks/{id}", [401, 401, 401, 401, 403, 403, 404, 403]),
    ("PATCH", "/api/v1/rooms/{id}", [401, 401, 401, 401, 403, 403, 404, 403]),
    ("PATCH", "/api/v1/subjects/{id}", [401, 401, 401, 401, 403, 403, 404, 403]),
    ("PATCH", "/api/v1/timetable/{id}", [401, 401, 401, 401, 403, 403, 404, 403]),
    ("PATCH", "/api/v1/users/{id}", [401, 401, 401, 401, 403, 403, 404, 403]),
    ("POST", "/api/v1/auth/forgot", [422, 422, 422, 422, 422, 422, 422, 422]),
    ("POST", "/api/v1/auth/login", [422, 422, 422, 422, 422, 422, 422, 422]),
    ("POST", "/api/v1/auth/logout", [401, 401, 401, 401, 422, 422, 422, 422]),
    ("POST", "/api/v1/auth/password", [401, 401, 401, 401, 422, 422, 422, 422]),
    ("POST", "/api/v1/auth/refresh", [422, 422, 422, 422, 422, 422, 422, 422]),
    ("POST", "/api/v1/auth/reset", [422, 422, 422, 422, 422, 422, 422, 422]),
    ("POST", "/api/v1/devices", [401, 401, 401, 401, 422, 422, 403, 403]),
    ("POST", "/api/v1/devices/{id}/approve", [401, 401, 401, 401, 403, 403, 404, 403]),
    ("POST", "/api/v1/devices/{id}/revoke", [401, 401, 401, 401, 404, 404, 404, 404]),
    ("POST", "/api/v1/divisions", [401, 401, 401, 401, 403, 403, 422, 403]),
    ("POST", "/api/v1/divisions/{id}/students", [401, 401, 401, 401, 403, 403, 422, 403]),
    ("POST", "/api/v1/kiosks", [401, 401, 401, 401, 403, 403, 422, 403]),
    ("POST", "/api/v1/kiosks/heartbeat", [401, 401, 401, 401, 403, 403, 403, 200]),
    ("POST", "/api/v1/kiosks/{id}/credential", [401, 401, 401, 401, 403, 403, 404, 403]),
    ("POST", "/api/v1/rooms", [401, 401, 401, 401, 403, 403, 422, 403]),
    ("POST", "/api/v1/rooms/{id}/access-points", [401, 401, 401, 401, 403, 403, 422, 403]),
    ("POST", "/api/v1/subjects", [401, 401, 401, 401, 403, 403, 422, 403]),
    ("PUT", "/api/v1/settings", [401, 401, 401, 401, 403, 403, 422, 403]),
    ("POST", "/api/v1/timetable", [401, 401, 401, 401, 403, 403, 422, 403]),
    ("POST", "/api/v1/users", [401, 401, 401, 401, 403, 403, 422, 403]),
    ("POST", "/api/v1/users/import", [401, 401, 401, 401, 403, 403, 415, 403]),
    ("GET", "/api/v1/sessions/today", [401, 401, 401, 401, 403, 200, 403, 403]),
    ("GET", "/api/v1/sessions/{id}", [401, 401, 401, 401, 403, 404, 404, 403]),
    ("GET", "/api/v1/sessions/{id}/live", [401, 401, 401, 401, 403, 404, 404, 403]),
    ("GET", "/api/v1/sessions/{id}/roster", [401, 401, 401, 401, 403, 404, 404, 403]),
    ("GET", "/api/v1/sessions/{id}/sheet", [401, 401, 401, 401, 403, 404, 404, 403]),
    ("POST", "/api/v1/attendance/claims", [401, 401, 401, 401, 422, 403, 403, 403]),
    ("POST", "/api/v1/sessions", [401, 401, 401, 401, 403, 422, 403, 403]),
    ("POST", "/api/v1/sessions/{id}/end", [401, 401, 401, 401, 403, 404, 404, 403]),
    ("PUT", "/api/v1/sessions/{id}/records/{student_id}", [401, 401, 401, 401, 403, 422, 422, 403]),
    ("GET", "/api/v1/review", [401, 401, 401, 401, 403, 200, 200, 403]),
    ("POST", "/api/v1/review/{claim_id}", [401, 401, 401, 401, 403, 422, 422, 403]),
    ("GET", "/api/v1/reports/attendance", [401, 401, 401, 401, 403, 200, 200, 403]),
    ("GET", "/api/v1/me/attendance", [401, 401, 401, 401, 200, 403, 403, 403]),
    ("GET", "/api/v1/me/events", [401, 401, 401, 401, 400, 400, 403, 403]),
    ("GET", "/api/v1/me/classes", [401, 401, 401, 401, 200, 403, 403, 403]),
    ("GET", "/api/v1/students/{id}/face-template", [401, 401, 401, 401, 403, 403, 404, 403]),
    ("PUT", "/api/v1/students/{id}/face-template", [401, 401, 401, 401, 403, 403, 422, 403]),
    ("DELETE", "/api/v1/students/{id}/face-template", [401, 401, 401, 401, 403, 403, 404, 403]),
    ("GET", "/api/v1/me/face-template", [401, 401, 401, 401, 404, 403, 403, 403]),
    ("GET", "/api/v1/kiosks/roster-templates", [401, 401, 401, 401, 403, 403, 403, 200]),
    ("GET", "/api/v1/me/export", [401, 401, 401, 401, 200, 200, 200, 200]),
    ("GET", "/api/v1/records", [401, 401, 401, 401, 403, 200, 200, 403]),
    ("GET", "/api/v1/sessions", [401, 401, 401, 401, 403, 200, 200, 403]),
    ("POST", "/api/v1/attendance/kiosk-marks", [401, 401, 401, 401, 403, 403, 403, 422]),
    ("GET", "/api/v1/review/{claim_id}/thumbnail", [401, 401, 401, 401, 403, 404, 404, 403]),
];

enum Caller {
    Anonymous,
    Bearer(String),
}

fn forge(claims: &AccessClaims, header: &Header, secret: &[u8]) -> String {
    jsonwebtoken::encode(header, claims, &EncodingKey::from_secret(secret)).unwrap()
}

async fn callers(app: &TestApp) -> Vec<Caller> {
    let token = |login: String, password: String| async move {
        let resp = app.login(&login, &password).await;
        assert_eq!(resp.status(), StatusCode::OK, "{login}");
        resp.json::<LoginResponse>().await.unwrap().access_token
    };
    let admin = token("admin".into(), "rollcall-admin".into()).await;
    let room: String = sqlx::query_scalar("SELECT id::text FROM rooms LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let kiosk: KioskCredential = app
        .http
        .post(app.url("/api/v1/kiosks"))
        .bearer_auth(&admin)
        .json(&json!({"name": "Matrix door", "room_id": room}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let admin_id: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE username = 'admin'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = |exp: u64| AccessClaims {
        sub: admin_id,
        role: rollcall_core::api::Role::Admin,
        iat: now - 3600,
        exp,
        iss: "rollcall".into(),
        sid: None,
    };
    let expired = forge(&claims(now - 60), &Header::new(Algorithm::HS256), SECRET);
    let other_key = forge(
        &claims(now + 600),
        &Header::new(Algorithm::HS256),
        b"some-other-key-that-is-not-ours!!",
    );
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let alg_none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&serde_json::to_value(claims(now + 600)).unwrap())
    );
    vec![
        Caller::Anonymous,
        Caller::Bearer(expired),
        Caller::Bearer(alg_none),
        Caller::Bearer(other_key),
        Caller::Bearer(token("student1".into(), "rollcall-student".into()).await),
        Caller::Bearer(token("teacher1".into(), "rollcall-teacher".into()).await),
        Caller::Bearer(admin),
        Caller::Bearer(token(kiosk.kiosk.username, kiosk.secret).await),
    ]
}

async fn status(app: &TestApp, caller: &Caller, method: &str, path: &str) -> u16 {
    let path = path
        .split('/')
        .map(|p| if p.starts_with('{') { NOBODY } else { p })
        .collect::<Vec<_>>()
        .join("/");
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = app.http.request(method.clone(), app.url(&path));
    if let Caller::Bearer(token) = caller {
        req = req.bearer_auth(token);
    }
    if method == reqwest::Method::POST
        || method == reqwest::Method::PATCH
        || method == reqwest::Method::PUT
    {
        req = req.json(&json!({}));
    }
    req.send().await.unwrap().status().as_u16()
}

async fn matrix_app(pool: PgPool) -> TestApp {
    let settings = Settings {
        limits: Limits {
            sign_in_per_minute: 1000,
            general_per_minute: 10_000,
        },
        ..Settings::default()
    };
    let options = TestServer {
        keys: TokenKeys::from_secret(SECRET),
        settings,
        ..TestServer::default()
    };
    TestApp::seeded_with(pool, options).await
}

fn documented_routes(doc: &Value) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("operations").keys() {
            routes.insert((method.to_uppercase(), path.clone()));
        }
    }
    routes
}

/// Every `$ref` in `value` that does not resolve within `doc`.
fn dangling_refs(doc: &Value, value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                let pointer = target.trim_start_matches('#');
                if doc.pointer(pointer).is_none() {
                    out.push(target.clone());
                }
            }
            for v in map.values() {
                dangling_refs(doc, v, out);
            }
        }
        Value::Array(items) => {
            for v in items {
                dangling_refs(doc, v, out);
            }
        }
        _ => {}
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn every_route_is_documented_and_every_documented_route_is_in_the_role_matrix(pool: PgPool) {
    let app = matrix_app(pool).await;
    let resp = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let doc: Value = resp.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for schema in [
        "LoginRequest",
        "ErrorEnvelope",
        "UserRecord",
        "Geofence",
        "Policy",
        "KioskRecord",
    ] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "schema {schema} documented"
        );
    }
    let mut dangling = Vec::new();
    dangling_refs(&doc, &doc, &mut dangling);
    assert!(
        dangling.is_empty(),
        "references to schemas the document lacks: {dangling:?}"
    );
    let documented = documented_routes(&doc);
    let in_matrix: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let undocumented: Vec<_> = in_matrix.difference(&documented).collect();
    let untested: Vec<_> = documented.difference(&in_matrix).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the OpenAPI document: {undocumented:?}"
    );
    assert!(
        untested.is_empty(),
        "documented routes missing from the role matrix: {untested:?}"
    );
    // Every route in the matrix is really served (not the 404 fallback).
    let admin = &callers(&app).await[6];
    for (method, path, _) in MATRIX {
        let status = status(&app, admin, method, path).await;
        assert!(status != 405, "{method} {path} is not routed");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn every_caller_gets_exactly_its_status_on_every_route(pool: PgPool) {
    let app = matrix_app(pool).await;
    let callers = callers(&app).await;
    let mut wrong = Vec::new();
    for (method, path, expected) in MATRIX {
        for (i, caller) in callers.iter().enumerate() {
            let got = status(&app, caller, method, path).await;
            if got != expected[i] {
                wrong.push(format!(
                    "{method} {path} as {}: expected {}, got {got}",
                    CALLERS[i], expected[i]
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} mismatches:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_docs_page_lists_every_route_and_fetches_nothing(pool: PgPool) {
    let app = matrix_app(pool).await;
    let resp = app.http.get(app.url("/api/v1/docs")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = resp.text().await.unwrap();
    for (_, path, _) in MATRIX {
        assert!(
            html.contains(&format!("<code>{path}</code>")),
            "{path} on the docs page"
        );
    }
    assert!(!html.contains("<script"), "no scripts");
    assert!(!html.contains("https://"), "nothing loaded from elsewhere");
}
