use reqwest::StatusCode;
use rollcall_core::api::{
    DeviceRecord, DeviceStatus, KioskCredential, KioskRecord, LoginResponse, Page,
};
use rollcall_core::signing::DeviceKey;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::{envelope, TestApp};

async fn token(app: &TestApp, login: &str, password: &str) -> String {
    let resp = app.login(login, password).await;
    assert_eq!(resp.status(), StatusCode::OK, "{login} signs in");
    resp.json::<LoginResponse>().await.unwrap().access_token
}

fn key(n: u8) -> String {
    DeviceKey::from_seed(&[n; 32]).public().to_string()
}

async fn register(app: &TestApp, t: &str, public_key: &str) -> reqwest::Response {
    app.http
        .post(app.url("/api/v1/devices"))
        .bearer_auth(t)
        .json(&json!({"public_key": public_key, "label": "Phone", "platform": "android"}))
        .send()
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn the_first_device_binds_and_a_second_waits_for_an_admin_who_swaps_them(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let student = token(&app, "student1", "rollcall-student").await;
    let first = register(&app, &student, &key(1)).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: DeviceRecord = first.json().await.unwrap();
    assert_eq!(first.status, DeviceStatus::Active);

    let again = register(&app, &student, &key(1)).await;
    assert_eq!(
        again.status(),
        StatusCode::OK,
        "registering the same key is idempotent"
    );
    assert_eq!(again.json::<DeviceRecord>().await.unwrap().id, first.id);

    let second: DeviceRecord = register(&app, &student, &key(2))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second.status, DeviceStatus::Pending);

    let admin = token(&app, "admin", "rollcall-admin").await;
    let pending: Page<DeviceRecord> = app
        .http
        .get(app.url("/api/v1/devices?status=pending"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pending.total, 1);
    let approved = app
        .http
        .post(app.url(&format!("/api/v1/devices/{}/approve", second.id)))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), StatusCode::OK);
    assert_eq!(
        approved.json::<DeviceRecord>().await.unwrap().status,
        DeviceStatus::Active
    );
    let mine: Page<DeviceRecord> = app
        .http
        .get(app.url("/api/v1/devices"))
        .bearer_auth(&student)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let statuses: Vec<(u8, DeviceStatus)> = mine
        .items
        .iter()
        .map(|d| (if d.id == first.id { 1 } else { 2 }, d.status))
        .collect();
    assert!(
        statuses.contains(&(1, DeviceStatus::Revoked))
            && statuses.contains(&(2, DeviceStatus::Active)),
        "{statuses:?}"
    );
    let twice = app
        .http
        .post(app.url(&format!("/api/v1/devices/{}/approve", second.id)))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), StatusCode::CONFLICT);
    let audit: Value = app
        .http
        .get(app.url("/api/v1/audit?entity=device"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(audit["items"][0]["action"], "device.approve");
    assert_eq!(audit["items"][0]["actor_name"], "School Administrator");

    // By when: today holds it, a day long past holds nothing; bad days are named.
    let today = time::OffsetDateTime::now_utc().date();
    let on = |from: time::Date, to: time::Date| {
        let app = &app;
        let admin = admin.clone();
        async move {
            app.http
                .get(app.url(&format!("/api/v1/audit?entity=device&from={from}&to={to}")))
                .bearer_auth(&admin)
                .send()
                .await
                .unwrap()
        }
    };
    let yesterday = today.previous_day().unwrap();
    let tomorrow = today.next_day().unwrap();
    let around: Value = on(yesterday, tomorrow).await.json().await.unwrap();
    assert!(around["total"].as_u64().unwrap() >= 1, "{around}");
    let long_ago = time::macros::date!(2020 - 01 - 01);
    let past: Value = on(long_ago, long_ago).await.json().await.unwrap();
    assert_eq!(past["total"], 0);
    let backwards = on(tomorrow, yesterday).await;
    assert_eq!(backwards.status(), StatusCode::BAD_REQUEST);
    for bad in ["from=yesterday", "to=2026-13-01"] {
        let resp = app
            .http
            .get(app.url(&format!("/api/v1/audit?{bad}")))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(envelope(resp).await.error.code, "invalid_query");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_key_cannot_be_shared_forged_or_approved_by_its_owner(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let s1 = token(&app, "student1", "rollcall-student").await;
    let s2 = token(&app, "student2", "rollcall-student").await;
    assert_eq!(
        register(&app, &s1, &key(7)).await.status(),
        StatusCode::CREATED
    );
    let stolen = register(&app, &s2, &key(7)).await;
    assert_eq!(stolen.status(), StatusCode::CONFLICT);
    assert_eq!(envelope(stolen).await.error.code, "device_key_in_use");
    let garbage = register(&app, &s2, "not-a-key").await;
    assert_eq!(garbage.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let pending: DeviceRecord = { register(&app, &s1, &key(8)).await.json().await.unwrap() };
    let self_approve = app
        .http
        .post(app.url(&format!("/api/v1/devices/{}/approve", pending.id)))
        .bearer_auth(&s1)
        .send()
        .await
        .unwrap();
    assert_eq!(self_approve.status(), StatusCode::FORBIDDEN);
    let other_revoke = app
        .http
        .post(app.url(&format!("/api/v1/devices/{}/revoke", pending.id)))
        .bearer_auth(&s2)
        .send()
        .await
        .unwrap();
    assert_eq!(
        other_revoke.status(),
        StatusCode::NOT_FOUND,
        "another student's device is invisible"
    );
    let own_revoke = app
        .http
        .post(app.url(&format!("/api/v1/devices/{}/revoke", pending.id)))
        .bearer_auth(&s1)
        .send()
        .await
        .unwrap();
    assert_eq!(
        own_revoke.json::<DeviceRecord>().await.unwrap().status,
        DeviceStatus::Revoked
    );
    let others: Page<DeviceRecord> = app
        .http
        .get(app.url("/api/v1/devices"))
        .bearer_auth(&s2)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(others.total, 0, "a student lists only their own devices");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_kiosk_signs_in_with_its_credential_heartbeats_and_loses_access_on_rotation(
    pool: PgPool,
) {
    let app = TestApp::seeded(pool).await;
    let admin = token(&app, "admin", "rollcall-admin").await;
    let room: String = sqlx::query_scalar("SELECT id::text FROM rooms WHERE code = 'A-101'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let resp = app
        .http
        .post(app.url("/api/v1/kiosks"))
        .bearer_auth(&admin)
        .json(
            &json!({"name": "A-101 door", "room_id": room, "config": "{\"agreement_frames\": 4}"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let cred: KioskCredential = resp.json().await.unwrap();
    assert!(cred.kiosk.username.starts_with("kiosk-"));
    assert_eq!(cred.kiosk.last_seen_at, None);

    let kiosk = token(&app, &cred.kiosk.username, &cred.secret).await;
    let beat = app
        .http
        .post(app.url("/api/v1/kiosks/heartbeat"))
        .bearer_auth(&kiosk)
        .send()
        .await
        .unwrap();
    assert_eq!(beat.status(), StatusCode::OK);
    let beat: KioskRecord = beat.json().await.unwrap();
    assert_eq!(beat.room_id.to_string(), room);
    assert!(beat.last_seen_at.is_some());
    assert_eq!(
        serde_json::from_str::<Value>(&beat.config).unwrap(),
        json!({"agreement_frames": 4, "cooldown_minutes": 10}),
        "the settings as the kiosk applies them, every one written out"
    );
    let users = app
        .http
        .get(app.url("/api/v1/users"))
        .bearer_auth(&kiosk)
        .send()
        .await
        .unwrap();
    assert_eq!(
        users.status(),
        StatusCode::FORBIDDEN,
        "a kiosk is not an admin"
    );

    let rotated: KioskCredential = app
        .http
        .post(app.url(&format!("/api/v1/kiosks/{}/credential", cred.kiosk.id)))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_ne!(rotated.secret, cred.secret);
    assert_eq!(
        app.login(&cred.kiosk.username, &cred.secret).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&cred.kiosk.username, &rotated.secret)
            .await
            .status(),
        StatusCode::OK
    );

    let off = app
        .http
        .patch(app.url(&format!("/api/v1/kiosks/{}", cred.kiosk.id)))
        .bearer_auth(&admin)
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), StatusCode::OK);
    assert_eq!(
        app.login(&cred.kiosk.username, &rotated.secret)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let listed: Page<KioskRecord> = app
        .http
        .get(app.url("/api/v1/kiosks"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.total, 1);
    assert!(!listed.items[0].active);
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_kiosk_input_is_refused_and_nothing_is_written(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = token(&app, "admin", "rollcall-admin").await;
    let teacher = token(&app, "teacher1", "rollcall-teacher").await;
    let room: String = sqlx::query_scalar("SELECT id::text FROM rooms LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let cases = [
        (
            json!({"name": "x", "room_id": room, "config": "[1,2]"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "config",
        ),
        (
            json!({"name": "x", "room_id": room, "config": "{not json"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "config",
        ),
        (
            json!({"name": "x", "room_id": room, "config": "{\"camera\": 0}"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "camera",
        ),
        (
            json!({"name": "x", "room_id": room, "config": "{\"agreement_frames\": 50}"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "agreement_frames",
        ),
        (
            json!({"name": "", "room_id": room}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "name",
        ),
        (
            json!({"name": "x", "room_id": "0190a000-0000-7000-8000-000000000000"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "room_id",
        ),
    ];
    for (body, status, field) in cases {
        let resp = app
            .http
            .post(app.url("/api/v1/kiosks"))
            .bearer_auth(&admin)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), status, "{body}");
        assert!(
            envelope(resp).await.error.details.contains_key(field),
            "{field}"
        );
    }
    let forbidden = app
        .http
        .post(app.url("/api/v1/kiosks"))
        .bearer_auth(&teacher)
        .json(&json!({"name": "x", "room_id": room}))
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    let student_heartbeat = app
        .http
        .post(app.url("/api/v1/kiosks/heartbeat"))
        .bearer_auth(&teacher)
        .send()
        .await
        .unwrap();
    assert_eq!(student_heartbeat.status(), StatusCode::FORBIDDEN);
    let kiosks: i64 = sqlx::query_scalar("SELECT count(*) FROM kiosks")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let kiosk_users: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'kiosk'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!((kiosks, kiosk_users), (0, 0));
}
