//! Property tests over the real HTTP surface: the claim, body and query
//! parsers are fed arbitrary values (integers at their limits, numbers no
//! float holds, NUL and other control characters, dates far out of range,
//! huge and deeply nested JSON, random JSON shapes). Whatever comes in, the
//! answer is never a 5xx and never a dropped connection, every 4xx carries our
//! envelope, and a refused request writes nothing.
//!
//! The cases come from proptest strategies with a fixed seed (so a failure
//! names a case that can be replayed); they run against one server in turn.

use proptest::prelude::*;
use proptest::strategy::ValueTree as _;
use proptest::test_runner::{Config, TestRng, TestRunner};
use reqwest::Method;
use rollcall_core::api::ErrorEnvelope;
use rollcall_server::http::rate_limit::Limits;
use rollcall_server::http::Settings;
use rollcall_server::testing::TestServer;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::attendance::{claim, in_the_room, now, phone, qr_at, sign_in, start_class};
use crate::helpers::TestApp;

/// Leaves replaced per endpoint, and random shapes per endpoint.
const CASES: usize = 48;

/// JSON texts no sane client sends: each is a value as it appears on the wire.
fn nasty_value() -> impl Strategy<Value = String> {
    let fixed = prop::sample::select(vec![
        i64::MIN.to_string(),
        i64::MAX.to_string(),
        u64::MAX.to_string(),
        "-1".to_owned(),
        "0".to_owned(),
        "1e308".to_owned(),
        "-1e308".to_owned(),
        "1e400".to_owned(),
        "1e-400".to_owned(),
        "3.4e39".to_owned(),
        "253402300800".to_owned(),
        "-62135596801".to_owned(),
        "true".to_owned(),
        "null".to_owned(),
        "[]".to_owned(),
        "{}".to_owned(),
        r#""""#.to_owned(),
        r#""\u0000""#.to_owned(),
        r#""a\u0000b""#.to_owned(),
        r#""\u0001\u001f\u007f\t\r\n""#.to_owned(),
        r#""\ud800""#.to_owned(),
        r#""-9999-01-01""#.to_owned(),
        r#""10000-01-01""#.to_owned(),
        r#""0000-00-00""#.to_owned(),
        r#""2026-02-30""#.to_owned(),
        r#""25:61""#.to_owned(),
        r#""'; DROP TABLE users; --""#.to_owned(),
        r#""%00%ff""#.to_owned(),
        format!("\"{}\"", "x".repeat(70_000)),
        format!("\"{}\"", "é".repeat(5_000)),
        format!("{}1{}", "[".repeat(200), "]".repeat(200)),
        format!("{}{}", "{\"a\":".repeat(100), "1}".repeat(100)),
    ]);
    let text = "\\PC{0,40}".prop_map(|s| serde_json::to_string(&s).unwrap_or_default());
    let controls = prop::collection::vec(0u32..32, 1..8).prop_map(|cs| {
        let s: String = cs.into_iter().filter_map(char::from_u32).collect();
        serde_json::to_string(&s).unwrap_or_default()
    });
    let int = any::<i64>().prop_map(|n| n.to_string());
    let float = any::<f64>().prop_map(|f| {
        if f.is_finite() {
            format!("{f:e}")
        } else {
            "1e999".to_owned()
        }
    });
    prop_oneof![4 => fixed, 2 => text, 1 => controls, 1 => int, 1 => float]
}

/// Any JSON shape, a few levels deep.
fn random_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,20}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::hash_map("[a-z_]{1,12}", inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Draws `n` values of `strategy` from a seeded runner.
fn draw<S: Strategy>(strategy: &S, n: usize, seed: u8) -> Vec<S::Value> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(proptest::test_runner::RngAlgorithm::ChaCha, &[seed; 32]),
    );
    (0..n)
        .map(|_| {
            strategy
                .new_tree(&mut runner)
                .map(|tree| tree.current())
                .unwrap_or_else(|e| panic!("a case: {e}"))
        })
        .collect()
}

