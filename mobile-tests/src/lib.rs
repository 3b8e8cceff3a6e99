//! Student-phone journeys against a real server and database, through the app's
//! own library (`rollcall_app::checkin`) with simulated sensors. This crate holds
//! their shared world: a seeded server, teacher1's running class in Lecture Hall
//! A-101 and students with phones.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test support: a failed set-up step fails the test that called it"
)]

pub mod tunnel;

use std::net::SocketAddr;
use std::path::PathBuf;

use rollcall_app::{Classroom, ServerClient};
use rollcall_checkin::phone::Phone;
use rollcall_checkin::sensors::Simulated;
use rollcall_checkin::sqlite::Outbox;
use rollcall_checkin::store::ClaimStore as _;
use rollcall_checkin::sync::{Courier, TokioPause};
use rollcall_core::api::{ClassSession, Platform, StartSession, TeacherSession};
use rollcall_core::geofence::{GeoPoint, LocationFix, Metres};
use rollcall_core::radio::{RadioScan, Rssi, WifiSighting};
use rollcall_core::signing::DeviceKey;
use rollcall_core::timestamp::Timestamp;
use rollcall_server::testing::{spawn_server_with, TestServer};
use sqlx::PgPool;
use uuid::Uuid;

/// The demo student whose phone the journeys simulate first.
pub const DEMO_STUDENT: &str = "student1";
/// Every demo student's password.
pub const STUDENT_PASSWORD: &str = "rollcall-student";
/// The middle of Lecture Hall A-101.
pub const IN_A101: (f64, f64) = (18.518_62, 73.815_38);
/// A-101's ceiling access point.
pub const A101_BSSID: &str = "3c:84:6a:a1:01:10";

/// A seeded server with teacher1's class running in A-101.
#[derive(Debug)]
pub struct World {
    /// The server's base URL.
    pub server: String,
    /// Its address.
    pub addr: SocketAddr,
    /// The database behind it.
    pub pool: PgPool,
    /// The teacher's app client.
    pub teacher: ServerClient,
    /// The teacher's classroom (draws the QR).
    pub classroom: Classroom,
    /// The running class.
    pub class: ClassSession,
    /// Usernames of the class's students, by name.
    pub students: Vec<String>,
}

/// Now, to the second.
#[must_use]
pub fn now() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Timestamp::from_unix(i64::try_from(secs).unwrap_or_default())
}

/// A fix at `(lat, lon)` with `accuracy_m`, taken at `at`.
///
/// # Panics
/// For coordinates out of range.
#[must_use]
pub fn fix(at: Timestamp, (lat, lon): (f64, f64), accuracy_m: f64, mocked: bool) -> LocationFix {
    LocationFix {
        point: GeoPoint::new(lat, lon).expect("a valid point"),
        accuracy: Metres::new(accuracy_m).expect("a valid accuracy"),
        mocked,
        fixed_at: at,
    }
}

/// A scan that hears A-101's access point well.
///
/// # Panics
/// Never: the constants are valid.
#[must_use]
pub fn a101_wifi() -> RadioScan {
    RadioScan {
        wifi: vec![WifiSighting {
            bssid: A101_BSSID.parse().expect("a BSSID"),
            rssi: Rssi::new(-58).expect("an RSSI"),
        }],
        beacons: Vec::new(),
    }
}

