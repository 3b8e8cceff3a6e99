//! A class session as stored, and the room rules a claim is judged by.

use rollcall_core::api::{ClassSession, SessionStatus};
use rollcall_core::evaluate::SessionKeys;
use rollcall_core::geofence::{Geofence, GeofenceRule, RoomFence};
use rollcall_core::ids::SessionId;
use rollcall_core::policy::Policy;
use rollcall_core::qr::{QrPeriod, SessionSecret};
use rollcall_core::radio::{BeaconId, Bssid, ExpectedBeacon, ExpectedWifi, RadioExpectation, Rssi};
use rollcall_core::record::LateLine;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::unix;

/// The columns [`SessionRow`] reads, for the filters built at run time (the
/// static statements below spell them out, so that they are checked).
pub const SESSION_SELECT: &str = "SELECT s.id, s.slot_id, s.teacher_id, s.room_id, r.name AS room_name, \
    s.division_id, d.code AS division_code, s.subject_id, sub.name AS subject_name, s.secret, \
    s.qr_period_s, s.policy, s.late_after_min, s.scheduled_start, s.scheduled_end, \
    s.started_at, s.ended_at \
    FROM class_sessions s JOIN rooms r ON r.id = s.room_id JOIN divisions d ON d.id = s.division_id \
    LEFT JOIN subjects sub ON sub.id = s.subject_id";

/// A session row with the names the API shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    /// Session id.
    pub id: Uuid,
    /// Timetable slot.
    pub slot_id: Option<Uuid>,
    /// Teacher.
    pub teacher_id: Uuid,
    /// Room.
    pub room_id: Uuid,
    /// Room name.
    pub room_name: String,
    /// Division.
    pub division_id: Uuid,
    /// Division code.
    pub division_code: String,
    /// Subject.
    pub subject_id: Option<Uuid>,
    /// Subject name.
    pub subject_name: Option<String>,
    /// The QR/OTP secret.
    pub secret: Vec<u8>,
    /// QR period, seconds.
    pub qr_period_s: i16,
    /// Policy text.
    pub policy: String,
    /// Late threshold, minutes.
    pub late_after_min: i16,
    /// Timetabled start.
    pub scheduled_start: OffsetDateTime,
    /// Timetabled end.
    pub scheduled_end: OffsetDateTime,
    /// Started.
    pub started_at: Option<OffsetDateTime>,
    /// Ended.
    pub ended_at: Option<OffsetDateTime>,
}

impl SessionRow {
    /// Where the session is in its life.
    #[must_use]
    pub const fn status(&self) -> SessionStatus {
        match (self.started_at, self.ended_at) {
            (_, Some(_)) => SessionStatus::Ended,
            (Some(_), None) => SessionStatus::Running,
            (None, None) => SessionStatus::Planned,
        }
    }

    /// The API view (without the secret).
    ///
    /// # Errors
    /// When stored values no longer parse (a broken row).
    pub fn to_api(&self) -> anyhow::Result<ClassSession> {
        Ok(ClassSession {
            id: self.id,
            slot_id: self.slot_id,
            teacher_id: self.teacher_id,
            room_id: self.room_id,
            room_name: self.room_name.clone(),
            division_id: self.division_id,
            division_code: self.division_code.clone(),
            subject_id: self.subject_id,
            subject_name: self.subject_name.clone(),
            status: self.status(),
            scheduled_start: unix(self.scheduled_start),
            scheduled_end: unix(self.scheduled_end),
            started_at: self.started_at.map(unix),
            ended_at: self.ended_at.map(unix),
            qr_period_s: u16::try_from(self.qr_period_s)?,
            policy: Policy::parse(&self.policy)?,
            late_after_min: u16::try_from(self.late_after_min)?,
        })
    }

    /// The secret as the teacher's app receives it.
    ///
    /// # Errors
    /// When the stored secret is too short (a broken row).
    pub fn secret_text(&self) -> anyhow::Result<String> {
        Ok(SessionSecret::from_bytes(&self.secret)?.to_text())
    }

    /// Where "late" begins: `late_after_min` after the start (the
    /// timetabled start before the teacher starts the class).
    #[must_use]
    pub fn late_line(&self) -> LateLine {
        LateLine {
            starts_at: unix(self.started_at.unwrap_or(self.scheduled_start)),
            late_after_min: u16::try_from(self.late_after_min).unwrap_or(0),
        }
    }