/// Every leaf's path in `value`, as JSON pointers.
fn leaves(value: &Value, at: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                leaves(v, &format!("{at}/{k}"), out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, v) in items.iter().enumerate() {
                leaves(v, &format!("{at}/{i}"), out);
            }
        }
        _ => out.push(at.to_owned()),
    }
}

/// `template` with the leaf at `pointer` written as the raw JSON text `raw`.
fn replaced(template: &Value, pointer: &str, raw: &str) -> String {
    const MARK: &str = "\u{1}rollcall-case\u{1}";
    let mut v = template.clone();
    if let Some(slot) = v.pointer_mut(pointer) {
        *slot = Value::String(MARK.to_owned());
    }
    let text = serde_json::to_string(&v).unwrap_or_default();
    let mark = serde_json::to_string(MARK).unwrap_or_default();
    text.replacen(&mark, raw, 1)
}

/// How many rows the tables a request could write hold, all together.
async fn rows(app: &TestApp) -> Vec<i64> {
    let tables = [
        "users",
        "divisions",
        "division_students",
        "subjects",
        "rooms",
        "access_points",
        "timetable_slots",
        "devices",
        "kiosks",
        "class_sessions",
        "claims",
        "attendance_records",
        "otp_failures",
        "audit_log",
        "face_templates",
        "password_resets",
    ];
    let columns: Vec<String> = tables
        .iter()
        .map(|t| format!("(SELECT count(*) FROM {t})"))
        .collect();
    let sql = format!("SELECT ARRAY[{}]", columns.join(", "));
    sqlx::query_scalar(&sql)
        .fetch_one(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("counting rows: {e}"))
}