impl World {
    /// Seeds the demo school, serves it (with sign-in limits raised: every
    /// journey signs in from one address), and starts teacher1's class in A-101.
    ///
    /// # Panics
    /// When any of it fails: no journey can run then.
    pub async fn new(pool: PgPool) -> Self {
        rollcall_server::seed::seed_demo(&pool)
            .await
            .expect("the demo school seeds");
        let mut options = TestServer::default();
        options.settings.limits.sign_in_per_minute = 10_000;
        options.settings.limits.general_per_minute = 1_000_000;
        let addr = spawn_server_with(pool.clone(), options)
            .await
            .expect("the server starts");
        let server = format!("http://{addr}");
        let teacher = ServerClient::new();
        teacher
            .login(&server, "teacher1", "rollcall-teacher")
            .await
            .expect("teacher1 signs in");
        let (room, division): (Uuid, Uuid) = sqlx::query_as(
            "SELECT r.id, t.division_id FROM rooms r, timetable_slots t JOIN users u ON u.id = t.teacher_id \
             WHERE r.code = 'A-101' AND u.username = 'teacher1' LIMIT 1",
        )
        .fetch_one(&pool)
        .await
        .expect("A-101 and a division of teacher1");
        let started: TeacherSession = teacher
            .start_session(&StartSession::AdHoc {
                room_id: room,
                division_id: division,
                subject_id: None,
                minutes: 50,
            })
            .await
            .expect("teacher1 starts a class");
        let classroom = Classroom::new();
        classroom.today(&teacher).await.expect("the teacher's day");
        let students: Vec<String> = sqlx::query_scalar(
            "SELECT u.username FROM division_students d JOIN users u ON u.id = d.student_id \
             WHERE d.division_id = $1 ORDER BY u.display_name",
        )
        .bind(division)
        .fetch_all(&pool)
        .await
        .expect("the division's students");
        Self {
            server,
            addr,
            pool,
            teacher,
            classroom,
            class: started.session,
            students,
        }
    }

    /// The text of the QR code on the teacher's screen at `at`.
    ///
    /// # Panics
    /// When the teacher's app cannot draw it.
    #[must_use]
    pub fn qr_at(&self, at: Timestamp) -> String {
        self.classroom
            .frame(self.class.id, at)
            .expect("the teacher's screen shows a QR")
            .payload
    }

    /// The six digits on the teacher's screen now.
    ///
    /// # Panics
    /// When the teacher's app cannot draw it.
    #[must_use]
    pub fn otp_now(&self) -> String {
        self.classroom
            .frame(self.class.id, now())
            .expect("the teacher's screen shows a code")
            .otp
    }

    /// `username` signs in on a phone with key `seed` (the same seed is the same
    /// phone) and an empty outbox in a fresh folder.
    ///
    /// # Panics
    /// When the sign-in, the registration or the outbox fails.
    pub async fn phone(&self, username: &str, seed: u8) -> Student {
        let client = ServerClient::new();
        client
            .login(&self.server, username, STUDENT_PASSWORD)
            .await
            .expect("the student signs in");
        let phone = Phone::register(
            &client,
            DeviceKey::from_seed(&[seed; 32]),
            "Pixel 8",
            Platform::Android,
        )
        .await
        .expect("the phone registers");
        let folder = std::env::temp_dir().join(format!("rollcall-phone-{}", Uuid::now_v7()));
        std::fs::create_dir_all(&folder).expect("a folder for the phone");
        let outbox_path = folder.join("outbox.sqlite");
        let outbox = Outbox::open(&outbox_path).await.expect("the outbox opens");
        Student {
            username: username.to_owned(),
            client,
            phone,
            outbox,
            outbox_path,
            sensors: Simulated::new(),
        }
    }
}

/// A student with a phone: its client, key, outbox and sensors.
#[derive(Debug)]
pub struct Student {
    /// The login.
    pub username: String,
    /// The app's server client, signed in.
    pub client: ServerClient,
    /// The registered phone.
    pub phone: Phone,
    /// The phone's outbox.
    pub outbox: Outbox,
    /// Where the outbox file is.
    pub outbox_path: PathBuf,
    /// The phone's sensors, set by the journey.
    pub sensors: Simulated,
}

/// Runs `courier`'s worker over `outbox` as the app does once a phone or a
/// kiosk is ready, until the test ends (or the handle is aborted).
#[must_use]
pub fn run_worker(
    courier: Courier,
    client: std::sync::Arc<ServerClient>,
    outbox: Outbox,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        courier
            .run(&client, &outbox, &TokioPause, now, |_| {})
            .await;
    })
}

/// Wakes `courier`'s worker and waits (at most 30 s) until `outbox` is empty.
///
/// # Panics
/// When it is not empty by then.
pub async fn sent(courier: &Courier, outbox: &Outbox) {
    for _ in 0..300 {
        courier.wake();
        if outbox.pending().await.unwrap_or(1) == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the outbox was not sent within 30 s");
}
