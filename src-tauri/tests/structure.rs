//! Rooms, subjects, teachers and the timetable through the app's own library
//! against a real server on a fresh database.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use rollcall_app::admin::structure;
use rollcall_app::ServerClient;
use rollcall_core::api::{NewAccessPoint, NewRoom, NewSlot, Weekday};
use rollcall_core::geofence::{GeoPoint, Geofence, Metres};
use sqlx::PgPool;

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_adds_a_room_with_an_access_point_and_a_class_and_a_clash_is_named(pool: PgPool) {
    rollcall_server::seed::seed_demo(&pool).await.unwrap();
    let addr = rollcall_server::testing::spawn_server(pool.clone())
        .await
        .unwrap();
    let admin = ServerClient::new();
    admin
        .login(&format!("http://{addr}"), "admin", "rollcall-admin")
        .await
        .unwrap();

    let fence = Geofence::circle(
        GeoPoint::new(18.53, 73.83).unwrap(),
        Metres::new(25.0).unwrap(),
    )
    .unwrap();
    let room = structure::create_room(
        &admin,
        &NewRoom {
            code: "LAB-7".into(),
            name: "Robotics Lab".into(),
            building: "Annexe".into(),
            geofence: fence.clone(),
            location_tolerance_m: None,
            policy: Some("token & (location | radio)".parse().unwrap()),
            access_points: vec![NewAccessPoint::Wifi {
                bssid: "3C-84-6A-77-00-01".parse().unwrap(),
                label: "ceiling".into(),
                min_rssi: rollcall_core::radio::Rssi::new(-70).unwrap(),
            }],
        },
    )
    .await
    .unwrap();
    assert_eq!(room.access_points.len(), 1);
    let again = structure::create_room(
        &admin,
        &NewRoom {
            code: "LAB-7".into(),
            name: "Another".into(),
            building: String::new(),
            geofence: fence,
            location_tolerance_m: None,
            policy: None,
            access_points: Vec::new(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(again.code(), "already_exists");
    let beacon = structure::add_access_point(
        &admin,
        room.id,
        &serde_json::from_value(serde_json::json!({"kind": "ble",
            "beacon": "f7826da6-4fa2-4e98-8024-bc5b71e0893e/7/1"}))
        .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(beacon.label, "");
    let changed = structure::update_room(
        &admin,
        room.id,
        &rollcall_core::api::RoomPatch {
            policy: Some("token & location".parse().unwrap()),
            location_tolerance_m: Some(Metres::new(40.0).unwrap()),
            ..rollcall_core::api::RoomPatch::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(changed.policy.to_string(), "token & location");
    assert_eq!(
        changed.name, "Robotics Lab",
        "what is not in the patch stays"
    );
    let rooms = structure::rooms(&admin).await.unwrap();
    let listed = rooms.iter().find(|r| r.code == "LAB-7").unwrap();
    assert_eq!(listed.access_points.len(), 2);

    let subjects = structure::subjects(&admin).await.unwrap();
    let teachers = structure::teachers(&admin).await.unwrap();
    assert_eq!(subjects.len(), 6);
    let teacher = teachers.iter().find(|t| t.username == "teacher1").unwrap();
    let division: uuid::Uuid = sqlx::query_scalar("SELECT id FROM divisions ORDER BY code LIMIT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    let slot = NewSlot {
        division_id: division,
        subject_id: subjects[0].id,
        teacher_id: teacher.id,
        room_id: room.id,
        weekday: Weekday::Saturday,
        starts_at: "10:00".parse().unwrap(),
        ends_at: "10:50".parse().unwrap(),
    };
    let added = structure::create_slot(&admin, &slot).await.unwrap();
    assert_eq!(added.room_code, "LAB-7");
    let clash = structure::create_slot(
        &admin,
        &NewSlot {
            starts_at: "10:30".parse().unwrap(),
            ends_at: "11:20".parse().unwrap(),
            ..slot
        },
    )
    .await
    .unwrap_err();
    assert_eq!(clash.code(), "timetable_clash");
    assert!(
        clash.to_string().contains("LAB-7") || clash.to_string().contains("room"),
        "{clash}"
    );
    let week = structure::timetable(&admin, division).await.unwrap();
    assert!(week.iter().any(|s| s.id == added.id));
    assert!(week
        .windows(2)
        .all(|w| (w[0].weekday.iso(), w[0].starts_at) <= (w[1].weekday.iso(), w[1].starts_at)));

    // A division: created, a student added (twice: counted once), removed.
    let division = structure::create_division(
        &admin,
        &rollcall_core::api::NewDivision {
            code: "ME-C".into(),
            name: "Mechanical, division C".into(),
        },
    )
    .await
    .unwrap();
    let student: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE username = 'student17'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let added = structure::add_students(&admin, division.id, vec![student])
        .await
        .unwrap();
    assert_eq!((added.added, added.already_members), (1, 0));
    let again = structure::add_students(&admin, division.id, vec![student])
        .await
        .unwrap();
    assert_eq!(again.already_members, 1);
    let not_a_student = structure::add_students(&admin, division.id, vec![teacher.id])
        .await
        .unwrap_err();
    assert_eq!(not_a_student.code(), "invalid_field");
    assert_eq!(
        structure::division_students(&admin, division.id)
            .await
            .unwrap()
            .len(),
        1
    );
    structure::remove_student(&admin, division.id, student)
        .await
        .unwrap();
    let gone = structure::remove_student(&admin, division.id, student)
        .await
        .unwrap_err();
    assert_eq!(gone.code(), "not_found");
    assert!(structure::division_students(&admin, division.id)
        .await
        .unwrap()
        .is_empty());
}
