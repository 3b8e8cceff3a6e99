//! Getting a seeded server ready for the load: the demo teacher starts one
//! ad-hoc class per division in Lecture Hall A-101, and the demo students
//! sign in and bind a phone key each.

use std::collections::HashMap;

use rollcall_core::api::{
    DeviceRecord, LoginResponse, Page, RoomRecord, Roster, SlotRecord, TeacherSession,
};
use rollcall_core::ids::SessionId;
use rollcall_core::qr::{QrPeriod, RotatingQr, SessionSecret};
use rollcall_core::signing::DeviceKey;
use serde_json::json;
use uuid::Uuid;

/// A simulated student with a bound phone.
pub struct Student {
    pub id: Uuid,
    pub token: String,
    pub key: DeviceKey,
    pub device: Uuid,
    pub session: Uuid,
}

/// The running classes and their students.
pub struct School {
    pub teacher_token: String,
    pub students: Vec<Student>,
    /// Each class's QR, as the teacher's screen draws it.
    pub classes: HashMap<Uuid, RotatingQr>,
}

/// How many demo students the bench signs in.
const STUDENTS: u8 = 60;

async fn login(
    http: &reqwest::Client,
    server: &str,
    user: &str,
    password: &str,
) -> anyhow::Result<LoginResponse> {
    let resp = http
        .post(format!("{server}/api/v1/auth/login"))
        .json(&json!({"login": user, "password": password}))
        .send()
        .await?;
    anyhow::ensure!(
        resp.status().is_success(),
        "login {user}: {}",
        resp.status()
    );
    Ok(resp.json().await?)
}

async fn get<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: String,
    token: &str,
) -> anyhow::Result<T> {
    Ok(http
        .get(url)
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?)
}

/// Starts the classes and binds the students' phones.
pub async fn prepare(http: &reqwest::Client, server: &str) -> anyhow::Result<School> {
    let teacher = login(http, server, "teacher1", "rollcall-teacher")
        .await?
        .access_token;
    let slots: Page<SlotRecord> = get(
        http,
        format!("{server}/api/v1/timetable?per_page=200"),
        &teacher,
    )
    .await?;
    let rooms: Page<RoomRecord> = get(http, format!("{server}/api/v1/rooms"), &teacher).await?;
    let room = rooms
        .items
        .iter()
        .find(|r| r.code == "A-101")
        .ok_or_else(|| anyhow::anyhow!("no room A-101"))?;
    let mut divisions: Vec<Uuid> = slots.items.iter().map(|s| s.division_id).collect();
    divisions.sort();
    divisions.dedup();

    let mut classes = HashMap::new();
    for division in &divisions {
        let session: TeacherSession = http
            .post(format!("{server}/api/v1/sessions"))
            .bearer_auth(&teacher)
            .json(&json!({"kind": "ad_hoc", "room_id": room.id, "division_id": division, "minutes": 120}))
            .send()
            .await?
            .json()
            .await?;
        let secret = {
            use base64::Engine as _;
            let text = session
                .secret
                .clone()
                .ok_or_else(|| anyhow::anyhow!("no secret"))?;
            SessionSecret::from_bytes(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text)?,
            )?
        };
        let qr = RotatingQr::new(
            SessionId::from(session.session.id),
            &secret,
            QrPeriod::new(session.session.qr_period_s)?,
        );
        classes.insert(session.session.id, qr);
    }
    let mut rosters = Vec::new();
    for class in classes.keys() {
        let roster: Roster = get(
            http,
            format!("{server}/api/v1/sessions/{class}/roster"),
            &teacher,
        )
        .await?;
        rosters.push(roster);
    }

    eprintln!("signing in {STUDENTS} students and binding their phones …");
    let mut students = Vec::new();
    for n in 1..=STUDENTS {
        let signed = login(http, server, &format!("student{n}"), "rollcall-student").await?;
        let Some(session) = rosters
            .iter()
            .find(|r| r.entries.iter().any(|e| e.student_id == signed.user.id))
            .map(|r| r.session_id)
        else {
            continue;
        };
        let key = DeviceKey::from_seed(&[n; 32]);
        let device: DeviceRecord = http
            .post(format!("{server}/api/v1/devices"))
            .bearer_auth(&signed.access_token)
            .json(&json!({"public_key": key.public().to_string(), "label": "load bench"}))
            .send()
            .await?
            .json()
            .await?;
        students.push(Student {
            id: signed.user.id,
            token: signed.access_token,
            key,
            device: device.id,
            session,
        });
    }
    anyhow::ensure!(
        !students.is_empty(),
        "no demo students in teacher1's divisions"
    );
    Ok(School {
        teacher_token: teacher,
        students,
        classes,
    })
}
