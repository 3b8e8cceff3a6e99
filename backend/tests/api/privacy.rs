//! Face templates encrypted at rest and handed out by scope; location
//! retention; a student's data export.

use reqwest::StatusCode;
use rollcall_core::api::{FaceTemplateInfo, FaceTemplateRecord, KioskCredential};
use rollcall_core::verdict::Outcome;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::attendance::{claim, in_the_room, now, phone, qr_at, sign_in, start_class, submit};
use crate::helpers::TestApp;

fn template(seed: u32) -> Vec<f32> {
    #[allow(
        clippy::cast_precision_loss,
        reason = "counts, rates and durations here are far below 2^52"
    )]
    let raw: Vec<f32> = (0..256u32)
        .map(|i| ((i * 31 + seed * 17) % 97) as f32 - 48.0)
        .collect();
    let norm = raw.iter().map(|v| v * v).sum::<f32>().sqrt();
    raw.into_iter().map(|v| v / norm).collect()
}

async fn student_in_a101(app: &TestApp) -> (Uuid, String) {
    sqlx::query_as(
        "SELECT u.id, u.username FROM users u JOIN division_students ds ON ds.student_id = u.id \
         JOIN timetable_slots t ON t.division_id = ds.division_id JOIN rooms r ON r.id = t.room_id \
         WHERE r.code = 'A-101' ORDER BY u.username LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn kiosk_token(app: &TestApp, admin: &str, code: &str) -> String {
    let room: Uuid = sqlx::query_scalar("SELECT id FROM rooms WHERE code = $1")
        .bind(code)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let cred: KioskCredential = app
        .http
        .post(app.url("/api/v1/kiosks"))
        .bearer_auth(admin)
        .json(&json!({"name": format!("{code} door"), "room_id": room}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    sign_in(app, &cred.kiosk.username, &cred.secret)
        .await
        .access_token
}

#[sqlx::test(migrations = "../migrations")]
async fn a_template_is_stored_encrypted_and_reaches_only_its_student_and_their_rooms_kiosk(
    pool: PgPool,
) {
    let app = TestApp::seeded(pool).await;
    let admin = sign_in(&app, "admin", "rollcall-admin").await.access_token;
    let (student, username) = student_in_a101(&app).await;
    let embedding = template(1);
    let url = app.url(&format!("/api/v1/students/{student}/face-template"));
    let resp = app
        .http
        .put(&url)
        .bearer_auth(&admin)
        .json(&json!({"model_id": "mobileface-v2", "embedding": embedding}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let info: FaceTemplateInfo = resp.json().await.unwrap();
    assert_eq!(info.dims, 256);
    // The admin sees that the student is enrolled, never the template itself.
    let shown = app.http.get(&url).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(shown.status(), StatusCode::OK);
    let shown: Value = shown.json().await.unwrap();
    assert_eq!(shown["dims"], 256);
    assert_eq!(shown["model_id"], "mobileface-v2");
    assert!(shown.get("embedding").is_none(), "{shown}");

    let (ciphertext,): (Vec<u8>,) =
        sqlx::query_as("SELECT ciphertext FROM face_templates WHERE student_id = $1")
            .bind(student)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let plain: Vec<u8> = embedding.iter().flat_map(|v| v.to_le_bytes()).collect();
    assert!(
        !ciphertext
            .windows(16)
            .any(|w| plain.windows(16).any(|p| p == w)),
        "no plaintext at rest"
    );

    let token = sign_in(&app, &username, "rollcall-student")
        .await
        .access_token;
    let mine: FaceTemplateRecord = app
        .http
        .get(app.url("/api/v1/me/face-template"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine.embedding, embedding);
    let other = sign_in(&app, "student60", "rollcall-student")
        .await
        .access_token;
    if username != "student60" {
        let theirs = app
            .http
            .get(app.url("/api/v1/me/face-template"))
            .bearer_auth(&other)
            .send()
            .await
            .unwrap();
        assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
    }

    // A kiosk at A-101 gets it; a kiosk at a room this division never uses does not.
    let a101 = kiosk_token(&app, &admin, "A-101").await;
    let roster: Vec<FaceTemplateRecord> = app
        .http
        .get(app.url("/api/v1/kiosks/roster-templates"))
        .bearer_auth(&a101)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(roster
        .iter()
        .any(|t| t.student_id == student && t.embedding == embedding));
    let unused_room: Option<String> = sqlx::query_scalar(
        "SELECT r.code FROM rooms r WHERE NOT EXISTS (SELECT 1 FROM timetable_slots t JOIN division_students ds \
         ON ds.division_id = t.division_id WHERE t.room_id = r.id AND ds.student_id = $1) LIMIT 1",
    ).bind(student).fetch_optional(&app.pool).await.unwrap();
    if let Some(code) = unused_room {
        let elsewhere = kiosk_token(&app, &admin, &code).await;
        let roster: Vec<FaceTemplateRecord> = app
            .http
            .get(app.url("/api/v1/kiosks/roster-templates"))
            .bearer_auth(&elsewhere)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(roster.iter().all(|t| t.student_id != student));
    }

    // Bad templates and wrong roles change nothing.
    for bad in [
        json!({"model_id": "m", "embedding": [1.0, 0.0]}),
        json!({"model_id": "m", "embedding": vec![0.5_f32; 256]}),
        json!({"model_id": "", "embedding": template(2)}),
    ] {
        let resp = app
            .http
            .put(&url)
            .bearer_auth(&admin)
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let teacher = sign_in(&app, "teacher1", "rollcall-teacher")
        .await
        .access_token;
    let resp = app
        .http
        .put(&url)
        .bearer_auth(&teacher)
        .json(&json!({"model_id": "m", "embedding": template(3)}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let still: FaceTemplateRecord = app
        .http
        .get(app.url("/api/v1/me/face-template"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(still.embedding, embedding);

    let revoked = app
        .http
        .delete(&url)
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    let gone = app
        .http
        .get(app.url("/api/v1/me/face-template"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let unenrolled = app.http.get(&url).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(unenrolled.status(), StatusCode::NOT_FOUND);
    let audit: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity = 'face_template' ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(audit, ["face_template.enrol", "face_template.revoke"]);
    let logged: String = sqlx::query_scalar(
        "SELECT after::text FROM audit_log WHERE action = 'face_template.enrol'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        !logged.contains("embedding"),
        "the audit never holds the template"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn location_evidence_is_purged_after_the_retention_period_and_a_student_can_export_their_data(
    pool: PgPool,
) {
    let app = TestApp::seeded(pool).await;
    let class = start_class(&app).await;
    let phone = phone(&app, class.students[0], 31).await;
    let at = now();
    let mut e = in_the_room(at, false);
    e.token = Some(qr_at(&class, at));
    let r = submit(
        &app,
        &phone,
        &[claim(&phone, class.session.session.id, at, e)],
    )
    .await;
    assert_eq!(r[0].outcome, Outcome::Accepted);

    let export = app
        .http
        .get(app.url("/api/v1/me/export"))
        .bearer_auth(&phone.token)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), StatusCode::OK);
    assert!(export.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let doc: Value = export.json().await.unwrap();
    assert_eq!(doc["account"]["id"], phone.student.to_string());
    assert!(doc["account"].get("password_hash").is_none());
    assert_eq!(doc["claims"].as_array().unwrap().len(), 1);
    assert!(
        doc["claims"][0]["location"]["point"].is_object(),
        "the location kept is shown to its owner"
    );
    assert_eq!(doc["devices"].as_array().unwrap().len(), 1);
    assert_eq!(doc["attendance"][0]["status"], "present");
    let text = doc.to_string();
    for other in &class.students[1..] {
        assert!(!text.contains(&other.to_string()), "nobody else's data");
    }

    assert_eq!(
        rollcall_server::privacy::purge_locations(&app.pool, 30)
            .await
            .unwrap(),
        0,
        "recent evidence stays"
    );
    sqlx::query("UPDATE claims SET scanned_at = now() - interval '31 days'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        rollcall_server::privacy::purge_locations(&app.pool, 30)
            .await
            .unwrap(),
        1
    );
    let doc: Value = app
        .http
        .get(app.url("/api/v1/me/export"))
        .bearer_auth(&phone.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["claims"][0]["location"].is_null());
    assert_eq!(
        doc["claims"][0]["outcome"], "accepted",
        "the record itself stays"
    );
}
