//! Face journeys with the real models on the shared photos, against a real server:
//! an admin enrols a student from photos, the student's selfie check-in carries the
//! 1:1 result, and a room's kiosk marks the student at the door (and never a stranger),
//! its marks going through the outbox and sync like a phone's claims.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use std::path::PathBuf;

use base64::Engine as _;
use rollcall_app::admin::face_enrolment;
use rollcall_app::device::key_store::KeyStoreChoice;
use rollcall_app::face::FaceService;
use rollcall_app::kiosk::door::KioskDoor;
use rollcall_app::student::phone::StudentPhone;
use rollcall_app::{AppError, ServerClient};
use rollcall_checkin::sensors::Simulated;
use rollcall_checkin::store::ClaimStore as _;
use rollcall_core::api::{
    AttendanceStatus, FaceTemplateUpload, KioskCredential, KioskFaceState, NewKiosk,
};
use rollcall_core::policy::{Factor, Status};
use rollcall_core::verdict::Outcome;
use rollcall_mobile_tests::tunnel::Tunnel;
use rollcall_mobile_tests::{run_worker, sent, World, STUDENT_PASSWORD};
use sqlx::PgPool;
use std::sync::Arc;
use uuid::Uuid;

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// The face pipeline on the shared models; fails (never skips) without ONNX Runtime.
fn faces() -> FaceService {
    assert!(
        std::env::var_os("ORT_DYLIB_PATH").is_some_and(|p| !p.is_empty()),
        "ORT_DYLIB_PATH is unset: run through `cargo xtask test`, which sets it"
    );
    FaceService::new(Some(shared().join("models/face")))
}