/// One request, checked: no 5xx, our envelope on every 4xx, and nothing
/// written by a refused request.
async fn probe(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<String>,
) {
    let before = rows(app).await;
    let mut request = app.http.request(method.clone(), app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = &body {
        request = request
            .header("content-type", "application/json")
            .body(body.clone());
    }
    let shown = |b: &Option<String>| {
        b.as_deref()
            .map(|b| b.chars().take(300).collect::<String>())
            .unwrap_or_default()
    };
    let resp = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {path} {}: no answer: {e}", shown(&body)));
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    assert!(
        status.as_u16() < 500,
        "{method} {path} {}: {status} {text}",
        shown(&body)
    );
    if status.is_client_error() {
        serde_json::from_str::<ErrorEnvelope>(&text).unwrap_or_else(|e| {
            panic!(
                "{method} {path} {}: {status} not our envelope ({e}): {text}",
                shown(&body)
            )
        });
        assert_eq!(
            rows(app).await,
            before,
            "{method} {path} {}: refused with {status} but wrote",
            shown(&body)
        );
    }
}

fn generous() -> TestServer {
    TestServer {
        settings: Settings {
            limits: Limits {
                sign_in_per_minute: 100_000,
                general_per_minute: 100_000,
            },
            ..Settings::default()
        },
        ..TestServer::default()
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn no_body_of_any_shape_or_value_makes_a_server_error_or_a_half_write(pool: PgPool) {
    let app = TestApp::seeded_with(pool, generous()).await;
    let class = start_class(&app).await;
    let session = class.session.session.id;
    let admin = sign_in(&app, "admin", "rollcall-admin").await.access_token;
    let student_phone = phone(&app, class.students[0], 61).await;
    let at = now();
    let mut evidence = in_the_room(at, false);
    evidence.token = Some(qr_at(&class, at));
    evidence.face = Some(rollcall_core::face::FaceEvidence {
        score: rollcall_core::face::FaceScore::new(0.7).unwrap(),
        model: rollcall_core::face::calibrated::settings().model,
        liveness: rollcall_core::face::Liveness::Passed,
    });
    let signed = claim(&student_phone, session, at, evidence);
    let room: Uuid = sqlx::query_scalar("SELECT id FROM rooms WHERE code = 'A-101'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (division, subject, teacher): (Uuid, Uuid, Uuid) =
        sqlx::query_as("SELECT division_id, subject_id, teacher_id FROM timetable_slots LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let student = class.students[1];
    let endpoints: Vec<(Method, String, Option<String>, Value)> = vec![
        (
            Method::POST,
            "/api/v1/attendance/claims".into(),
            Some(student_phone.token.clone()),
            json!({ "claims": [signed] }),
        ),
        (
            Method::POST,
            "/api/v1/auth/login".into(),
            None,
            json!({"login": "student1", "password": "wrong-password"}),
        ),
        (
            Method::POST,
            "/api/v1/auth/forgot".into(),
            None,
            json!({"login": "nobody@example.org"}),
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            Some(admin.clone()),
            json!({"username": "new.user", "email": "n@example.org", "display_name": "New User", "role": "student", "student_no": "S-900", "password": "a long enough password"}),
        ),
        (
            Method::POST,
            "/api/v1/rooms".into(),
            Some(admin.clone()),
            json!({"code": "Z-1", "name": "Room Z", "building": "Z", "geofence": {"kind": "circle", "centre": {"latitude": 18.5, "longitude": 73.8}, "radius_m": 30.0}, "location_tolerance_m": 20.0, "policy": "token & location"}),
        ),
        (
            Method::POST,
            format!("/api/v1/rooms/{room}/access-points"),
            Some(admin.clone()),
            json!({"kind": "wifi", "identifier": "00:11:22:33:44:55", "label": "AP", "min_rssi": -80}),
        ),
        (
            Method::POST,
            "/api/v1/kiosks".into(),
            Some(admin.clone()),
            json!({"name": "Door Z", "room_id": room, "config": "{\"agreement_frames\": 3}"}),
        ),
        (
            Method::PUT,
            "/api/v1/settings".into(),
            Some(admin.clone()),
            json!({"qr_period_s": 20, "late_after_min": 10, "at_risk_below": 75.0, "retention_days": 30, "late_sync": "review", "late_sync_max_hours": 24}),
        ),
        (
            Method::PUT,
            format!("/api/v1/sessions/{session}/records/{student}"),
            Some(class.teacher.clone()),
            json!({"status": "present", "reason": "came in late"}),
        ),
        (
            Method::POST,
            "/api/v1/devices".into(),
            Some(student_phone.token.clone()),
            json!({"public_key": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "label": "Phone", "platform": "android"}),
        ),
        (
            Method::POST,
            "/api/v1/sessions".into(),
            Some(class.teacher.clone()),
            json!({"kind": "ad_hoc", "room_id": room, "division_id": division, "subject_id": subject, "minutes": 50}),
        ),
        (
            Method::POST,
            "/api/v1/timetable".into(),
            Some(admin.clone()),
            json!({"division_id": division, "subject_id": subject, "teacher_id": teacher, "room_id": room, "weekday": "sunday", "starts_at": "07:00", "ends_at": "07:50"}),
        ),
        (
            Method::POST,
            "/api/v1/divisions".into(),
            Some(admin.clone()),
            json!({"code": "TE-Z", "name": "Third Year Z"}),
        ),
        (
            Method::POST,
            format!("/api/v1/review/{}", Uuid::now_v7()),
            Some(class.teacher.clone()),
            json!({"decision": "approve", "note": "seen"}),
        ),
    ];
    let values = draw(&nasty_value(), CASES, 7);
    let shapes = draw(&random_json(), CASES, 8);
    for (method, path, token, template) in &endpoints {
        let mut paths = Vec::new();
        leaves(template, "", &mut paths);
        let picks = draw(&prop::sample::select(paths), CASES, 9);
        for (pointer, raw) in picks.iter().zip(&values) {
            let body = replaced(template, pointer, raw);
            probe(&app, method.clone(), path, token.as_deref(), Some(body)).await;
        }
        for shape in &shapes {
            let body =
                serde_json::to_string(&json!({"claims": [shape], "x": shape})).unwrap_or_default();
            probe(&app, method.clone(), path, token.as_deref(), Some(body)).await;
            let bare = serde_json::to_string(shape).unwrap_or_default();
            probe(&app, method.clone(), path, token.as_deref(), Some(bare)).await;
        }
        for raw in [
            "",
            "{",
            "nul\u{0}",
            "{\"a\":1}{",
            &format!("{}{}", "[".repeat(5000), "]".repeat(5000)),
        ] {
            probe(
                &app,
                method.clone(),
                path,
                token.as_deref(),
                Some(raw.to_owned()),
            )
            .await;
        }
        let huge = format!("{{\"a\":\"{}\"}}", "x".repeat(70 * 1024));
        probe(&app, method.clone(), path, token.as_deref(), Some(huge)).await;
    }
}

/// Query values no form sends.
fn nasty_query_value() -> impl Strategy<Value = String> {
    let fixed = prop::sample::select(vec![
        "-9999-01-01",
        "10000-01-01",
        "%2B10000-01-01",
        "0000-01-01",
        "2026-02-30",
        "%00",
        "a%00b",
        "%ff%fe",
        "9223372036854775807",
        "-9223372036854775808",
        "18446744073709551616",
        "NaN",
        "inf",
        "-1e999",
        "1e999",
        "-1",
        "0",
        "%27%3B%20DROP%20TABLE%20users%3B--",
        "%5B%5D",
        "",
    ])
    .prop_map(str::to_owned);
    let text = "[a-zA-Z0-9%._~-]{0,30}";
    prop_oneof![3 => fixed, 1 => text]
}

#[sqlx::test(migrations = "../migrations")]
async fn no_query_string_makes_a_server_error(pool: PgPool) {
    let app = TestApp::seeded_with(pool, generous()).await;
    let admin = sign_in(&app, "admin", "rollcall-admin").await.access_token;
    let teacher = sign_in(&app, "teacher1", "rollcall-teacher")
        .await
        .access_token;
    let student = sign_in(&app, "student1", "rollcall-student")
        .await
        .access_token;
    let endpoints: &[(&str, &[&str], &str)] = &[
        (
            "/api/v1/reports/attendance",
            &[
                "from",
                "to",
                "at_risk_below",
                "format",
                "division_id",
                "subject_id",
                "student_id",
            ],
            &admin,
        ),
        (
            "/api/v1/reports/attendance",
            &["from", "to", "format"],
            &teacher,
        ),
        (
            "/api/v1/records",
            &[
                "from",
                "to",
                "status",
                "page",
                "per_page",
                "sort",
                "q",
                "session_id",
            ],
            &admin,
        ),
        (
            "/api/v1/sessions",
            &[
                "date",
                "division_id",
                "room_id",
                "page",
                "per_page",
                "sort",
                "q",
            ],
            &admin,
        ),
        (
            "/api/v1/users",
            &["q", "page", "per_page", "sort", "role", "active"],
            &admin,
        ),
        (
            "/api/v1/audit",
            &[
                "q", "entity", "actor_id", "from", "to", "page", "per_page", "sort",
            ],
            &admin,
        ),
        (
            "/api/v1/review",
            &["q", "page", "per_page", "sort"],
            &teacher,
        ),
        ("/api/v1/rooms", &["q", "page", "per_page", "sort"], &admin),
        ("/api/v1/me/attendance", &["from", "to"], &student),
        ("/api/v1/users/import", &["partial"], &admin),
    ];
    let values = draw(&nasty_query_value(), CASES, 11);
    for (path, names, token) in endpoints {
        let picks = draw(&prop::sample::select(names.to_vec()), CASES, 12);
        let seconds = draw(&prop::sample::select(names.to_vec()), CASES, 13);
        for ((name, other), value) in picks.iter().zip(&seconds).zip(&values) {
            let query = format!("{path}?{name}={value}&{other}={value}");
            let method = if path.ends_with("/import") {
                Method::POST
            } else {
                Method::GET
            };
            probe(&app, method, &query, Some(token), None).await;
        }
    }
}
