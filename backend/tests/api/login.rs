use reqwest::StatusCode;
use rollcall_core::api::{LoginResponse, Role};
use sqlx::PgPool;

use crate::helpers::{envelope, TestApp};

#[sqlx::test(migrations = "../migrations")]
async fn a_demo_teacher_signs_in_by_username_and_gets_a_bearer_token(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let resp = app.login("teacher1", "rollcall-teacher").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body: LoginResponse = resp.json().await.unwrap();
    assert_eq!(body.user.username, "teacher1");
    assert_eq!(body.user.role, Role::Teacher);
    assert_eq!(body.user.display_name, "Dr. Asha Rao");
    assert_eq!(body.token_type, "Bearer");
    assert_eq!(body.expires_in, 15 * 60);
    assert_eq!(body.access_token.split('.').count(), 3);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_user_signs_in_by_email_in_any_case(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let resp = app
        .login("Student1@Demo.Rollcall.Example", "rollcall-student")
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body: LoginResponse = resp.json().await.unwrap();
    assert_eq!(body.user.role, Role::Student);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_wrong_password_and_an_unknown_user_get_the_same_401(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    for (login, password) in [
        ("teacher1", "wrong"),
        ("nobody", "rollcall-teacher"),
        ("", ""),
    ] {
        let resp = app.login(login, password).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{login}");
        let env = envelope(resp).await;
        assert_eq!(env.error.code, "invalid_credentials");
        assert_eq!(env.error.message, "Wrong username or password.");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_deactivated_account_cannot_sign_in(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    sqlx::query("UPDATE users SET active = false WHERE username = 'teacher2'")
        .execute(&app.pool)
        .await
        .unwrap();
    let resp = app.login("teacher2", "rollcall-teacher").await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_demo_school_is_complete_and_seeding_twice_adds_nothing(pool: PgPool) {
    let first = rollcall_server::seed::seed_demo(&pool).await.unwrap();
    let second = rollcall_server::seed::seed_demo(&pool).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(first.students, 60);
    assert_eq!(first.teachers, 4);
    assert_eq!(first.admins, 1);
    assert_eq!(first.divisions, 3);
    assert_eq!(first.subjects, 6);
    assert_eq!(first.rooms, 4);
    assert_eq!(first.access_points, 12);
    assert_eq!(first.timetable_slots, 60);
    let clashes: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT weekday, starts_at, room_id FROM timetable_slots \
         GROUP BY 1, 2, 3 HAVING count(*) > 1 \
         UNION ALL SELECT weekday, starts_at, teacher_id FROM timetable_slots \
         GROUP BY 1, 2, 3 HAVING count(*) > 1) c",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        clashes, 0,
        "no room or teacher is booked twice in one period"
    );
    let fences: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT geofence->>'kind' FROM rooms ORDER BY 1")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(fences, ["circle", "polygon"]);
}

#[sqlx::test(migrations = "../migrations")]
async fn every_demo_room_reads_back_as_core_fences_policies_and_access_points(pool: PgPool) {
    use rollcall_core::geofence::Geofence;
    use rollcall_core::policy::Policy;
    use rollcall_core::radio::{BeaconId, Bssid};

    rollcall_server::seed::seed_demo(&pool).await.unwrap();
    let rooms: Vec<(String, sqlx::types::Json<Geofence>, String)> =
        sqlx::query_as("SELECT code, geofence, policy FROM rooms")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(rooms.len(), 4);
    for (code, _fence, policy) in &rooms {
        Policy::parse(policy).unwrap_or_else(|e| panic!("{code}: {e}"));
    }
    let points: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, identifier FROM access_points")
            .fetch_all(&pool)
            .await
            .unwrap();
    for (kind, identifier) in points {
        match kind.as_str() {
            "wifi" => assert_eq!(identifier.parse::<Bssid>().unwrap().to_string(), identifier),
            "ble" => assert_eq!(
                identifier.parse::<BeaconId>().unwrap().to_string(),
                identifier
            ),
            other => panic!("unexpected kind {other}"),
        }
    }
}