/// A shared photo as the camera path receives it: the file's bytes in base64.
fn picture(rel: &str) -> String {
    let path = shared().join("faces").join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A grey picture with no face in it.
fn blank() -> String {
    let mut png = Vec::new();
    image::RgbImage::from_pixel(320, 240, image::Rgb([128, 128, 128]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    base64::engine::general_purpose::STANDARD.encode(png)
}

const OBAMA: [&str; 3] = [
    "face_recognition/train/obama/obama.jpg",
    "face_recognition/train/obama/obama2.jpg",
    "face_recognition/train/obama/obama3.jpg",
];

/// Enrols `student` from the three training photos of one person.
async fn enrol_from_photos(admin: &ServerClient, faces: &FaceService, student: Uuid) {
    let pictures: Vec<String> = OBAMA.iter().map(|p| picture(p)).collect();
    face_enrolment::enrol(admin, faces, student, &pictures)
        .await
        .unwrap();
}

async fn admin(world: &World) -> ServerClient {
    let admin = ServerClient::new();
    admin
        .login(&world.server, "admin", "rollcall-admin")
        .await
        .unwrap();
    admin
}

async fn student_id(world: &World, username: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&world.pool)
        .await
        .unwrap()
}

fn code(error: &AppError) -> &str {
    error.code()
}

fn face_status(result: &rollcall_core::api::ClaimResult) -> Option<Status> {
    result
        .factors
        .iter()
        .find(|f| f.factor == Factor::Face)
        .map(|f| f.status)
}

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_enrols_a_student_from_photos_and_the_selfie_check_in_carries_the_match(
    pool: PgPool,
) {
    let world = World::new(pool).await;
    let faces = faces();
    let admin = admin(&world).await;
    let username = world.students[0].clone();
    let student = student_id(&world, &username).await;

    // Bad enrolments store nothing, and say why.
    let pictures: Vec<String> = OBAMA.iter().map(|p| picture(p)).collect();
    let two = face_enrolment::enrol(&admin, &faces, student, &pictures[..2])
        .await
        .unwrap_err();
    assert_eq!(code(&two), "not_enough_shots", "{two}");
    let mixed = vec![
        pictures[0].clone(),
        picture("face_recognition/train/biden/biden.jpg"),
        pictures[1].clone(),
        pictures[2].clone(),
    ];
    let mixed = face_enrolment::enrol(&admin, &faces, student, &mixed)
        .await
        .unwrap_err();
    assert_eq!(code(&mixed), "not_one_person", "{mixed}");
    assert!(mixed.to_string().contains("Shot 2"), "{mixed}");
    let with_blank = vec![blank(), pictures[0].clone(), pictures[1].clone()];
    let with_blank = face_enrolment::enrol(&admin, &faces, student, &with_blank)
        .await
        .unwrap_err();
    assert_eq!(code(&with_blank), "not_enough_shots");
    let not_image = face_enrolment::enrol(&admin, &faces, student, &["aGVsbG8=".to_owned()])
        .await
        .unwrap_err();
    assert_eq!(code(&not_image), "bad_picture");
    assert_eq!(
        face_enrolment::enrolment(&admin, student).await.unwrap(),
        None
    );

    let shot = face_enrolment::check_shot(&faces, blank()).await.unwrap();
    assert!(!shot.good);
    assert_eq!(shot.issue.as_deref(), Some("no_face"));

    let enrolled = face_enrolment::enrol(&admin, &faces, student, &pictures)
        .await
        .unwrap();
    assert_eq!(enrolled.shots_used, 3);
    assert!(enrolled.shots.iter().all(|s| s.good));
    let info = face_enrolment::enrolment(&admin, student)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(info.model_id, rollcall_app::face::MODEL_ID);
    assert_eq!(info, enrolled.template);

    // The student checks in with the code and a selfie on their own device.
    let client = Arc::new(ServerClient::new());
    client
        .login(&world.server, &username, STUDENT_PASSWORD)
        .await
        .unwrap();
    let phone = StudentPhone::default();
    // A laptop: no GPS or radio readings; the gate confirms.
    let sensors = Simulated::new();
    let folder = std::env::temp_dir().join(format!("rollcall-face-{}", Uuid::now_v7()));
    let (_, outbox) = phone
        .prepare(&client, &folder, KeyStoreChoice::FolderOnly)
        .await
        .unwrap();
    let _worker = run_worker(phone.courier(), Arc::clone(&client), outbox);
    let selfie = vec![picture("face_recognition/test/obama1.jpg")];
    let answer = phone
        .check_in(
            &client,
            &faces,
            &sensors,
            world.class.id,
            &world.otp_now(),
            &selfie,
        )
        .await
        .unwrap();
    let result = answer.result.expect("online: answered at once");
    assert_eq!(face_status(&result), Some(Status::Pass), "{result:?}");
    let stored: String = sqlx::query_scalar("SELECT verdict::text FROM claims WHERE id = $1")
        .bind(answer.claim_id)
        .fetch_one(&world.pool)
        .await
        .unwrap();
    assert!(stored.contains("face"), "{stored}");

    // Someone else's face in the selfie: the factor fails on the server.
    let other = vec![picture("deepface/img1.jpg")];
    let answer = phone
        .check_in(
            &client,
            &faces,
            &sensors,
            world.class.id,
            &world.otp_now(),
            &other,
        )
        .await
        .unwrap();
    let result = answer.result.unwrap();
    assert_eq!(face_status(&result), Some(Status::Fail), "{result:?}");

    // No face in the selfie: nothing is signed or queued.
    let error = phone
        .check_in(
            &client,
            &faces,
            &sensors,
            world.class.id,
            &world.otp_now(),
            &[blank()],
        )
        .await
        .unwrap_err();
    assert_eq!(code(&error), "no_face", "{error}");
    assert_eq!(phone.status().await.unwrap().pending, 0);

    // Revoked: the student is told, and can still check in without a selfie.
    face_enrolment::revoke(&admin, student).await.unwrap();
    let error = phone
        .check_in(
            &client,
            &faces,
            &sensors,
            world.class.id,
            &world.otp_now(),
            &selfie,
        )
        .await
        .unwrap_err();
    assert_eq!(code(&error), "not_enrolled", "{error}");
    assert!(
        !folder
            .join(client.with_session(|s| s.user.id).unwrap().to_string())
            .join("face-template.json")
            .exists(),
        "the device's copy goes with the revocation"
    );
    std::fs::remove_dir_all(&folder).ok();
}

/// A kiosk for A-101, signed in (through `server`), with a fresh folder.
async fn a101_kiosk(
    world: &World,
    admin: &ServerClient,
    server: &str,
) -> (Arc<ServerClient>, KioskDoor, PathBuf) {
    let room: Uuid = sqlx::query_scalar("SELECT id FROM rooms WHERE code = 'A-101'")
        .fetch_one(&world.pool)
        .await
        .unwrap();
    let credential: KioskCredential = admin
        .create_kiosk(&NewKiosk {
            name: "A-101 door".to_owned(),
            room_id: room,
            config: None,
        })
        .await
        .unwrap();
    let client = Arc::new(ServerClient::new());
    client
        .login(server, &credential.kiosk.username, &credential.secret)
        .await
        .unwrap();
    let folder = std::env::temp_dir().join(format!("rollcall-kiosk-{}", Uuid::now_v7()));
    (client, KioskDoor::default(), folder)
}

#[sqlx::test(migrations = "../migrations")]
async fn a_face_that_only_nearly_matches_goes_to_review_with_a_thumbnail_and_is_never_greeted(
    pool: PgPool,
) {
    let world = World::new(pool).await;
    let faces = faces();
    let admin = admin(&world).await;
    let student = student_id(&world, &world.students[2]).await;
    // A template whose similarity to this face is 0.44: above the threshold (0.40),
    // inside the doubtful margin (up to 0.48).
    let frame = picture("face_recognition/test/obama1.jpg");
    let seen = faces.faces_in(&frame).await.unwrap();
    let probe = seen[0].good.as_ref().unwrap().embedding.clone();
    let mut other: Vec<f32> = (0..probe.len())
        .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
        .collect();
    let along: f32 = other.iter().zip(&probe).map(|(a, b)| a * b).sum();
    for (o, p) in other.iter_mut().zip(&probe) {
        *o -= along * p;
    }
    let norm = other.iter().map(|x| x * x).sum::<f32>().sqrt();
    let target = 0.44_f32;
    let template: Vec<f32> = probe
        .iter()
        .zip(&other)
        .map(|(p, o)| target * p + (1.0 - target * target).sqrt() * o / norm)
        .collect();
    admin
        .put_face_template(
            student,
            &FaceTemplateUpload {
                model_id: rollcall_app::face::MODEL_ID.to_owned(),
                embedding: template,
            },
        )
        .await
        .unwrap();

    let (client, door, folder) = a101_kiosk(&world, &admin, &world.server).await;
    let (state, outbox) = door.start(&client, &folder).await.unwrap();
    let _worker = run_worker(door.courier(), Arc::clone(&client), outbox.clone());
    assert_eq!(state.enrolled, 1);
    let mut states = Vec::new();
    for _ in 0..4 {
        let seen = door.frame(&faces, &frame).await.unwrap();
        assert!(seen.marked.is_empty(), "nobody is greeted: {seen:?}");
        assert_eq!(seen.faces[0].student_name, None, "never named");
        states.push(seen.faces[0].state.clone());
    }
    assert_eq!(
        states,
        [
            KioskFaceState::Unknown,
            KioskFaceState::Unknown,
            KioskFaceState::SentForReview,
            KioskFaceState::Unknown,
        ]
    );
    assert_eq!(outbox.pending().await.unwrap(), 0, "sent at once");
    let (outcome, review, thumbnail): (String, Option<String>, Option<Vec<u8>>) = sqlx::query_as(
        "SELECT outcome, review_status, thumbnail FROM claims WHERE student_id = $1 AND kiosk_id IS NOT NULL",
    )
    .bind(student)
    .fetch_one(&world.pool)
    .await
    .unwrap();
    assert_eq!(outcome, "review");
    assert_eq!(review.as_deref(), Some("pending"));
    let thumbnail = thumbnail.expect("the face's thumbnail waits with it");
    assert!(thumbnail.starts_with(&[0xFF, 0xD8, 0xFF]) && thumbnail.len() < 32 * 1024);
    let record: Option<String> = sqlx::query_scalar(
        "SELECT status FROM attendance_records WHERE session_id = $1 AND student_id = $2",
    )
    .bind(world.class.id)
    .bind(student)
    .fetch_optional(&world.pool)
    .await
    .unwrap();
    assert_ne!(
        record.as_deref(),
        Some("present"),
        "not marked by a doubtful face"
    );
    std::fs::remove_dir_all(&folder).ok();
}

#[sqlx::test(migrations = "../migrations")]
async fn the_rooms_kiosk_marks_an_enrolled_student_after_agreeing_frames_and_never_a_stranger(
    pool: PgPool,
) {
    let world = World::new(pool).await;
    let faces = faces();
    let admin = admin(&world).await;
    let username = world.students[1].clone();
    let student = student_id(&world, &username).await;
    enrol_from_photos(&admin, &faces, student).await;

    let (kiosk_client, door, folder) = a101_kiosk(&world, &admin, &world.server).await;
    let (state, outbox) = door.start(&kiosk_client, &folder).await.unwrap();
    let _worker = run_worker(door.courier(), Arc::clone(&kiosk_client), outbox.clone());
    assert_eq!(state.enrolled, 1);
    assert!(!state.roster_from_cache);

    // A stranger in front of the camera for many frames is never matched.
    for _ in 0..4 {
        let seen = door
            .frame(&faces, &picture("deepface/img1.jpg"))
            .await
            .unwrap();
        assert_eq!(seen.faces.len(), 1);
        assert_eq!(seen.faces[0].state, KioskFaceState::Unknown);
        assert!(seen.marked.is_empty());
    }
    // A face-less frame is simply empty.
    let empty = door.frame(&faces, &blank()).await.unwrap();
    assert!(empty.faces.is_empty());

    // The student: recognised, recognised, marked; then left alone.
    let frame = picture("face_recognition/test/obama1.jpg");
    let mut states = Vec::new();
    let mut marked = Vec::new();
    for _ in 0..4 {
        let seen = door.frame(&faces, &frame).await.unwrap();
        assert_eq!(seen.faces.len(), 1);
        states.push(seen.faces[0].state.clone());
        marked.extend(seen.marked);
    }
    assert_eq!(
        states,
        [
            KioskFaceState::Recognising {
                frames: 1,
                needed: 3
            },
            KioskFaceState::Recognising {
                frames: 2,
                needed: 3
            },
            KioskFaceState::Marked,
            KioskFaceState::AlreadyMarked,
        ]
    );
    assert_eq!(marked.len(), 1);
    assert_eq!(marked[0].student_id, student);
    let result = marked[0].result.as_ref().expect("sent at once");
    assert_eq!(result.outcome, Outcome::Accepted, "{result:?}");
    assert_eq!(result.record, Some(AttendanceStatus::Present));
    assert_eq!(outbox.pending().await.unwrap(), 0);
    let source: String = sqlx::query_scalar(
        "SELECT source FROM attendance_records WHERE session_id = $1 AND student_id = $2",
    )
    .bind(world.class.id)
    .bind(student)
    .fetch_one(&world.pool)
    .await
    .unwrap();
    assert_eq!(source, "kiosk");

    // The roster is kept on disk (readable only by this user) for starts without the server.
    let kept = folder
        .join(
            kiosk_client
                .with_session(|s| s.user.id)
                .unwrap()
                .to_string(),
        )
        .join("roster-templates.json");
    assert!(kept.exists());
    std::fs::remove_dir_all(&folder).ok();
}

#[sqlx::test(migrations = "../migrations")]
async fn a_kiosk_without_network_starts_from_its_copy_and_its_marks_wait_in_the_outbox(
    pool: PgPool,
) {
    let world = World::new(pool).await;
    let faces = faces();
    let admin = admin(&world).await;
    let student = student_id(&world, &world.students[3]).await;
    enrol_from_photos(&admin, &faces, student).await;
    let mut network = Tunnel::open(world.addr).await;
    let (client, door, folder) = a101_kiosk(&world, &admin, &network.url()).await;
    let (online, _) = door.start(&client, &folder).await.unwrap();
    assert!(!online.roster_from_cache);

    // The network goes; the kiosk PC restarts its app and still knows the roster.
    network.cut().await;
    let restarted = KioskDoor::default();
    let (offline, outbox) = restarted.start(&client, &folder).await.unwrap();
    let _worker = run_worker(restarted.courier(), Arc::clone(&client), outbox.clone());
    assert!(offline.roster_from_cache);
    assert_eq!(offline.enrolled, 1);
    let frame = picture("face_recognition/test/obama1.jpg");
    let mut marked = Vec::new();
    for _ in 0..3 {
        marked.extend(restarted.frame(&faces, &frame).await.unwrap().marked);
    }
    assert_eq!(marked.len(), 1);
    assert_eq!(marked[0].result, None, "offline: kept in the outbox");
    assert_eq!(outbox.pending().await.unwrap(), 1);

    // Back online, the worker sends the outbox and the student is present.
    network.restore().await;
    sent(&restarted.courier(), &outbox).await;
    let outcome: String = sqlx::query_scalar(
        "SELECT outcome FROM claims WHERE student_id = $1 AND kiosk_id IS NOT NULL",
    )
    .bind(student)
    .fetch_one(&world.pool)
    .await
    .unwrap();
    assert_eq!(outcome, Outcome::Accepted.as_str());
    let status: String = sqlx::query_scalar(
        "SELECT status FROM attendance_records WHERE session_id = $1 AND student_id = $2",
    )
    .bind(world.class.id)
    .bind(student)
    .fetch_one(&world.pool)
    .await
    .unwrap();
    assert_eq!(status, "present");
    std::fs::remove_dir_all(&folder).ok();
}

#[sqlx::test(migrations = "../migrations")]
async fn a_selfie_check_in_without_network_uses_the_phones_copy_of_the_template(pool: PgPool) {
    let world = World::new(pool).await;
    let faces = faces();
    let admin = admin(&world).await;
    let username = world.students[4].clone();
    let student = student_id(&world, &username).await;
    enrol_from_photos(&admin, &faces, student).await;
    let mut network = Tunnel::open(world.addr).await;
    let client = Arc::new(ServerClient::new());
    client
        .login(&network.url(), &username, STUDENT_PASSWORD)
        .await
        .unwrap();
    let phone = StudentPhone::default();
    // A laptop: no GPS or radio readings; the gate confirms.
    let sensors = Simulated::new();
    let folder = std::env::temp_dir().join(format!("rollcall-face-{}", Uuid::now_v7()));
    let (_, outbox) = phone
        .prepare(&client, &folder, KeyStoreChoice::FolderOnly)
        .await
        .unwrap();
    let _worker = run_worker(phone.courier(), Arc::clone(&client), outbox.clone());
    let selfie = vec![picture("face_recognition/test/obama1.jpg")];
    // Online once: the template is fetched and kept on the phone.
    let online = phone
        .check_in(
            &client,
            &faces,
            &sensors,
            world.class.id,
            &world.otp_now(),
            &selfie,
        )
        .await
        .unwrap();
    assert_eq!(face_status(&online.result.unwrap()), Some(Status::Pass));
    let kept = folder.join(student.to_string()).join("face-template.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&kept).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "readable only by the user");
    }

    // Offline: the selfie is still checked, the claim waits with its face evidence.
    network.cut().await;
    let offline = phone
        .check_in(
            &client,
            &faces,
            &sensors,
            world.class.id,
            &world.otp_now(),
            &selfie,
        )
        .await
        .unwrap();
    assert_eq!(offline.result, None, "kept in the outbox");
    assert_eq!(offline.pending, 1);

    network.restore().await;
    let answered = phone
        .courier()
        .answer_for(offline.claim_id, 30, &rollcall_checkin::sync::TokioPause)
        .await
        .expect("the offline claim is answered");
    assert_eq!(face_status(&answered), Some(Status::Pass), "{answered:?}");
    assert_eq!(outbox.pending().await.unwrap(), 0);
    std::fs::remove_dir_all(&folder).ok();
}