    /// The session's QR and OTP rules, from its stored secret and period.
    ///
    /// # Errors
    /// When the stored secret or period is out of range.
    pub fn keys(&self) -> anyhow::Result<SessionKeys> {
        let secret = SessionSecret::from_bytes(&self.secret)?;
        let period = QrPeriod::new(u16::try_from(self.qr_period_s)?)?;
        Ok(SessionKeys::new(SessionId::from(self.id), &secret, period))
    }
}

/// A checked `SELECT` of [`SessionRow`]s: the columns and joins, then `$tail`
/// (the `WHERE` and `ORDER BY`) and its arguments.
macro_rules! session_rows {
    ($tail:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            SessionRow,
            r#"SELECT s.id, s.slot_id, s.teacher_id, s.room_id, r.name AS room_name,
               s.division_id, d.code AS division_code, s.subject_id,
               sub.name AS "subject_name?", s.secret, s.qr_period_s, s.policy,
               s.late_after_min, s.scheduled_start, s.scheduled_end, s.started_at, s.ended_at
             FROM class_sessions s JOIN rooms r ON r.id = s.room_id
               JOIN divisions d ON d.id = s.division_id
               LEFT JOIN subjects sub ON sub.id = s.subject_id "#
                + $tail
            $(, $arg)*
        )
    };
}

/// Loads a session by id.
///
/// # Errors
/// When the database fails.
pub async fn load(conn: &mut PgConnection, id: Uuid) -> Result<Option<SessionRow>, sqlx::Error> {
    session_rows!("WHERE s.id = $1", id)
        .fetch_optional(conn)
        .await
}

/// The sessions of one day, by start: a teacher's own, or those of the divisions
/// a student is in.
///
/// # Errors
/// When the database fails.
pub async fn of_day(
    conn: &mut PgConnection,
    date: time::Date,
    whose: DayOf,
) -> Result<Vec<SessionRow>, sqlx::Error> {
    let (teacher, student) = match whose {
        DayOf::Teacher(id) => (Some(id), None),
        DayOf::Student(id) => (None, Some(id)),
    };
    session_rows!(
        "WHERE s.session_date = $1
           AND (s.teacher_id = $2 OR s.division_id IN
             (SELECT division_id FROM division_students WHERE student_id = $3))
         ORDER BY s.scheduled_start",
        date,
        teacher,
        student
    )
    .fetch_all(conn)
    .await
}

/// Whose day [`of_day`] reads.
#[derive(Debug, Clone, Copy)]
pub enum DayOf {
    /// The teacher's own classes.
    Teacher(Uuid),
    /// The classes of the student's divisions.
    Student(Uuid),
}

/// A room's fence and radio fingerprint, as core judges them.
#[derive(Debug, Clone)]
pub struct RoomRules {
    /// The fence, if the room has a valid one.
    pub fence: Option<RoomFence>,
    /// The access points, if the room lists any.
    pub radio: Option<RadioExpectation>,
}

/// Loads the rules of `room`.
///
/// # Errors
/// When the database fails.
pub async fn room_rules(conn: &mut PgConnection, room: Uuid) -> Result<RoomRules, sqlx::Error> {
    let found = sqlx::query!(
        "SELECT name, geofence, location_tolerance_m FROM rooms WHERE id = $1",
        room
    )
    .fetch_one(&mut *conn)
    .await?;
    let (name, tolerance) = (found.name, found.location_tolerance_m);
    let fence = serde_json::from_value::<Geofence>(found.geofence)
        .ok()
        .map(|fence| RoomFence {
            name,
            fence,
            rule: GeofenceRule {
                tolerance_m: f64::from(tolerance),
                ..GeofenceRule::default()
            },
        });
    let points = sqlx::query!(
        "SELECT kind, identifier, min_rssi FROM access_points WHERE room_id = $1",
        room
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut wifi = Vec::new();
    let mut beacons = Vec::new();
    for point in points {
        let (kind, identifier, min_rssi) = (point.kind, point.identifier, point.min_rssi);
        let Ok(min_rssi) = Rssi::new(min_rssi) else {
            continue;
        };
        if kind == "wifi" {
            if let Ok(bssid) = identifier.parse::<Bssid>() {
                wifi.push(ExpectedWifi { bssid, min_rssi });
            }
        } else if let Ok(beacon) = identifier.parse::<BeaconId>() {
            beacons.push(ExpectedBeacon { beacon, min_rssi });
        }
    }
    let radio = (!wifi.is_empty() || !beacons.is_empty()).then_some(RadioExpectation {
        wifi,
        beacons,
        required: 1,
    });
    Ok(RoomRules { fence, radio })
}
