//! Divisions, subjects, rooms and the timetable over HTTP, against the demo
//! school.

use reqwest::{Method, StatusCode};
use rollcall_core::api::LoginResponse;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::TestApp;

/// A signed-in caller.
struct As<'a> {
    app: &'a TestApp,
    token: String,
}

impl<'a> As<'a> {
    async fn login(app: &'a TestApp, login: &str, password: &str) -> Self {
        let resp: LoginResponse = app.login(login, password).await.json().await.unwrap();
        Self {
            app,
            token: resp.access_token,
        }
    }

    async fn admin(app: &'a TestApp) -> Self {
        Self::login(app, "admin", "rollcall-admin").await
    }

    async fn teacher(app: &'a TestApp, n: u32) -> Self {
        Self::login(app, &format!("teacher{n}"), "rollcall-teacher").await
    }

    async fn student(app: &'a TestApp, n: u32) -> Self {
        Self::login(app, &format!("student{n}"), "rollcall-student").await
    }

    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> (StatusCode, Value) {
        let mut req = self
            .app
            .http
            .request(method, self.app.url(path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
        };
        if status.is_client_error() || status.is_server_error() {
            assert!(
                value["error"]["code"].is_string(),
                "{status} without our envelope: {text}"
            );
        }
        (status, value)
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn patch(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(body)).await
    }

    async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, None).await
    }

    /// Sends a raw body, for bodies that are not what the types allow.
    async fn post_raw(&self, path: &str, body: &str) -> (StatusCode, Value) {
        let resp = self
            .app
            .http
            .post(self.app.url(path))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap())
    }
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

