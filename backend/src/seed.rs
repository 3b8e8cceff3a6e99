//! The demo school (`rollcall-server seed-demo`): three divisions of twenty
//! students, four teachers, an admin, six subjects, four rooms on one campus
//! with circle and polygon fences and their Wi-Fi and BLE access points, and a
//! week's timetable. Idempotent: every row is keyed by a natural key
//! (username, code, slot), so a second run adds nothing.

use anyhow::Context as _;
use rollcall_core::api::Role;
use rollcall_core::geofence::{GeoPoint, Geofence, Metres};
use rollcall_core::policy::Policy;
use rollcall_core::radio::{BeaconId, Bssid};
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::auth::password;

/// A demo login printed by `seed-demo` and listed in the README.
#[derive(Debug, Clone, Copy)]
pub struct DemoLogin {
    /// Username.
    pub username: &'static str,
    /// Password.
    pub password: &'static str,
    /// What it is for.
    pub role: &'static str,
}

/// The fixed demo logins.
pub const DEMO_LOGINS: [DemoLogin; 3] = [
    DemoLogin {
        username: "admin",
        password: "rollcall-admin",
        role: "admin",
    },
    DemoLogin {
        username: "teacher1",
        password: "rollcall-teacher",
        role: "teacher",
    },
    DemoLogin {
        username: "student1",
        password: "rollcall-student",
        role: "student",
    },
];

const FIRST: [&str; 20] = [
    "Aarav", "Diya", "Kabir", "Meera", "Rohan", "Ananya", "Ishaan", "Saanvi", "Vihaan", "Aditi",
    "Arjun", "Priya", "Dev", "Nisha", "Kunal", "Tara", "Omar", "Leela", "Yash", "Zoya",
];
const LAST: [&str; 9] = [
    "Sharma",
    "Patel",
    "Kulkarni",
    "Iyer",
    "Deshpande",
    "Khan",
    "Joshi",
    "Nair",
    "Mehta",
];

const TEACHERS: [&str; 4] = [
    "Dr. Asha Rao",
    "Prof. Vikram Menon",
    "Dr. Farida Shaikh",
    "Prof. Daniel Dsouza",
];

const DIVISIONS: [(&str, &str); 3] = [
    ("SE-A", "Second Year Computer Engineering, Division A"),
    ("SE-B", "Second Year Computer Engineering, Division B"),
    ("TE-A", "Third Year Computer Engineering, Division A"),
];

const SUBJECTS: [(&str, &str); 6] = [
    ("CS201", "Data Structures"),
    ("MA202", "Discrete Mathematics"),
    ("CS203", "Database Systems"),
    ("CS301", "Computer Networks"),
    ("CS302", "Operating Systems"),
    ("CS303", "Software Engineering"),
];

/// Period start and end times, the same every weekday.
const PERIODS: [(&str, &str); 4] = [
    ("09:00", "09:55"),
    ("10:00", "10:55"),
    ("11:15", "12:10"),
    ("13:30", "14:25"),
];

/// What the demo school holds, for checking and printing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchoolCounts {
    /// Accounts with role student.
    pub students: i64,
    /// Accounts with role teacher.
    pub teachers: i64,
    /// Accounts with role admin.
    pub admins: i64,
    /// Divisions.
    pub divisions: i64,
    /// Subjects.
    pub subjects: i64,
    /// Rooms.
    pub rooms: i64,
    /// Wi-Fi and BLE access points.
    pub access_points: i64,
    /// Weekly timetable slots.
    pub timetable_slots: i64,
}

