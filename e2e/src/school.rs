//! What the journeys set up through the server's API before they drive the app:
//! as the admin, a room with a geofence and an access point and a class today for
//! `teacher1`; the division's students; and a student's phone that claims.
//! (The admin's screens for rooms and the timetable come later; until then this is
//! the admin's part of the journeys.)

use std::time::{SystemTime, UNIX_EPOCH};

use rollcall_client::Client;
use rollcall_core::api::{
    ClaimBatch, ClaimResult, DeviceFilter, DeviceRegistration, DivisionStudent, ListParams,
    NewRoom, NewSlot, Platform, StartSession, TimetableFilter,
};
use rollcall_core::claim::{Claim, Evidence, Token};
use rollcall_core::geofence::{GeoPoint, LocationFix, Metres};
use rollcall_core::ids::{ClaimId, DeviceId, SessionId, StudentId};
use rollcall_core::qr::QrPayload;
use rollcall_core::signing::{DeviceKey, SignedClaim};
use rollcall_core::timestamp::Timestamp;
use serde_json::json;
use uuid::Uuid;

/// The demo teacher who runs the journeys' classes.
pub const TEACHER: &str = "teacher1";
/// Their password.
pub const TEACHER_PASSWORD: &str = "rollcall-teacher";
/// The demo admin.
pub const ADMIN: &str = "admin";
/// Their password.
pub const ADMIN_PASSWORD: &str = "rollcall-admin";
/// Every demo student's password.
pub const STUDENT_PASSWORD: &str = "rollcall-student";
/// The centre of the journeys' rooms: a student standing here is inside.
pub const CENTRE: (f64, f64) = (18.530_0, 73.830_0);

/// A class today in a new room, and the students of its division.
#[derive(Debug)]
pub struct School {
    /// The server's base URL, without a trailing `/`.
    pub server: String,
    /// The admin, signed in.
    pub admin: Client,
    /// The teacher, signed in.
    pub teacher: Client,
    /// The new room's name.
    pub room_name: String,
    /// The new room.
    pub room_id: Uuid,
    /// The new slot today.
    pub slot: Uuid,
    /// The division's students, by name.
    pub students: Vec<DivisionStudent>,
}

impl School {
    /// As the admin: a room (circle geofence, a Wi-Fi access point, policy
    /// `token & location`) and a slot today for teacher1 in it, at the first free
    /// evening or early hour.
    ///
    /// # Panics
    /// When the server refuses any of it: the journey cannot run then.
    pub async fn prepare(server: &str) -> Self {
        Self::prepare_with(server, "token & location").await
    }

