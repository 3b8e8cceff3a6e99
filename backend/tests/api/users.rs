use reqwest::StatusCode;
use rollcall_core::api::{CsvImportReport, LoginResponse, Page, UserRecord};
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::helpers::{envelope, TestApp};

async fn token(app: &TestApp, login: &str, password: &str) -> String {
    let resp: LoginResponse = app.login(login, password).await.json().await.unwrap();
    resp.access_token
}

async fn admin(app: &TestApp) -> String {
    token(app, "admin", "rollcall-admin").await
}

fn new_user(username: &str) -> Value {
    json!({
        "username": username, "email": format!("{username}@school.example"),
        "display_name": "New Person", "role": "student", "student_no": format!("N-{username}"),
        "password": "a long enough password"
    })
}

async fn user_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_creates_a_user_who_can_then_sign_in_and_the_change_is_audited(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let t = admin(&app).await;
    let resp = app
        .http
        .post(app.url("/api/v1/users"))
        .bearer_auth(&t)
        .json(&new_user("new.one"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let created: UserRecord = resp.json().await.unwrap();
    assert_eq!(created.username, "new.one");
    assert!(created.active);
    assert_eq!(
        app.login("new.one", "a long enough password")
            .await
            .status(),
        StatusCode::OK
    );

    let audit: Value = app
        .http
        .get(app.url("/api/v1/audit?entity=user"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(audit["total"], 1);
    assert_eq!(audit["items"][0]["action"], "user.create");
    assert_eq!(audit["items"][0]["after"]["username"], "new.one");
    assert!(audit["items"][0]["after"].get("password_hash").is_none());
}

#[sqlx::test(migrations = "../migrations")]
async fn duplicates_are_409_naming_the_field_and_bad_fields_422_naming_each(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let t = admin(&app).await;
    let before = user_count(&app).await;
    let dup = app
        .http
        .post(app.url("/api/v1/users"))
        .bearer_auth(&t)
        .json(&new_user("teacher1"))
        .send()
        .await
        .unwrap();
    assert_eq!(dup.status(), StatusCode::CONFLICT);
    let env = envelope(dup).await;
    assert_eq!(env.error.code, "already_exists");
    assert_eq!(env.error.details["field"], "username");

    let mut same_email = new_user("someone.else");
    same_email["email"] = json!("TEACHER1@demo.rollcall.example");
    let resp = app
        .http
        .post(app.url("/api/v1/users"))
        .bearer_auth(&t)
        .json(&same_email)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    assert_eq!(envelope(resp).await.error.details["field"], "email");

    let bad = json!({"username": "x'; DROP TABLE users;--", "email": "nope", "display_name": "", "role": "student", "password": "short"});
    let resp = app
        .http
        .post(app.url("/api/v1/users"))
        .bearer_auth(&t)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let env = envelope(resp).await;
    assert_eq!(env.error.code, "invalid_field");
    for field in ["username", "email", "display_name", "password"] {
        assert!(
            env.error.details.contains_key(field),
            "{field} named: {:?}",
            env.error.details
        );
    }
    let unknown_field = json!({"username": "abc", "display_name": "A", "role": "student", "password": "a long enough password", "is_admin": true});
    let resp = app
        .http
        .post(app.url("/api/v1/users"))
        .bearer_auth(&t)
        .json(&unknown_field)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let wrong_type = json!({"username": 5, "display_name": "A", "role": "wizard", "password": []});
    let resp = app
        .http
        .post(app.url("/api/v1/users"))
        .bearer_auth(&t)
        .json(&wrong_type)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(user_count(&app).await, before, "nothing was written");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_user_list_pages_filters_searches_and_sorts(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let t = admin(&app).await;
    let get = |q: &'static str| {
        let req = app
            .http
            .get(app.url(&format!("/api/v1/users{q}")))
            .bearer_auth(&t);
        async move { req.send().await.unwrap() }
    };
    let page: Page<UserRecord> = get("?role=student&per_page=25&page=3&sort=username")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page.total, 60);
    assert_eq!(page.items.len(), 10);
    assert_eq!(page.page, 3);
    let teachers: Page<UserRecord> = get("?role=teacher&sort=-username")
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = teachers.items.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["teacher4", "teacher3", "teacher2", "teacher1"]);
    let search: Page<UserRecord> = get("?q=Asha").await.json().await.unwrap();
    assert_eq!(search.total, 1);
    let like_chars: Page<UserRecord> = get("?q=%25").await.json().await.unwrap();
    assert_eq!(like_chars.total, 0, "% is searched literally");
    for bad in [
        "?per_page=0",
        "?per_page=1000",
        "?page=0",
        "?sort=password_hash",
        "?role=wizard",
        "?page=abc",
    ] {
        let resp = get(bad).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(envelope(resp).await.error.code, "invalid_query");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn only_admins_manage_users_and_a_user_may_read_only_themself(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let teacher = token(&app, "teacher1", "rollcall-teacher").await;
    let student = token(&app, "student1", "rollcall-student").await;
    for t in [&teacher, &student] {
        let list = app
            .http
            .get(app.url("/api/v1/users"))
            .bearer_auth(t)
            .send()
            .await
            .unwrap();
        assert_eq!(list.status(), StatusCode::FORBIDDEN);
        assert_eq!(envelope(list).await.error.code, "forbidden");
        let create = app
            .http
            .post(app.url("/api/v1/users"))
            .bearer_auth(t)
            .json(&new_user("sneaky"))
            .send()
            .await
            .unwrap();
        assert_eq!(create.status(), StatusCode::FORBIDDEN);
        let audit = app
            .http
            .get(app.url("/api/v1/audit"))
            .bearer_auth(t)
            .send()
            .await
            .unwrap();
        assert_eq!(audit.status(), StatusCode::FORBIDDEN);
    }
    let me: Value = app
        .http
        .get(app.url("/api/v1/me"))
        .bearer_auth(&student)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let my_id = me["id"].as_str().unwrap();
    let mine = app
        .http
        .get(app.url(&format!("/api/v1/users/{my_id}")))
        .bearer_auth(&student)
        .send()
        .await
        .unwrap();
    assert_eq!(mine.status(), StatusCode::OK);
    let teacher_id: String =
        sqlx::query_scalar("SELECT id::text FROM users WHERE username='teacher1'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let theirs = app
        .http
        .get(app.url(&format!("/api/v1/users/{teacher_id}")))
        .bearer_auth(&student)
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), StatusCode::FORBIDDEN);
    let promote = app
        .http
        .patch(app.url(&format!("/api/v1/users/{my_id}")))
        .bearer_auth(&student)
        .json(&json!({"role": "admin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(promote.status(), StatusCode::FORBIDDEN);
    let bad_id = app
        .http
        .get(app.url("/api/v1/users/not-a-uuid"))
        .bearer_auth(&student)
        .send()
        .await
        .unwrap();
    assert_eq!(bad_id.status(), StatusCode::NOT_FOUND);
    assert_eq!(envelope(bad_id).await.error.code, "not_found");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_edits_and_deactivates_a_user_and_cannot_lock_themself_out(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let t = admin(&app).await;
    let id: String = sqlx::query_scalar("SELECT id::text FROM users WHERE username='student3'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let url = app.url(&format!("/api/v1/users/{id}"));
    let edited: UserRecord = app
        .http
        .patch(&url)
        .bearer_auth(&t)
        .json(&json!({"display_name": "  Renamed Student ", "email": ""}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(edited.display_name, "Renamed Student");
    assert_eq!(edited.email, None);
    let off = app
        .http
        .patch(&url)
        .bearer_auth(&t)
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), StatusCode::OK);
    assert_eq!(
        app.login("student3", "rollcall-student").await.status(),
        StatusCode::UNAUTHORIZED
    );

    let admin_id: String = sqlx::query_scalar("SELECT id::text FROM users WHERE username='admin'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let resp = app
        .http
        .patch(app.url(&format!("/api/v1/users/{admin_id}")))
        .bearer_auth(&t)
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let missing = app
        .http
        .patch(app.url("/api/v1/users/01890000-0000-7000-8000-000000000000"))
        .bearer_auth(&t)
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

const GOOD_CSV: &str = "username,email,display_name,role,student_no,password\n\
new.a,a@school.example,Alpha One,student,S-1,correct horse one\n\
new.b,,Beta Two,teacher,,correct horse two\n";

async fn import(app: &TestApp, t: &str, csv: &str, partial: bool) -> reqwest::Response {
    app.http
        .post(app.url(&format!("/api/v1/users/import?partial={partial}")))
        .bearer_auth(t)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_good_csv_imports_every_row(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let t = admin(&app).await;
    let resp = import(&app, &t, GOOD_CSV, false).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let report: CsvImportReport = resp.json().await.unwrap();
    assert_eq!((report.imported, report.skipped), (2, 0));
    assert_eq!(
        app.login("new.b", "correct horse two").await.status(),
        StatusCode::OK
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_csv_with_bad_rows_reports_each_by_line_and_writes_nothing(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let t = admin(&app).await;
    let csv = "username,email,display_name,role,student_no,password\n\
good.one,,Good One,student,,correct horse one\n\
teacher1,,Taken Name,teacher,,correct horse two\n\
Bad Name,,Bad,student,,correct horse three\n\
good.two,,Good Two,wizard,,correct horse four\n\
good.one,,Again,student,,correct horse five\n\
short.pw,,Short,student,,abc\n";
    let before = user_count(&app).await;
    let resp = import(&app, &t, csv, false).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let env = envelope(resp).await;
    assert_eq!(env.error.code, "csv_invalid");
    let lines: Vec<&str> = env.error.details.keys().map(String::as_str).collect();
    for line in ["line 3", "line 4", "line 5", "line 6", "line 7"] {
        assert!(lines.contains(&line), "{line} reported: {lines:?}");
    }
    assert!(!lines.contains(&"line 2"));
    assert!(env.error.details["line 3"].contains("already exists"));
    assert!(env.error.details["line 6"].contains("twice"));
    assert_eq!(user_count(&app).await, before, "nothing written");

    let resp = import(&app, &t, csv, true).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let report: CsvImportReport = resp.json().await.unwrap();
    assert_eq!((report.imported, report.skipped), (1, 5));
    assert_eq!(
        report.errors.iter().map(|e| e.line).collect::<Vec<_>>(),
        [3, 4, 5, 6, 7]
    );
    assert_eq!(user_count(&app).await, before + 1);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_csv_without_the_needed_columns_or_rows_or_type_is_refused(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let t = admin(&app).await;
    let resp = import(&app, &t, "name,pass\nx,y\n", false).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(envelope(resp).await.error.message.contains("username"));
    let resp = import(&app, &t, "username,display_name,role,password\n", false).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = app
        .http
        .post(app.url("/api/v1/users/import"))
        .bearer_auth(&t)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}
