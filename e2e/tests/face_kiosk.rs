//! Faces end to end in the real app under Xvfb, with the real models, against a real
//! server: the admin enrols a student from photo files on the Face enrolment screen
//! (a face-less picture is called out, the template is built from the good shots);
//! the room's kiosk signs in, is shown a stranger (never matched) and then the
//! student, frame after frame, and greets them as present once the frames agree (as
//! many as the admin set on the Devices screen); the teacher's roster says so; new
//! settings reach the running kiosk at its next heartbeat; the admin sees it online
//! and revokes the template.
//!
//! Needs what `desktop_login` needs, plus `ROLLCALL_MODELS_DIR` and `ORT_DYLIB_PATH`
//! for the app; `cargo xtask test` provides them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use std::path::PathBuf;
use std::time::Duration;

use rollcall_core::api::{
    DivisionStudent, KioskCredential, KioskPatch, NewKiosk, Roster, StartSession, TeacherSession,
};
use rollcall_e2e::env::JourneyEnv;
use rollcall_e2e::journey::{
    attribute, choose_file, click, finish, save_screenshot, sign_in_until, type_into,
    wait_for_text_containing,
};
use rollcall_e2e::school::{School, ADMIN, ADMIN_PASSWORD};
use rollcall_e2e::tauri_driver::TauriDriver;
use rollcall_e2e::webdriver::Session;

const UI: Duration = Duration::from_secs(20);
/// The first use loads the models and creates their sessions.
const FACE: Duration = Duration::from_secs(60);

fn faces() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/faces")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_enrols_a_face_and_the_rooms_kiosk_greets_the_student_as_present() {
    let env = JourneyEnv::from_env().unwrap_or_else(|problem| panic!("{problem}"));
    for var in ["ROLLCALL_MODELS_DIR", "ORT_DYLIB_PATH"] {
        assert!(
            std::env::var_os(var).is_some(),
            "{var} is set for the app under test (cargo xtask test sets it)"
        );
    }
    let school = School::prepare_with(&env.server, "token").await;
    let started: TeacherSession = school
        .teacher
        .start_session(&StartSession::Slot {
            slot_id: school.slot,
        })
        .await
        .expect("the class starts");
    let kiosk: KioskCredential = school
        .admin
        .create_kiosk(&NewKiosk {
            name: format!("{} door", school.room_name),
            room_id: school.room_id,
            config: None,
        })
        .await
        .expect("the kiosk is registered");
    let student = school
        .students
        .last()
        .expect("the division has students")
        .clone();

    let driver = TauriDriver::start(&env.artifacts.join("tauri-driver-face.log"))
        .await
        .unwrap_or_else(|problem| panic!("{problem}"));
    let session = Session::start(&driver.url(), Session::tauri_capabilities(&env.app))
        .await
        .unwrap_or_else(|e| panic!("the app did not start under WebDriver: {e}"));
    let outcome = journey(&session, &env, &school, &student, &kiosk, &started).await;
    if outcome.is_err() {
        let _ = save_screenshot(&session, &env, "face-failure.png").await;
    }
    finish(session, driver, outcome).await;
}