/// Fills the demo school; safe to run again.
///
/// # Errors
/// When the database refuses a write; nothing is half-written (one transaction).
pub async fn seed_demo(pool: &PgPool) -> anyhow::Result<SchoolCounts> {
    let mut tx = pool
        .begin()
        .await
        .context("Failed to begin the demo transaction")?;
    let admin = upsert_user(
        &mut tx,
        "admin",
        "School Administrator",
        Role::Admin,
        "rollcall-admin",
        None,
    )
    .await?;
    let _ = admin;
    let mut teachers = Vec::new();
    for (i, name) in TEACHERS.iter().enumerate() {
        let username = format!("teacher{}", i + 1);
        teachers.push(
            upsert_user(
                &mut tx,
                &username,
                name,
                Role::Teacher,
                "rollcall-teacher",
                None,
            )
            .await?,
        );
    }
    let mut divisions = Vec::new();
    for (d, (code, name)) in DIVISIONS.iter().enumerate() {
        let division = upsert_coded(&mut tx, Coded::Division, code, name).await?;
        for s in 0..20 {
            let n = d * 20 + s + 1;
            let name = format!(
                "{} {}",
                FIRST[(n * 7) % FIRST.len()],
                LAST[(n * 5) % LAST.len()]
            );
            let student_no = format!("2026{n:04}");
            let student = upsert_user(
                &mut tx,
                &format!("student{n}"),
                &name,
                Role::Student,
                "rollcall-student",
                Some(&student_no),
            )
            .await?;
            sqlx::query!(
                "INSERT INTO division_students (division_id, student_id) VALUES ($1, $2)
                 ON CONFLICT DO NOTHING",
                division,
                student
            )
            .execute(&mut *tx)
            .await
            .context("Failed to enrol a demo student")?;
        }
        divisions.push(division);
    }
    let mut subjects = Vec::new();
    for (code, name) in SUBJECTS {
        subjects.push(upsert_coded(&mut tx, Coded::Subject, code, name).await?);
    }
    let rooms = seed_rooms(&mut tx).await?;
    for weekday in 1..=5_i16 {
        for (p, (start, end)) in PERIODS.iter().enumerate() {
            for (i, division) in divisions.iter().enumerate() {
                // Rotations keep every room and teacher to one class a period.
                let k = i + p + usize::try_from(weekday).unwrap_or(0);
                sqlx::query!(
                    "INSERT INTO timetable_slots
                     (id, division_id, subject_id, teacher_id, room_id, weekday, starts_at, ends_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7::text::time, $8::text::time)
                     ON CONFLICT (division_id, weekday, starts_at) DO NOTHING",
                    Uuid::now_v7(),
                    division,
                    subjects[(2 * i + p + k) % subjects.len()],
                    teachers[k % teachers.len()],
                    rooms[k % rooms.len()],
                    weekday,
                    start,
                    end
                )
                .execute(&mut *tx)
                .await
                .context("Failed to add a demo timetable slot")?;
            }
        }
    }
    tx.commit()
        .await
        .context("Failed to commit the demo school")?;
    school_counts(pool).await
}

/// Counts what the school holds.
///
/// # Errors
/// When the database cannot be read.
pub async fn school_counts(pool: &PgPool) -> anyhow::Result<SchoolCounts> {
    let row = sqlx::query!(
        r#"SELECT
           (SELECT count(*) FROM users WHERE role = 'student') AS "students!",
           (SELECT count(*) FROM users WHERE role = 'teacher') AS "teachers!",
           (SELECT count(*) FROM users WHERE role = 'admin') AS "admins!",
           (SELECT count(*) FROM divisions) AS "divisions!",
           (SELECT count(*) FROM subjects) AS "subjects!",
           (SELECT count(*) FROM rooms) AS "rooms!",
           (SELECT count(*) FROM access_points) AS "access_points!",
           (SELECT count(*) FROM timetable_slots) AS "timetable_slots!""#
    )
    .fetch_one(pool)
    .await
    .context("Failed to count the school")?;
    Ok(SchoolCounts {
        students: row.students,
        teachers: row.teachers,
        admins: row.admins,
        divisions: row.divisions,
        subjects: row.subjects,
        rooms: row.rooms,
        access_points: row.access_points,
        timetable_slots: row.timetable_slots,
    })
}

async fn upsert_user(
    tx: &mut Transaction<'_, Postgres>,
    username: &str,
    display_name: &str,
    role: Role,
    password: &str,
    student_no: Option<&str>,
) -> anyhow::Result<Uuid> {
    if let Some(id) = sqlx::query_scalar!("SELECT id FROM users WHERE username = $1", username)
        .fetch_optional(&mut **tx)
        .await
        .context("Failed to look up a demo user")?
    {
        return Ok(id);
    }
    let owned = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || password::hash(&owned))
        .await
        .context("Failed to hash a demo password")?
        .map_err(|e| anyhow::anyhow!("Failed to hash a demo password: {e}"))?;
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO users (id, username, email, display_name, role, password_hash, student_no)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        id,
        username,
        format!("{username}@demo.rollcall.example"),
        display_name,
        role as Role,
        hash,
        student_no
    )
    .execute(&mut **tx)
    .await
    .with_context(|| format!("Failed to create demo user {username}"))?;
    Ok(id)
}

/// The demo's coded things: divisions and subjects.
#[derive(Debug, Clone, Copy)]
enum Coded {
    Division,
    Subject,
}

async fn upsert_coded(
    tx: &mut Transaction<'_, Postgres>,
    what: Coded,
    code: &str,
    name: &str,
) -> anyhow::Result<Uuid> {
    let id = Uuid::now_v7();
    match what {
        Coded::Division => {
            sqlx::query_scalar!(
                "INSERT INTO divisions (id, code, name) VALUES ($1, $2, $3)
             ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name RETURNING id",
                id,
                code,
                name
            )
            .fetch_one(&mut **tx)
            .await
        }
        Coded::Subject => {
            sqlx::query_scalar!(
                "INSERT INTO subjects (id, code, name) VALUES ($1, $2, $3)
             ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name RETURNING id",
                id,
                code,
                name
            )
            .fetch_one(&mut **tx)
            .await
        }
    }
    .with_context(|| format!("Failed to add {code} ({what:?})"))
}