async fn id_of(app: &TestApp, table: &str, code: &str) -> Uuid {
    sqlx::query_scalar(&format!("SELECT id FROM {table} WHERE code = $1"))
        .bind(code)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn user_id(app: &TestApp, username: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Audit rows for `entity` with `action`.
async fn audited(app: &TestApp, action: &str, entity_id: &str) -> Vec<Value> {
    sqlx::query_scalar(
        "SELECT json_build_object('before', before, 'after', after) FROM audit_log \
         WHERE action = $1 AND entity_id = $2 ORDER BY id",
    )
    .bind(action)
    .bind(entity_id)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

/// A slot body on Saturday (the demo timetable keeps weekends free).
async fn saturday_slot(
    app: &TestApp,
    division: &str,
    teacher: &str,
    room: &str,
    from: &str,
    to: &str,
) -> Value {
    json!({
        "division_id": id_of(app, "divisions", division).await,
        "subject_id": id_of(app, "subjects", "CS201").await,
        "teacher_id": user_id(app, teacher).await,
        "room_id": id_of(app, "rooms", room).await,
        "weekday": "saturday",
        "starts_at": from,
        "ends_at": to,
    })
}

// ----------------------------------------------------------------- subjects

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_creates_reads_updates_and_deletes_a_subject_and_each_write_is_audited(
    pool: PgPool,
) {
    let app = TestApp::seeded(pool).await;
    let admin = As::admin(&app).await;
    let (status, created) = admin
        .post(
            "/api/v1/subjects",
            &json!({"code": " CS404 ", "name": "Distributed Systems"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["code"], "CS404", "codes are trimmed");
    let id = str_of(&created["id"]).to_owned();
    let path = format!("/api/v1/subjects/{id}");

    let (status, read) = admin.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read, created);

    let (status, patched) = admin
        .patch(&path, &json!({"name": "Distributed Computing"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["name"], "Distributed Computing");
    assert_eq!(patched["code"], "CS404");

    let (status, _) = admin.delete(&path).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(admin.get(&path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(admin.delete(&path).await.0, StatusCode::NOT_FOUND);

    let created_row = audited(&app, "subject.create", &id).await;
    assert_eq!(created_row.len(), 1);
    assert_eq!(created_row[0]["after"]["code"], "CS404");
    let updated_row = audited(&app, "subject.update", &id).await;
    assert_eq!(updated_row[0]["before"]["name"], "Distributed Systems");
    assert_eq!(updated_row[0]["after"]["name"], "Distributed Computing");
    let deleted_row = audited(&app, "subject.delete", &id).await;
    assert_eq!(deleted_row[0]["before"]["code"], "CS404");
    assert!(deleted_row[0]["after"].is_null());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_subject_in_the_timetable_cannot_be_deleted(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = As::admin(&app).await;
    let id = id_of(&app, "subjects", "CS201").await;
    let (status, body) = admin.delete(&format!("/api/v1/subjects/{id}")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "in_use");
    assert!(str_of(&body["error"]["message"]).contains("CS201"));
    assert_eq!(
        scalar(&app, "SELECT count(*) FROM subjects WHERE code = 'CS201'").await,
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn duplicate_codes_are_409_bad_fields_422_and_sql_looking_names_are_stored_literally(
    pool: PgPool,
) {
    let app = TestApp::seeded(pool).await;
    let admin = As::admin(&app).await;
    let before = scalar(&app, "SELECT count(*) FROM subjects").await;
    let (status, body) = admin
        .post(
            "/api/v1/subjects",
            &json!({"code": "CS201", "name": "Again"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "already_exists");
    assert_eq!(body["error"]["details"]["field"], "code");

    let (status, body) = admin
        .post(
            "/api/v1/subjects",
            &json!({"code": "x'; DROP TABLE subjects;--", "name": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "invalid_field");
    assert!(body["error"]["details"]["code"].is_string());
    assert!(body["error"]["details"]["name"].is_string());

    for bad in [
        json!({"code": "ZZ1", "name": "Z", "credits": 4}),
        json!({"code": 5, "name": "Z"}),
        json!({"code": "ZZ1"}),
        json!("ZZ1"),
    ] {
        let (status, body) = admin.post("/api/v1/subjects", &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
    }
    let (status, _) = admin.post_raw("/api/v1/subjects", "{\"code\":").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        scalar(&app, "SELECT count(*) FROM subjects").await,
        before,
        "nothing was written"
    );

    let hostile = "Robert'); DROP TABLE subjects;--";
    let (status, body) = admin
        .post(
            "/api/v1/subjects",
            &json!({"code": "SQL1", "name": hostile}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["name"], hostile);
    let (_, page) = admin.get("/api/v1/subjects?q=DROP%20TABLE").await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["name"], hostile);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_subject_list_pages_searches_and_sorts(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = As::admin(&app).await;
    let (status, page) = admin
        .get("/api/v1/subjects?per_page=2&page=2&sort=-code")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 6);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    // MA202, CS303 | CS302, CS301 | CS203, CS201
    assert_eq!(page["items"][0]["code"], "CS302");
    let (_, found) = admin.get("/api/v1/subjects?q=mathem").await;
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["code"], "MA202");
    let (status, body) = admin.get("/api/v1/subjects?sort=password").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "invalid_query");
    // The search is a literal: `%` matches only a percent sign.
    assert_eq!(admin.get("/api/v1/subjects?q=%25").await.1["total"], 0);
}

// ---------------------------------------------------------------- divisions

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_manages_a_division_and_its_students_and_each_change_is_audited(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = As::admin(&app).await;
    let (status, created) = admin
        .post(
            "/api/v1/divisions",
            &json!({"code": "BE-A", "name": "Final Year, Division A"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["student_count"], 0);
    let id = str_of(&created["id"]).to_owned();
    let base = format!("/api/v1/divisions/{id}");

    let s1 = user_id(&app, "student1").await;
    let s2 = user_id(&app, "student2").await;
    let (status, change) = admin
        .post(
            &format!("{base}/students"),
            &json!({"student_ids": [s1, s2, s1]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{change}");
    assert_eq!(change, json!({"added": 2, "already_members": 0}));
    let (_, change) = admin
        .post(&format!("{base}/students"), &json!({"student_ids": [s2]}))
        .await;
    assert_eq!(change, json!({"added": 0, "already_members": 1}));

    let (status, members) = admin.get(&format!("{base}/students?sort=username")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(members["total"], 2);
    assert_eq!(members["items"][0]["username"], "student1");
    assert!(members["items"][0].get("password_hash").is_none());
    assert_eq!(admin.get(&base).await.1["student_count"], 2);

    let (status, _) = admin.delete(&format!("{base}/students/{s1}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = admin.delete(&format!("{base}/students/{s1}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(admin.get(&base).await.1["student_count"], 1);

    let (status, patched) = admin.patch(&base, &json!({"code": "BE-A1"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(patched["code"], "BE-A1");
    assert_eq!(patched["name"], "Final Year, Division A");

    let (status, _) = admin.delete(&base).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(admin.get(&base).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        scalar(
            &app,
            "SELECT count(*) FROM users WHERE username = 'student2'"
        )
        .await,
        1,
        "deleting a division keeps its students' accounts"
    );

    for action in [
        "division.create",
        "division.students.add",
        "division.students.remove",
        "division.update",
        "division.delete",
    ] {
        assert_eq!(
            audited(&app, action, &id).await.len(),
            1,
            "{action} audited once (a no-op add writes no row)"
        );
    }
    let added = &audited(&app, "division.students.add", &id).await[0];
    assert_eq!(added["after"]["student_ids"].as_array().unwrap().len(), 2);
    let deleted = &audited(&app, "division.delete", &id).await[0];
    assert_eq!(deleted["before"]["code"], "BE-A1");
    assert_eq!(deleted["before"]["student_ids"], json!([s2]));
}

#[sqlx::test(migrations = "../migrations")]
async fn only_students_join_a_division_and_a_bad_id_is_named_and_adds_nobody(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = As::admin(&app).await;
    let division = id_of(&app, "divisions", "TE-A").await;
    let path = format!("/api/v1/divisions/{division}/students");
    let before = scalar(&app, "SELECT count(*) FROM division_students").await;
    let student = user_id(&app, "student1").await;
    let teacher = user_id(&app, "teacher1").await;
    let nobody = Uuid::now_v7();
    for (ids, named) in [
        (json!([student, teacher]), teacher),
        (json!([nobody, student]), nobody),
    ] {
        let (status, body) = admin.post(&path, &json!({"student_ids": ids})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            str_of(&body["error"]["details"]["student_ids"]).contains(&named.to_string()),
            "{body}"
        );
    }
    for bad in [
        json!({"student_ids": []}),
        json!({"student_ids": ["not-a-uuid"]}),
        json!({"student_ids": [student], "role": "admin"}),
        json!({"students": [student]}),
    ] {
        let (status, body) = admin.post(&path, &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
    }
    let (status, _) = admin
        .post(
            &format!("/api/v1/divisions/{nobody}/students"),
            &json!({"student_ids": [student]}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        scalar(&app, "SELECT count(*) FROM division_students").await,
        before
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_division_with_timetable_slots_cannot_be_deleted(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = As::admin(&app).await;
    let id = id_of(&app, "divisions", "SE-A").await;
    let (status, body) = admin.delete(&format!("/api/v1/divisions/{id}")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "in_use");
    assert_eq!(body["error"]["details"]["timetable_slots"], "20");
    assert_eq!(
        scalar(&app, "SELECT count(*) FROM division_students").await,
        60,
        "no membership was removed"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn teachers_see_the_divisions_they_teach_and_students_only_their_own(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let se_a = id_of(&app, "divisions", "SE-A").await;
    // teacher1 teaches only SE-A in this test's timetable.
    let t1 = user_id(&app, "teacher1").await;
    sqlx::query("DELETE FROM timetable_slots WHERE teacher_id = $1 AND division_id <> $2")
        .bind(t1)
        .bind(se_a)
        .execute(&app.pool)
        .await
        .unwrap();
    let se_b = id_of(&app, "divisions", "SE-B").await;

    let teacher = As::teacher(&app, 1).await;
    let (status, page) = teacher.get("/api/v1/divisions").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["code"], "SE-A");
    assert_eq!(
        teacher.get(&format!("/api/v1/divisions/{se_a}")).await.0,
        StatusCode::OK
    );
    let (status, members) = teacher
        .get(&format!("/api/v1/divisions/{se_a}/students"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(members["total"], 20);
    for path in [
        format!("/api/v1/divisions/{se_b}"),
        format!("/api/v1/divisions/{se_b}/students"),
    ] {
        assert_eq!(teacher.get(&path).await.0, StatusCode::NOT_FOUND, "{path}");
    }

    let student = As::student(&app, 25).await; // SE-B
    let (status, page) = student.get("/api/v1/divisions").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["code"], "SE-B");
    assert_eq!(
        student.get(&format!("/api/v1/divisions/{se_a}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        student
            .get(&format!("/api/v1/divisions/{se_b}/students"))
            .await
            .0,
        StatusCode::FORBIDDEN,
        "a student does not list classmates"
    );

    let admin = As::admin(&app).await;
    assert_eq!(admin.get("/api/v1/divisions").await.1["total"], 3);
}

// -------------------------------------------------------------------- rooms

fn polygon_room(code: &str) -> Value {
    json!({
        "code": code,
        "name": format!("Room {code}"),
        "building": "Block D",
        "geofence": {"kind": "polygon", "corners": [
            {"latitude": 18.5180, "longitude": 73.8150},
            {"latitude": 18.5180, "longitude": 73.8153},
            {"latitude": 18.5183, "longitude": 73.8153},
            {"latitude": 18.5183, "longitude": 73.8150}
        ]},
        "location_tolerance_m": 15,
        "policy": "token & (location | radio)",
        "access_points": [
            {"kind": "wifi", "bssid": "3C-84-6A-D0-00-01", "label": "ceiling", "min_rssi": -70},
            {"kind": "ble", "beacon": "f7826da6-4fa2-4e98-8024-bc5b71e0893e/400/1"}
        ]
    })
}

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_creates_a_polygon_room_with_access_points_and_reads_it_back(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = As::admin(&app).await;
    let (status, room) = admin.post("/api/v1/rooms", &polygon_room("D-1")).await;
    assert_eq!(status, StatusCode::CREATED, "{room}");
    assert_eq!(room["geofence"]["kind"], "polygon");
    assert_eq!(room["location_tolerance_m"], 15.0);
    assert_eq!(room["policy"], "token & (location | radio)");
    let aps = room["access_points"].as_array().unwrap();
    assert_eq!(aps.len(), 2);
    assert_eq!(aps[0]["kind"], "wifi");
    assert_eq!(aps[0]["bssid"], "3c:84:6a:d0:00:01", "stored canonical");
    assert_eq!(aps[0]["min_rssi"], -70);
    assert_eq!(aps[1]["kind"], "ble");
    assert_eq!(aps[1]["min_rssi"], -80, "the default minimum");
    let id = str_of(&room["id"]).to_owned();
    let (status, read) = admin.get(&format!("/api/v1/rooms/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read, room);

    let (status, circle) = admin
        .post(
            "/api/v1/rooms",
            &json!({"code": "D-2", "name": "Yard", "geofence": {"kind": "circle",
                "centre": {"latitude": 18.52, "longitude": 73.81}, "radius_m": 40}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{circle}");
    assert_eq!(circle["location_tolerance_m"], 25.0);
    assert_eq!(circle["policy"], "token & location & (radio | face)");
    assert_eq!(circle["access_points"], json!([]));

    let (_, page) = admin.get("/api/v1/rooms?q=block%20d").await;
    assert_eq!(page["total"], 1);
    let (_, all) = admin.get("/api/v1/rooms?sort=-code&per_page=2").await;
    assert_eq!(all["total"], 6);
    assert_eq!(all["items"][0]["code"], "S-1");
    assert_eq!(
        all["items"][0]["access_points"].as_array().unwrap().len(),
        3,
        "each listed room carries its access points"
    );

    let row = &audited(&app, "room.create", &id).await[0];
    assert_eq!(row["after"]["access_points"].as_array().unwrap().len(), 2);
}

#[sqlx::test(migrations = "../migrations")]
async fn one_bssid_in_two_notations_is_one_access_point(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = As::admin(&app).await;
    let room = id_of(&app, "rooms", "B-204").await;
    let path = format!("/api/v1/rooms/{room}/access-points");
    let (status, ap) = admin
        .post(
            &path,
            &json!({"kind": "wifi", "bssid": "AA-BB-CC-DD-EE-FF", "label": "door"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ap}");
    assert_eq!(ap["bssid"], "aa:bb:cc:dd:ee:ff");
    let (status, body) = admin
        .post(&path, &json!({"kind": "wifi", "bssid": "aabb.ccdd.eeff"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["details"]["field"], "identifier");

    let (status, body) = admin
        .post(
            &path,
            &json!({"kind": "ble", "beacon": "name:Rollcall B-204", "min_rssi": -90}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["beacon"], "name:Rollcall B-204");

    let ap_id = str_of(&ap["id"]);
    let (status, _) = admin.delete(&format!("{path}/{ap_id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = admin.delete(&format!("{path}/{ap_id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Another room's access point is not this room's to delete.
    let other: Uuid = sqlx::query_scalar(
        "SELECT a.id FROM access_points a JOIN rooms r ON r.id = a.room_id \
         WHERE r.code = 'A-101' LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let (status, _) = admin.delete(&format!("{path}/{other}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let room_id = room.to_string();
    assert_eq!(
        audited(&app, "room.access_point.add", &room_id).await.len(),
        2
    );
    let removed = audited(&app, "room.access_point.remove", &room_id).await;
    assert_eq!(removed.len(), 1);
    assert_eq!(
        removed[0]["before"]["access_points"]
            .as_array()
            .unwrap()
            .len(),
        removed[0]["after"]["access_points"]
            .as_array()
            .unwrap()
            .len()
            + 1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_fences_radios_and_policies_are_422_naming_the_field_and_write_nothing(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = As::admin(&app).await;
    let rooms_before = scalar(&app, "SELECT count(*) FROM rooms").await;
    let aps_before = scalar(&app, "SELECT count(*) FROM access_points").await;
    let bow_tie = json!({"kind": "polygon", "corners": [
        {"latitude": 0.0, "longitude": 0.0}, {"latitude": 0.001, "longitude": 0.001},
        {"latitude": 0.0, "longitude": 0.001}, {"latitude": 0.001, "longitude": 0.0}]});
    let mut cases: Vec<(Value, &str)> = Vec::new();
    let mut with = |field: &str, value: Value, mention: &'static str| {
        let mut room = polygon_room("X-1");
        room[field] = value;
        cases.push((room, mention));
    };
    with("geofence", bow_tie, "crosses itself");
    with(
        "geofence",
        json!({"kind": "circle", "centre": {"latitude": 95, "longitude": 0}, "radius_m": 10}),
        "latitude",
    );
    with(
        "geofence",
        json!({"kind": "circle", "centre": {"latitude": 1, "longitude": 2}, "radius_m": 0}),
        "radius",
    );
    with(
        "geofence",
        json!({"kind": "hexagon", "corners": []}),
        "geofence",
    );
    with("policy", json!("token & & location"), "policy");
    with("policy", json!("token | teleport"), "policy");
    with("location_tolerance_m", json!(-5), "location_tolerance_m");
    with("location_tolerance_m", json!("far"), "location_tolerance_m");
    with(
        "access_points",
        json!([{"kind": "wifi", "bssid": "AA:BB:CC:DD:EE"}]),
        "BSSID",
    );
    with(
        "access_points",
        json!([{"kind": "wifi", "bssid": "zz:bb:cc:dd:ee:ff"}]),
        "BSSID",
    );
    with(
        "access_points",
        json!([{"kind": "ble", "beacon": "not-a-uuid/1/2"}]),
        "beacon",
    );
    with(
        "access_points",
        json!([{"kind": "wifi", "bssid": "aa:bb:cc:dd:ee:ff", "min_rssi": -300}]),
        "RSSI",
    );
    with(
        "access_points",
        json!([{"kind": "wifi", "bssid": "aa:bb:cc:dd:ee:ff", "secret": 1}]),
        "secret",
    );
    with(
        "access_points",
        json!([{"kind": "zigbee", "bssid": "aa:bb:cc:dd:ee:ff"}]),
        "zigbee",
    );
    with("is_admin", json!(true), "is_admin");
    for (body, mention) in cases {
        let (status, resp) = admin.post("/api/v1/rooms", &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {resp}");
        let text = resp["error"].to_string();
        assert!(text.contains(mention), "the error names {mention}: {text}");
    }
    // Rules the types do not carry, checked by the server.
    let mut too_far = polygon_room("X-2");
    too_far["location_tolerance_m"] = json!(5000);
    let mut positive = polygon_room("X-3");
    positive["access_points"] =
        json!([{"kind": "wifi", "bssid": "aa:bb:cc:dd:ee:ff", "min_rssi": 5}]);
    for (body, field) in [
        (too_far, "location_tolerance_m"),
        (positive, "access_points[0].min_rssi"),
    ] {
        let (status, resp) = admin.post("/api/v1/rooms", &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{resp}");
        assert!(resp["error"]["details"][field].is_string(), "{resp}");
    }
    // The same access point twice in one new room: 409, and no room either.
    let mut twice = polygon_room("X-4");
    twice["access_points"] = json!([{"kind": "wifi", "bssid": "aa:bb:cc:dd:ee:ff"},
        {"kind": "wifi", "bssid": "AABBCCDDEEFF"}]);
    let (status, resp) = admin.post("/api/v1/rooms", &twice).await;
    assert_eq!(status, StatusCode::CONFLICT, "{resp}");

    let room = id_of(&app, "rooms", "B-204").await;
    let (status, resp) = admin
        .post(
            &format!("/api/v1/rooms/{room}/access-points"),
            &json!({"kind": "wifi", "bssid": "aa:bb:cc:dd:ee:ff:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{resp}");
    let (status, resp) = admin
        .patch(
            &format!("/api/v1/rooms/{room}"),
            &json!({"geofence": {"kind": "polygon",
            "corners": [{"latitude": 0, "longitude": 0}, {"latitude": 0, "longitude": 1}]}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{resp}");
    assert!(resp["error"].to_string().contains("geofence"), "{resp}");

    assert_eq!(
        scalar(&app, "SELECT count(*) FROM rooms").await,
        rooms_before
    );
    assert_eq!(
        scalar(&app, "SELECT count(*) FROM access_points").await,
        aps_before
    );
    assert_eq!(
        scalar(&app, "SELECT count(*) FROM audit_log WHERE entity = 'room'").await,
        0
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_room_is_patched_and_deleted_but_not_while_the_timetable_uses_it(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = As::admin(&app).await;
    let b204 = id_of(&app, "rooms", "B-204").await;
    let (status, patched) = admin
        .patch(
            &format!("/api/v1/rooms/{b204}"),
            &json!({"geofence": {"kind": "circle", "centre": {"latitude": 18.519,
                "longitude": 73.816}, "radius_m": 20}, "policy": "token&location",
                "location_tolerance_m": 10}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["geofence"]["kind"], "circle");
    assert_eq!(patched["policy"], "token & location", "stored canonical");
    assert_eq!(patched["name"], "Room B-204", "untouched fields stay");
    assert_eq!(patched["access_points"].as_array().unwrap().len(), 3);
    let row = &audited(&app, "room.update", &b204.to_string()).await[0];
    assert_eq!(row["before"]["geofence"]["kind"], "polygon");
    assert_eq!(row["after"]["geofence"]["kind"], "circle");

    let (status, body) = admin.delete(&format!("/api/v1/rooms/{b204}")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "in_use");

    let (_, room) = admin.post("/api/v1/rooms", &polygon_room("D-9")).await;
    let id = str_of(&room["id"]).to_owned();
    let (status, _) = admin.delete(&format!("/api/v1/rooms/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT count(*) FROM access_points WHERE room_id = '{id}'")
        )
        .await,
        0
    );
    let row = &audited(&app, "room.delete", &id).await[0];
    assert_eq!(row["before"]["code"], "D-9");
}

// ---------------------------------------------------------------- timetable

#[sqlx::test(migrations = "../migrations")]
async fn a_double_booked_room_is_a_409_that_names_the_clash(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = As::admin(&app).await;
    let first = saturday_slot(&app, "SE-A", "teacher1", "B-204", "10:00", "10:55").await;
    let (status, slot) = admin.post("/api/v1/timetable", &first).await;
    assert_eq!(status, StatusCode::CREATED, "{slot}");
    assert_eq!(slot["weekday"], "saturday");
    assert_eq!(slot["starts_at"], "10:00");
    assert_eq!(slot["room_code"], "B-204");
    assert_eq!(slot["subject_name"], "Data Structures");

    let before = scalar(&app, "SELECT count(*) FROM timetable_slots").await;
    let other = saturday_slot(&app, "SE-B", "teacher2", "B-204", "10:30", "11:30").await;
    let (status, body) = admin.post("/api/v1/timetable", &other).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "timetable_clash");
    assert_eq!(
        body["error"]["message"],
        "Room B-204 is already booked on Saturday 10:00–10:55 for SE-A Data Structures"
    );
    assert_eq!(body["error"]["details"]["clash"], "room");
    assert_eq!(body["error"]["details"]["room"], slot["id"]);
    assert_eq!(body["error"]["details"]["slot_id"], slot["id"]);
    assert!(body["error"]["details"].get("teacher").is_none());
    assert_eq!(
        scalar(&app, "SELECT count(*) FROM timetable_slots").await,
        before
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_double_booked_teacher_or_division_is_a_409_naming_which(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = As::admin(&app).await;
    let first = saturday_slot(&app, "SE-A", "teacher1", "B-204", "10:00", "10:55").await;
    let (_, slot) = admin.post("/api/v1/timetable", &first).await;

    let teacher_clash = saturday_slot(&app, "SE-B", "teacher1", "A-101", "09:30", "10:15").await;
    let (status, body) = admin.post("/api/v1/timetable", &teacher_clash).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["details"]["clash"], "teacher");
    assert_eq!(body["error"]["details"]["teacher"], slot["id"]);
    let message = str_of(&body["error"]["message"]);
    assert!(message.contains("Dr. Asha Rao"), "{message}");
    assert!(message.contains("Saturday 10:00–10:55"), "{message}");

    let division_clash = saturday_slot(&app, "SE-A", "teacher2", "A-101", "10:54", "11:30").await;
    let (status, body) = admin.post("/api/v1/timetable", &division_clash).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["details"]["clash"], "division");
    assert_eq!(body["error"]["details"]["division"], slot["id"]);
    assert!(str_of(&body["error"]["message"]).contains("SE-A"));

    // Everything at once: each kind is listed, the room named first.
    let all = saturday_slot(&app, "SE-A", "teacher1", "B-204", "09:00", "12:00").await;
    let (_, body) = admin.post("/api/v1/timetable", &all).await;
    for kind in ["room", "teacher", "division"] {
        assert_eq!(body["error"]["details"][kind], slot["id"], "{kind}");
    }
    assert_eq!(body["error"]["details"]["clash"], "room");

    // Another day is another day.
    let mut sunday = first.clone();
    sunday["weekday"] = json!("sunday");
    assert_eq!(
        admin.post("/api/v1/timetable", &sunday).await.0,
        StatusCode::CREATED
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_slot_that_starts_when_another_ends_is_not_a_clash(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = As::admin(&app).await;
    let first = saturday_slot(&app, "SE-A", "teacher1", "B-204", "10:00", "10:55").await;
    assert_eq!(
        admin.post("/api/v1/timetable", &first).await.0,
        StatusCode::CREATED
    );
    let after = saturday_slot(&app, "SE-A", "teacher1", "B-204", "10:55", "11:50").await;
    let (status, body) = admin.post("/api/v1/timetable", &after).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let before = saturday_slot(&app, "SE-A", "teacher1", "B-204", "09:05", "10:00").await;
    let (status, body) = admin.post("/api/v1/timetable", &before).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[sqlx::test(migrations = "../migrations")]
async fn simultaneous_bookings_of_one_room_leave_one_slot_and_409s(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = As::admin(&app).await;
    let mut bodies = Vec::new();
    for (division, teacher) in [
        ("SE-A", "teacher1"),
        ("SE-B", "teacher2"),
        ("TE-A", "teacher3"),
    ] {
        bodies.push(saturday_slot(&app, division, teacher, "L-3", "14:00", "15:00").await);
    }
    let (r1, r2, r3) = tokio::join!(
        admin.post("/api/v1/timetable", &bodies[0]),
        admin.post("/api/v1/timetable", &bodies[1]),
        admin.post("/api/v1/timetable", &bodies[2]),
    );
    let results = [r1, r2, r3];
    let created = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "{results:?}");
    for (status, body) in results.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_eq!(*status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"]["code"], "timetable_clash");
    }
    assert_eq!(
        scalar(
            &app,
            "SELECT count(*) FROM timetable_slots WHERE weekday = 6"
        )
        .await,
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_slot_is_moved_and_deleted_and_moving_it_onto_another_is_a_clash(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = As::admin(&app).await;
    let (_, a) = admin
        .post(
            "/api/v1/timetable",
            &saturday_slot(&app, "SE-A", "teacher1", "B-204", "10:00", "10:55").await,
        )
        .await;
    let (_, b) = admin
        .post(
            "/api/v1/timetable",
            &saturday_slot(&app, "SE-B", "teacher2", "A-101", "11:00", "11:55").await,
        )
        .await;
    let b_path = format!("/api/v1/timetable/{}", str_of(&b["id"]));
    // Shortening a slot within its own time is not a clash with itself.
    let (status, moved) = admin.patch(&b_path, &json!({"starts_at": "11:05"})).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["starts_at"], "11:05");
    let (status, body) = admin
        .patch(
            &b_path,
            &json!({"room_id": a["room_id"], "starts_at": "10:30"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["details"]["room"], a["id"]);
    let (status, body) = admin.patch(&b_path, &json!({"ends_at": "11:00"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["details"]["ends_at"].is_string());
    assert_eq!(admin.get(&b_path).await.1["starts_at"], "11:05");

    let (status, _) = admin.delete(&b_path).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(admin.get(&b_path).await.0, StatusCode::NOT_FOUND);
    let b_id = str_of(&b["id"]);
    assert_eq!(audited(&app, "timetable_slot.create", b_id).await.len(), 1);
    let updates = audited(&app, "timetable_slot.update", b_id).await;
    assert_eq!(updates.len(), 1, "refused patches leave no row");
    assert_eq!(updates[0]["before"]["starts_at"], "11:00");
    assert_eq!(updates[0]["after"]["starts_at"], "11:05");
    assert_eq!(audited(&app, "timetable_slot.delete", b_id).await.len(), 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_slot_needs_a_teacher_ids_that_exist_and_an_end_after_its_start(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = As::admin(&app).await;
    let before = scalar(&app, "SELECT count(*) FROM timetable_slots").await;
    let good = saturday_slot(&app, "SE-A", "teacher1", "B-204", "10:00", "10:55").await;
    let subject = id_of(&app, "subjects", "CS201").await;
    let nobody = Uuid::now_v7();
    let cases: Vec<(&str, Value)> = vec![
        ("teacher_id", json!(user_id(&app, "student1").await)),
        ("teacher_id", json!(user_id(&app, "admin").await)),
        ("teacher_id", json!(nobody)),
        // Another kind of thing's id is not a division.
        ("division_id", json!(subject)),
        ("subject_id", json!(nobody)),
        ("room_id", json!(nobody)),
        ("ends_at", json!("09:00")),
        ("ends_at", json!("10:00")),
    ];
    for (field, value) in cases {
        let mut body = good.clone();
        body[field] = value;
        let (status, resp) = admin.post("/api/v1/timetable", &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {resp}");
        assert!(
            resp["error"]["details"][field].is_string(),
            "{field} named: {resp}"
        );
    }
    for (field, value) in [
        ("weekday", json!("funday")),
        ("weekday", json!(8)),
        ("starts_at", json!("25:00")),
        ("starts_at", json!("10:00'; DROP TABLE timetable_slots;--")),
        ("division_id", json!("SE-A")),
        ("room_id", json!(null)),
        ("extra", json!(1)),
    ] {
        let mut body = good.clone();
        body[field] = value;
        let (status, resp) = admin.post("/api/v1/timetable", &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {resp}");
        assert!(resp["error"].to_string().contains(field), "{field}: {resp}");
    }
    assert_eq!(
        scalar(&app, "SELECT count(*) FROM timetable_slots").await,
        before
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_timetable_filters_by_division_teacher_room_and_weekday(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = As::admin(&app).await;
    let (_, all) = admin.get("/api/v1/timetable?per_page=200").await;
    assert_eq!(all["total"], 60);
    assert_eq!(all["items"][0]["weekday"], "monday");
    assert_eq!(all["items"][0]["starts_at"], "09:00", "sorted by week time");
    let se_a = id_of(&app, "divisions", "SE-A").await;
    let (_, page) = admin
        .get(&format!(
            "/api/v1/timetable?division_id={se_a}&weekday=tuesday"
        ))
        .await;
    assert_eq!(page["total"], 4);
    for item in page["items"].as_array().unwrap() {
        assert_eq!(item["division_code"], "SE-A");
        assert_eq!(item["weekday"], "tuesday");
    }
    let l3 = id_of(&app, "rooms", "L-3").await;
    let (_, page) = admin
        .get(&format!("/api/v1/timetable?room_id={l3}&sort=-week_time"))
        .await;
    assert_eq!(page["items"][0]["weekday"], "friday");
    for item in page["items"].as_array().unwrap() {
        assert_eq!(item["room_code"], "L-3");
    }
    let t2 = user_id(&app, "teacher2").await;
    let (_, page) = admin
        .get(&format!("/api/v1/timetable?teacher_id={t2}&q=networks"))
        .await;
    for item in page["items"].as_array().unwrap() {
        assert_eq!(item["teacher_id"], json!(t2));
        assert_eq!(item["subject_code"], "CS301");
    }
    for bad in [
        "weekday=funday",
        "division_id=not-a-uuid",
        "sort=teacher_id;DROP",
    ] {
        let (status, _) = admin.get(&format!("/api/v1/timetable?{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn teachers_see_their_own_slots_and_students_their_divisions(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let t1 = user_id(&app, "teacher1").await;
    let teacher = As::teacher(&app, 1).await;
    let (status, page) = teacher.get("/api/v1/timetable?per_page=200").await;
    assert_eq!(status, StatusCode::OK);
    let own = scalar(
        &app,
        &format!("SELECT count(*) FROM timetable_slots WHERE teacher_id = '{t1}'"),
    )
    .await;
    assert_eq!(page["total"], own);
    assert!(own > 0);
    for item in page["items"].as_array().unwrap() {
        assert_eq!(item["teacher_id"], json!(t1));
    }
    // Asking for someone else's slots by filter finds nothing.
    let t2 = user_id(&app, "teacher2").await;
    let (_, theirs) = teacher
        .get(&format!("/api/v1/timetable?teacher_id={t2}"))
        .await;
    assert_eq!(theirs["total"], 0);
    let other_slot: Uuid =
        sqlx::query_scalar("SELECT id FROM timetable_slots WHERE teacher_id = $1 LIMIT 1")
            .bind(t2)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        teacher
            .get(&format!("/api/v1/timetable/{other_slot}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    let student = As::student(&app, 45).await; // TE-A
    let (status, page) = student.get("/api/v1/timetable?per_page=200").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 20);
    for item in page["items"].as_array().unwrap() {
        assert_eq!(item["division_code"], "TE-A");
    }
    let se_a_slot: Uuid = sqlx::query_scalar(
        "SELECT t.id FROM timetable_slots t JOIN divisions d ON d.id = t.division_id \
         WHERE d.code = 'SE-A' LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        student
            .get(&format!("/api/v1/timetable/{se_a_slot}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // Subjects and rooms are shared reading.
    for who in [&teacher, &student] {
        assert_eq!(who.get("/api/v1/subjects").await.1["total"], 6);
        assert_eq!(who.get("/api/v1/rooms").await.1["total"], 4);
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn kiosks_may_not_read_school_data_yet(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let kiosk = As::student(&app, 60).await;
    sqlx::query("UPDATE users SET role = 'kiosk', student_no = NULL WHERE username = 'student60'")
        .execute(&app.pool)
        .await
        .unwrap();
    for path in [
        "/api/v1/divisions",
        "/api/v1/subjects",
        "/api/v1/rooms",
        "/api/v1/timetable",
    ] {
        let (status, body) = kiosk.get(path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(body["error"]["code"], "forbidden");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn teachers_and_students_cannot_write_school_data(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let division = id_of(&app, "divisions", "SE-A").await;
    let subject = id_of(&app, "subjects", "CS201").await;
    let room = id_of(&app, "rooms", "B-204").await;
    let ap: Uuid = sqlx::query_scalar("SELECT id FROM access_points WHERE room_id = $1 LIMIT 1")
        .bind(room)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let slot: Uuid = sqlx::query_scalar("SELECT id FROM timetable_slots LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let s1 = user_id(&app, "student1").await;
    let new_slot = saturday_slot(&app, "SE-A", "teacher1", "B-204", "10:00", "10:55").await;
    let writes: Vec<(Method, String, Option<Value>)> = vec![
        (
            Method::POST,
            "/api/v1/subjects".into(),
            Some(json!({"code": "Z1", "name": "Z"})),
        ),
        (
            Method::PATCH,
            format!("/api/v1/subjects/{subject}"),
            Some(json!({"name": "Z"})),
        ),
        (Method::DELETE, format!("/api/v1/subjects/{subject}"), None),
        (
            Method::POST,
            "/api/v1/divisions".into(),
            Some(json!({"code": "Z1", "name": "Z"})),
        ),
        (
            Method::PATCH,
            format!("/api/v1/divisions/{division}"),
            Some(json!({"name": "Z"})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/divisions/{division}"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/divisions/{division}/students"),
            Some(json!({"student_ids": [s1]})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/divisions/{division}/students/{s1}"),
            None,
        ),
        (
            Method::POST,
            "/api/v1/rooms".into(),
            Some(polygon_room("Z-1")),
        ),
        (
            Method::PATCH,
            format!("/api/v1/rooms/{room}"),
            Some(json!({"name": "Z"})),
        ),
        (Method::DELETE, format!("/api/v1/rooms/{room}"), None),
        (
            Method::POST,
            format!("/api/v1/rooms/{room}/access-points"),
            Some(json!({"kind": "wifi", "bssid": "aa:bb:cc:dd:ee:ff"})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/rooms/{room}/access-points/{ap}"),
            None,
        ),
        (Method::POST, "/api/v1/timetable".into(), Some(new_slot)),
        (
            Method::PATCH,
            format!("/api/v1/timetable/{slot}"),
            Some(json!({"weekday": "sunday"})),
        ),
        (Method::DELETE, format!("/api/v1/timetable/{slot}"), None),
    ];
    let counts = "SELECT (SELECT count(*) FROM subjects) + (SELECT count(*) FROM divisions) \
        + (SELECT count(*) FROM division_students) + (SELECT count(*) FROM rooms) \
        + (SELECT count(*) FROM access_points) + (SELECT count(*) FROM timetable_slots) \
        + (SELECT count(*) FROM audit_log)";
    let before = scalar(&app, counts).await;
    let teacher = As::teacher(&app, 1).await;
    let student = As::student(&app, 1).await;
    for who in [&teacher, &student] {
        for (method, path, body) in &writes {
            let (status, resp) = who.call(method.clone(), path, body.as_ref()).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {resp}");
        }
    }
    let no_token = app
        .http
        .post(app.url("/api/v1/subjects"))
        .json(&json!({"code": "Z1", "name": "Z"}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(scalar(&app, counts).await, before, "nothing changed");
    let (_, name) = teacher.get(&format!("/api/v1/subjects/{subject}")).await;
    assert_eq!(name["name"], "Data Structures");
}

#[sqlx::test(migrations = "../migrations")]
async fn unknown_and_malformed_ids_are_404_with_our_envelope(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let admin = As::admin(&app).await;
    let nobody = Uuid::now_v7();
    for path in [
        format!("/api/v1/subjects/{nobody}"),
        format!("/api/v1/divisions/{nobody}"),
        format!("/api/v1/divisions/{nobody}/students"),
        format!("/api/v1/rooms/{nobody}"),
        format!("/api/v1/timetable/{nobody}"),
        "/api/v1/rooms/1%20OR%201=1".to_owned(),
        "/api/v1/timetable/not-a-uuid".to_owned(),
    ] {
        let (status, body) = admin.get(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    for path in [
        format!("/api/v1/subjects/{nobody}"),
        format!("/api/v1/divisions/{nobody}"),
        format!("/api/v1/rooms/{nobody}"),
        format!("/api/v1/timetable/{nobody}"),
    ] {
        let (status, _) = admin.patch(&path, &json!({})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "PATCH {path}");
        let (status, _) = admin.delete(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "DELETE {path}");
    }
    let (status, _) = admin
        .post(
            &format!("/api/v1/rooms/{nobody}/access-points"),
            &json!({"kind": "wifi", "bssid": "aa:bb:cc:dd:ee:ff"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        scalar(&app, "SELECT count(*) FROM audit_log").await,
        0,
        "nothing was audited"
    );
}