/// Waits until the kiosk has analysed `n` frames.
async fn frame_seen(session: &Session, n: u32) -> Result<(), String> {
    let deadline = std::time::Instant::now() + FACE;
    let wanted = n.to_string();
    loop {
        let seen = attribute(session, "#kiosk-frame", "data-frames")
            .await
            .unwrap_or_default();
        if seen.as_deref() == Some(wanted.as_str()) {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("the kiosk analysed {seen:?} frames, not {n}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn open_student(session: &Session, student: &DivisionStudent) -> Result<(), String> {
    click(session, "#nav-faces", UI).await?;
    type_into(session, "#face-search-text", &student.username).await?;
    click(session, "#face-search button[type=submit]", UI).await?;
    click(
        session,
        &format!(
            "#face-students li[data-username=\"{}\"] button",
            student.username
        ),
        UI,
    )
    .await?;
    wait_for_text_containing(session, "#face-student-name", &student.display_name, UI).await?;
    Ok(())
}

async fn journey(
    session: &Session,
    env: &JourneyEnv,
    school: &School,
    student: &DivisionStudent,
    kiosk: &KioskCredential,
    started: &TeacherSession,
) -> Result<(), String> {
    // The admin enrols the student from photo files.
    sign_in_until(session, &env.server, ADMIN, ADMIN_PASSWORD, "#sign-out").await?;
    open_student(session, student).await?;
    let blank = env.artifacts.join("face-blank.png");
    image::RgbImage::from_pixel(320, 240, image::Rgb([128, 128, 128]))
        .save(&blank)
        .map_err(|e| e.to_string())?;
    choose_file(session, "#face-shots", &blank).await?;
    wait_for_text_containing(session, "#face-shot-list", "No face found", FACE).await?;
    for file in ["obama.jpg", "obama2.jpg", "obama3.jpg"] {
        let path = faces().join("face_recognition/train/obama").join(file);
        choose_file(session, "#face-shots", &path).await?;
    }
    wait_for_text_containing(session, "#face-good-count", "3 of 3", FACE).await?;
    save_screenshot(session, env, "face-enrolment-shots.png").await?;
    click(session, "#face-enrol:not([disabled])", UI).await?;
    wait_for_text_containing(session, "#face-outcome", "is enrolled from 3 shots", FACE).await?;
    wait_for_text_containing(session, "#face-enrolled", "Enrolled", UI).await?;
    save_screenshot(session, env, "face-enrolled.png").await?;

    // The admin asks this room's kiosk for four agreeing frames.
    let row = format!("tr[data-kiosk=\"{}\"]", kiosk.kiosk.name);
    click(session, "#nav-devices", UI).await?;
    click(session, &format!("{row} .kiosk-edit"), UI).await?;
    type_into(session, "#kiosk-frames", "4").await?;
    click(session, "#kiosk-settings-save", UI).await?;
    wait_for_text_containing(session, "#devices-notice", "next heartbeat", UI).await?;
    wait_for_text_containing(session, &row, "4 agreeing frames", UI).await?;
    click(session, "#sign-out", UI).await?;

    // The room's kiosk: a stranger is never matched; the student is, after agreeing frames.
    sign_in_until(
        session,
        &env.server,
        &kiosk.kiosk.username,
        &kiosk.secret,
        "#sign-out",
    )
    .await?;
    wait_for_text_containing(session, "#kiosk-facts", "enrolled student", UI).await?;
    wait_for_text_containing(session, "#kiosk-facts", "after 4 agreeing frames", UI).await?;
    let stranger = faces().join("deepface/img1.jpg");
    for frame in 1..=3 {
        choose_file(session, "#kiosk-frames", &stranger).await?;
        frame_seen(session, frame).await?;
        wait_for_text_containing(session, "#kiosk-frame", "Not recognised", UI).await?;
    }
    let face = faces().join("face_recognition/test/obama1.jpg");
    for (frame, agreed) in [(4, 1), (5, 2), (6, 3)] {
        choose_file(session, "#kiosk-frames", &face).await?;
        frame_seen(session, frame).await?;
        let recognising = format!("recognising ({agreed} of 4)");
        wait_for_text_containing(session, "#kiosk-frame", &recognising, UI).await?;
    }
    choose_file(session, "#kiosk-frames", &face).await?;
    frame_seen(session, 7).await?;
    let greeting = format!("Welcome, {} — present", student.display_name);
    wait_for_text_containing(session, "#kiosk-greeting", &greeting, FACE).await?;
    wait_for_text_containing(session, "#kiosk-facts", "every mark sent", UI).await?;
    save_screenshot(session, env, "kiosk-greets-student.png").await?;
    let roster: Roster = school
        .teacher
        .roster(started.session.id)
        .await
        .map_err(|e| format!("the roster: {e}"))?;
    let line = roster
        .entries
        .iter()
        .find(|e| e.student_id == student.id)
        .ok_or("the student is on the class roster")?;
    if line.source != Some(rollcall_core::record::RecordSource::Kiosk) || line.status.is_none() {
        return Err(format!("the roster line after the kiosk: {line:?}"));
    }
    // The admin changes the settings while the kiosk runs: its next heartbeat
    // (every few seconds here, ROLLCALL_KIOSK_HEARTBEAT_S) applies them.
    school
        .admin
        .update_kiosk(
            kiosk.kiosk.id,
            &KioskPatch {
                config: Some(r#"{"agreement_frames": 2}"#.to_owned()),
                ..KioskPatch::default()
            },
        )
        .await
        .map_err(|e| format!("the settings did not save: {e}"))?;
    wait_for_text_containing(session, "#kiosk-facts", "after 2 agreeing frames", FACE).await?;
    click(session, "#sign-out", UI).await?;

    // The admin revokes the template; the kiosk, just heard from, is online.
    sign_in_until(session, &env.server, ADMIN, ADMIN_PASSWORD, "#sign-out").await?;
    click(session, "#nav-devices", UI).await?;
    wait_for_text_containing(session, &format!("{row} .kiosk-presence"), "Online", UI).await?;
    wait_for_text_containing(session, &row, "2 agreeing frames", UI).await?;
    open_student(session, student).await?;
    wait_for_text_containing(session, "#face-enrolled", "Enrolled", UI).await?;
    click(session, "#face-revoke", UI).await?;
    wait_for_text_containing(session, "#face-revoke", "Yes, delete", UI).await?;
    click(session, "#face-revoke", UI).await?;
    wait_for_text_containing(session, "#face-enrolled", "Not enrolled", UI).await?;
    click(session, "#sign-out", UI).await?;
    Ok(())
}