/// A demo access point: kind (`wifi` or `ble`), identifier, minimum RSSI.
type DemoAccessPoint = (&'static str, String, i16);

/// A demo room: code, name, building, fence, policy and access points.
struct DemoRoom {
    code: &'static str,
    name: &'static str,
    building: &'static str,
    fence: Geofence,
    policy: &'static str,
    access_points: Vec<DemoAccessPoint>,
}

fn circle(lat: f64, lon: f64, radius_m: f64) -> anyhow::Result<Geofence> {
    Ok(Geofence::circle(
        GeoPoint::new(lat, lon)?,
        Metres::new(radius_m)?,
    )?)
}

fn polygon(corners: &[(f64, f64)]) -> anyhow::Result<Geofence> {
    let corners = corners
        .iter()
        .map(|&(lat, lon)| GeoPoint::new(lat, lon))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Geofence::polygon(corners)?)
}

fn wifi(bssid: &str, min_rssi: i16) -> DemoAccessPoint {
    ("wifi", bssid.to_owned(), min_rssi)
}

/// An iBeacon of the campus fleet (one UUID; major = room, minor = unit).
fn beacon(major: u16, minor: u16, min_rssi: i16) -> DemoAccessPoint {
    (
        "ble",
        format!("f7826da6-4fa2-4e98-8024-bc5b71e0893e/{major}/{minor}"),
        min_rssi,
    )
}

/// Four rooms around one quadrangle (WGS 84), built through `rollcall-core`'s
/// types so every fence and identifier is valid.
fn demo_rooms() -> anyhow::Result<Vec<DemoRoom>> {
    Ok(vec![
        DemoRoom {
            code: "A-101",
            name: "Lecture Hall A-101",
            building: "Block A",
            fence: circle(18.518_620, 73.815_380, 30.0)?,
            policy: "token & location & (radio | face)",
            access_points: vec![
                wifi("3c:84:6a:a1:01:10", -75),
                wifi("3c:84:6a:a1:01:20", -75),
                beacon(101, 1, -85),
            ],
        },
        DemoRoom {
            code: "B-204",
            name: "Room B-204",
            building: "Block B",
            fence: polygon(&[
                (18.518_980, 73.815_910),
                (18.519_050, 73.816_140),
                (18.518_870, 73.816_200),
                (18.518_800, 73.815_970),
            ])?,
            policy: "token & location & radio",
            access_points: vec![
                wifi("3c:84:6a:b2:04:10", -72),
                wifi("3c:84:6a:b2:04:20", -72),
                beacon(204, 1, -85),
            ],
        },
        DemoRoom {
            code: "L-3",
            name: "Computing Lab 3",
            building: "Block C",
            fence: polygon(&[
                (18.518_210, 73.815_720),
                (18.518_300, 73.816_010),
                (18.518_090, 73.816_080),
                (18.518_000, 73.815_790),
            ])?,
            policy: "token & location & (radio | face)",
            access_points: vec![
                wifi("3c:84:6a:c3:00:10", -70),
                beacon(300, 1, -80),
                beacon(300, 2, -80),
            ],
        },
        DemoRoom {
            code: "S-1",
            name: "Seminar Hall S-1",
            building: "Main Building",
            fence: circle(18.519_310, 73.815_450, 22.0)?,
            policy: "token & location",
            access_points: vec![
                wifi("3c:84:6a:d1:00:10", -78),
                wifi("3c:84:6a:d1:00:20", -78),
                beacon(1, 1, -85),
            ],
        },
    ])
}

async fn seed_rooms(tx: &mut Transaction<'_, Postgres>) -> anyhow::Result<Vec<Uuid>> {
    let mut ids = Vec::new();
    for room in demo_rooms()? {
        let DemoRoom {
            code,
            name,
            building,
            fence,
            policy,
            access_points,
        } = room;
        let policy = Policy::parse(policy)?.to_string();
        let id = sqlx::query_scalar!(
            "INSERT INTO rooms (id, code, name, building, geofence, policy)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name RETURNING id",
            Uuid::now_v7(),
            code,
            name,
            building,
            sqlx::types::Json(&fence) as _,
            policy
        )
        .fetch_one(&mut **tx)
        .await
        .with_context(|| format!("Failed to add room {code}"))?;
        for (kind, identifier, min_rssi) in access_points {
            let identifier = if kind == "wifi" {
                identifier.parse::<Bssid>()?.to_string()
            } else {
                identifier.parse::<BeaconId>()?.to_string()
            };
            sqlx::query!(
                "INSERT INTO access_points (id, room_id, kind, identifier, label, min_rssi)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                Uuid::now_v7(),
                id,
                kind,
                identifier,
                format!("{code} {kind}"),
                min_rssi
            )
            .execute(&mut **tx)
            .await
            .with_context(|| format!("Failed to add an access point to {code}"))?;
        }
        ids.push(id);
    }
    Ok(ids)
}