    /// [`School::prepare`] with the room's check-in rule given.
    ///
    /// # Panics
    /// When the server refuses any of it.
    pub async fn prepare_with(server: &str, policy: &str) -> Self {
        let server = server.trim_end_matches('/').to_owned();
        let admin = signed_in(&server, ADMIN, ADMIN_PASSWORD).await;
        let teacher = signed_in(&server, TEACHER, TEACHER_PASSWORD).await;
        let teacher_id = teacher
            .with_session(|s| s.user.id)
            .expect("the teacher is signed in");
        let theirs = admin
            .timetable(
                &ListParams::default(),
                &TimetableFilter {
                    teacher_id: Some(teacher_id),
                    ..TimetableFilter::default()
                },
            )
            .await
            .expect("teacher1's timetable");
        let taught = theirs.items.first().expect("teacher1 has demo classes");
        let stamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() % 1_000_000);
        let room_name = format!("Studio {stamp}");
        let room: NewRoom = serde_json::from_value(json!({
            "code": format!("E2E-{stamp}"),
            "name": room_name,
            "building": "Test wing",
            "geofence": {"kind": "circle",
                "centre": {"latitude": CENTRE.0, "longitude": CENTRE.1}, "radius_m": 30},
            "policy": policy,
            "access_points": [{"kind": "wifi", "bssid": "3C-84-6A-E2-E0-01", "label": "ceiling"}]
        }))
        .expect("a new room");
        let room = admin.create_room(&room).await.expect("the room is added");
        let weekday = weekday_of(now().unix());
        let mut slot = None;
        for (from, to) in [
            ("20:00", "20:50"),
            ("21:00", "21:50"),
            ("06:00", "06:50"),
            ("07:00", "07:50"),
            ("22:00", "22:50"),
            ("05:00", "05:50"),
        ] {
            let new: NewSlot = serde_json::from_value(json!({
                "division_id": taught.division_id, "subject_id": taught.subject_id,
                "teacher_id": teacher_id, "room_id": room.id,
                "weekday": weekday, "starts_at": from, "ends_at": to,
            }))
            .expect("a new slot");
            match admin.create_slot(&new).await {
                Ok(made) => {
                    slot = Some(made.id);
                    break;
                }
                // That hour clashes with another class: try the next.
                Err(error) if error.status() == Some(409) => {}
                Err(error) => panic!("the slot: {error}"),
            }
        }
        let slot = slot.expect("a free hour for the new slot today");
        let students = admin
            .division_students(taught.division_id, &ListParams::per_page(100))
            .await
            .expect("the division's students");
        assert!(students.items.len() >= 4, "the division has students");
        Self {
            server,
            admin,
            teacher,
            room_name,
            room_id: room.id,
            slot,
            students: students.items,
        }
    }

    /// The first of the division's students from `from` on who has no phone
    /// registered yet (another journey may have bound one).
    ///
    /// # Panics
    /// When every one has a phone.
    pub async fn student_without_phone(&self, from: usize) -> DivisionStudent {
        for student in self.students.iter().skip(from) {
            let phones = self
                .admin
                .devices(
                    &ListParams::default(),
                    &DeviceFilter {
                        user_id: Some(student.id),
                        ..DeviceFilter::default()
                    },
                )
                .await
                .expect("the student's devices");
            if phones.total == 0 {
                return student.clone();
            }
        }
        panic!("every student of the division already has a phone");
    }

    /// The session of the new slot (planned once the teacher's day is listed).
    ///
    /// # Panics
    /// When the server does not list it.
    pub async fn session_id(&self) -> Uuid {
        self.teacher
            .todays_sessions()
            .await
            .expect("the teacher's day")
            .iter()
            .find(|s| s.session.slot_id == Some(self.slot))
            .map(|s| s.session.id)
            .expect("the new slot is among today's sessions")
    }

    /// Holds today's class of the slot: its teacher starts it, `self.students[student]`
    /// checks in from the room's centre with a fix of `accuracy_m`, and the teacher
    /// ends it. The session and the check-in's result.
    ///
    /// # Panics
    /// When the server refuses a step.
    pub async fn hold_class(&self, student: usize, accuracy_m: f64) -> (Uuid, ClaimResult) {
        use rollcall_core::evaluate::SessionKeys;
        let id = self.session_id().await;
        let started = self
            .teacher
            .start_session(&StartSession::Slot { slot_id: self.slot })
            .await
            .expect("the class starts");
        assert_eq!(started.session.id, id);
        let keys = SessionKeys::from_text(
            SessionId::from(id),
            &started.secret.expect("the teacher gets the secret"),
            started.session.qr_period_s,
        )
        .expect("usable keys");
        let (payload, _) = keys.qr().payload_at(now()).expect("after 1970");
        let result = self
            .claim(&self.students[student], &payload, accuracy_m)
            .await;
        self.teacher.end_session(id).await.expect("the class ends");
        (id, result)
    }

    /// `student` signs in, registers their phone (the same key on every run, so it
    /// stays the approved one) and claims with `scanned` while standing at the
    /// room's centre with a fix of `accuracy_m`.
    ///
    /// # Panics
    /// When the server refuses the sign-in, the phone or the batch.
    pub async fn claim(
        &self,
        student: &DivisionStudent,
        scanned: &QrPayload,
        accuracy_m: f64,
    ) -> ClaimResult {
        let phone = signed_in(&self.server, &student.username, STUDENT_PASSWORD).await;
        let mut seed = [0; 32];
        seed[..16].copy_from_slice(student.id.as_bytes());
        seed[16..].copy_from_slice(student.id.as_bytes());
        let key = DeviceKey::from_seed(&seed);
        let device = phone
            .register_device(&DeviceRegistration {
                public_key: key.public(),
                label: "Pixel".to_owned(),
                platform: Platform::Android,
            })
            .await
            .expect("the phone is registered");
        let now = now();
        let claim = Claim {
            id: ClaimId::generate(
                u64::try_from(now.unix()).unwrap_or_default() * 1000,
                &mut rand_core::OsRng,
            ),
            student: StudentId::from(student.id),
            session: SessionId::from(*scanned.session().as_uuid()),
            device: DeviceId::from(device.id),
            scanned_at: now,
            evidence: Evidence {
                token: Some(Token::Qr(*scanned)),
                location: Some(LocationFix {
                    point: GeoPoint::new(CENTRE.0, CENTRE.1).expect("a valid point"),
                    accuracy: Metres::new(accuracy_m).expect("a valid accuracy"),
                    mocked: false,
                    fixed_at: now,
                }),
                radio: None,
                face: None,
            },
        };
        let answer = phone
            .submit_claims(&ClaimBatch {
                claims: vec![SignedClaim::sign(claim, &key)],
            })
            .await
            .expect("the claim is answered");
        answer.results.into_iter().next().expect("one result")
    }
}

/// Now, to the second.
#[must_use]
pub fn now() -> Timestamp {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Timestamp::from_unix(i64::try_from(secs).unwrap_or_default())
}

/// The UTC weekday of a unix time (the e2e server's school time zone), as the API
/// names it.
#[must_use]
pub fn weekday_of(unix: i64) -> &'static str {
    let days = unix.div_euclid(86_400);
    // 1970-01-01 was a Thursday.
    [
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "monday",
        "tuesday",
        "wednesday",
    ][usize::try_from(days.rem_euclid(7)).unwrap_or_default()]
}

/// A client signed in to `server` as `login`.
///
/// # Panics
/// When the server refuses.
pub async fn signed_in(server: &str, login: &str, password: &str) -> Client {
    let client = Client::new();
    client
        .login(server, login, password)
        .await
        .unwrap_or_else(|e| panic!("{login} signs in: {e}"));
    client
}

#[cfg(test)]
mod tests {
    use super::weekday_of;

    #[test]
    fn the_weekday_of_a_known_date_is_right() {
        // 2026-11-21 is a Saturday; 1969-12-31 a Wednesday.
        assert_eq!(weekday_of(1_795_219_200), "saturday");
        assert_eq!(weekday_of(1_795_219_200 + 86_399), "saturday");
        assert_eq!(weekday_of(-1), "wednesday");
    }
}
