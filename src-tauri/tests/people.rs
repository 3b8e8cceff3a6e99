//! Accounts and devices through the app's own library against a real server on a
//! fresh database.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use rollcall_app::admin::{devices, people};
use rollcall_app::{AppError, ServerClient};
use rollcall_core::api::{
    DeviceRecord, DeviceRegistration, NewKiosk, NewUser, Platform, Role, UserPatch, UserQuery,
};
use rollcall_core::signing::DeviceKey;
use sqlx::PgPool;

async fn signed_in(server: &str, login: &str, password: &str) -> ServerClient {
    let client = ServerClient::new();
    client.login(server, login, password).await.unwrap();
    client
}

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_finds_creates_deactivates_and_imports_people_and_approves_a_second_phone(
    pool: PgPool,
) {
    rollcall_server::seed::seed_demo(&pool).await.unwrap();
    let addr = rollcall_server::testing::spawn_server(pool.clone())
        .await
        .unwrap();
    let server = format!("http://{addr}");
    let admin = signed_in(&server, "admin", "rollcall-admin").await;

    let students = people::list(
        &admin,
        &UserQuery {
            role: Some(Role::Student),
            per_page: 25,
            ..UserQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(students.total, 60);
    assert_eq!(students.items.len(), 25);
    let found = people::list(
        &admin,
        &UserQuery {
            search: "student17".into(),
            ..UserQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(found.total, 1);

    let created = people::create(
        &admin,
        &NewUser {
            username: "zoe.m".into(),
            email: None,
            display_name: "Zoë Martin".into(),
            role: Role::Teacher,
            student_no: None,
            password: "a-long-enough-passphrase".into(),
        },
    )
    .await
    .unwrap();
    let bad = people::create(
        &admin,
        &NewUser {
            username: "Bad Name!".into(),
            email: None,
            display_name: "x".into(),
            role: Role::Teacher,
            student_no: None,
            password: "a-long-enough-passphrase".into(),
        },
    )
    .await
    .unwrap_err();
    match &bad {
        AppError::Server(rollcall_client::ClientError::Api { details, .. }) => {
            assert!(details.contains_key("username"), "{details:?}");
        }
        other => panic!("expected a refusal naming the field, got {other:?}"),
    }
    let off = people::update(
        &admin,
        created.id,
        &UserPatch {
            active: Some(false),
            ..UserPatch::default()
        },
    )
    .await
    .unwrap();
    assert!(!off.active);

    let csv = "username,email,display_name,role,student_no,password\n\
               new.one,,New One,student,20269001,a-long-enough-passphrase\n\
               student1,,Taken,student,20269002,a-long-enough-passphrase\n\
               bad role,,X,wizard,,short\n";
    let refused = people::import(&admin, csv.to_owned()).await.unwrap_err();
    assert_eq!(refused.code(), "csv_invalid");
    match &refused {
        AppError::Server(rollcall_client::ClientError::Api { details, .. }) => {
            assert!(
                details.contains_key("line 3") && details.contains_key("line 4"),
                "{details:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    let none: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE username = 'new.one'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(none, 0, "nothing is written while a row is bad");
    let report = people::import(
        &admin,
        "username,email,display_name,role,student_no,password\n\
         new.one,,New One,student,20269001,a-long-enough-passphrase\n"
            .to_owned(),
    )
    .await
    .unwrap();
    assert_eq!(report.imported, 1);

    // A student's second phone waits for approval; approving it revokes the first.
    let student = signed_in(&server, "student2", "rollcall-student").await;
    for seed in [1_u8, 2] {
        let key = DeviceKey::from_seed(&[seed; 32]);
        let _: DeviceRecord = student
            .register_device(&DeviceRegistration {
                public_key: key.public(),
                label: format!("Phone {seed}"),
                platform: Platform::Android,
            })
            .await
            .unwrap();
    }
    let devices = devices::devices(&admin).await.unwrap();
    assert_eq!(devices[0].status.as_str(), "pending", "pending first");
    let approved = devices::approve(&admin, devices[0].id).await.unwrap();
    assert_eq!(approved.status.as_str(), "active");
    let revoked = devices::revoke(&admin, approved.id).await.unwrap();
    assert_eq!(revoked.status.as_str(), "revoked");

    let room: uuid::Uuid = sqlx::query_scalar("SELECT id FROM rooms ORDER BY code LIMIT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    let credential = devices::create_kiosk(
        &admin,
        &NewKiosk {
            name: "Door A".into(),
            room_id: room,
            config: None,
        },
    )
    .await
    .unwrap();
    assert!(credential.secret.len() >= 20);
    let kiosks = devices::kiosks(&admin).await.unwrap();
    assert!(kiosks
        .iter()
        .any(|k| k.id == credential.kiosk.id && k.last_seen_at.is_none()));
    assert!(devices::kiosks(&student).await.is_err(), "not for students");
}
