//! Patterns that no single piece of evidence shows but a history does:
//! a session that is not running, a student who would have to travel
//! impossibly fast, one device checking in several students.
//!
//! Each rule is a pure function over what the caller already holds (the
//! server: the database; the phone: its outbox), so both flag the same things.

use crate::geofence::{GeoPoint, Metres};
use crate::ids::{DeviceId, StudentId};
use crate::timestamp::Timestamp;
use serde::{Deserialize, Serialize};

/// When a session runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionWindow {
    /// When the teacher started it (or its timetabled start).
    pub starts_at: Timestamp,
    /// When it ended; `None` while it is still running.
    pub ends_at: Option<Timestamp>,
}

/// A claim judged at an instant outside its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotRunning {
    /// The session starts `starts_in_s` seconds after the instant judged.
    NotStarted {
        /// Seconds until the start.
        starts_in_s: i64,
    },
    /// The session ended `ended_ago_s` seconds before the instant judged
    /// (beyond the grace period).
    Ended {
        /// Seconds since the end.
        ended_ago_s: i64,
    },
}

impl SessionWindow {
    /// Whether the session runs at `at`, allowing `early_s` seconds before
    /// the start and `grace_s` seconds after the end.
    ///
    /// # Errors
    /// [`NotRunning`] saying on which side of the window `at` lies.
    pub fn check(&self, at: Timestamp, early_s: i64, grace_s: i64) -> Result<(), NotRunning> {
        if at < self.starts_at.plus(-early_s) {
            return Err(NotRunning::NotStarted {
                starts_in_s: self.starts_at.seconds_since(at),
            });
        }
        if let Some(end) = self.ends_at {
            if at > end.plus(grace_s) {
                return Err(NotRunning::Ended {
                    ended_ago_s: at.seconds_since(end),
                });
            }
        }
        Ok(())
    }
}

/// Where a student's device was at some instant, from a located claim.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sighting {
    /// When.
    pub at: Timestamp,
    /// Where.
    pub point: GeoPoint,
    /// The fix's accuracy.
    pub accuracy: Metres,
}

/// Two sightings of one student further apart than anyone can travel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImpossibleTravel {
    /// Distance between the fixes, less both accuracies, metres.
    pub distance_m: f64,
    /// Time between them, seconds (at least 1).
    pub seconds: i64,
    /// The implied speed, metres per second.
    pub speed_mps: f64,
}

/// Default speed above which travel is impossible: 250 km/h, faster than any
/// commute between campuses yet well below a flight.
pub const DEFAULT_MAX_SPEED_MPS: f64 = 250.0 / 3.6;

/// Flags two sightings of one student that imply a speed above
/// `max_speed_mps`. Distances are shrunk by both fixes' accuracies so that
/// GPS noise alone never flags anyone.
#[must_use]
pub fn impossible_travel(
    a: &Sighting,
    b: &Sighting,
    max_speed_mps: f64,
) -> Option<ImpossibleTravel> {
    let distance_m = (a.point.distance_m(b.point) - a.accuracy.get() - b.accuracy.get()).max(0.0);
    let seconds = b.at.seconds_since(a.at).saturating_abs().max(1);
    #[allow(
        clippy::cast_precision_loss,
        reason = "seconds between two claims fit f64 exactly"
    )]
    let speed_mps = distance_m / seconds as f64;
    (speed_mps > max_speed_mps).then_some(ImpossibleTravel {
        distance_m,
        seconds,
        speed_mps,
    })
}

/// One use of a device: a claim it submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceUse {
    /// The device.
    pub device: DeviceId,
    /// The student the claim was for.
    pub student: StudentId,
    /// When.
    pub at: Timestamp,
}

/// A device that checked in more than one student within the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedDevice {
    /// The device.
    pub device: DeviceId,
    /// The students it checked in, sorted, each once.
    pub students: Vec<StudentId>,
}

/// Finds devices used by several students within `window_s` seconds of each
/// other (a kiosk is exempt: leave its uses out).
#[must_use]
pub fn shared_devices(uses: &[DeviceUse], window_s: i64) -> Vec<SharedDevice> {
    let mut sorted = uses.to_vec();
    sorted.sort_by_key(|u| (u.device, u.at));
    let mut found: Vec<SharedDevice> = Vec::new();
    for group in sorted.chunk_by(|x, y| x.device == y.device) {
        let mut students = Vec::new();
        for (i, u) in group.iter().enumerate() {
            // Any other student within the window after this use.
            for v in group[i + 1..]
                .iter()
                .take_while(|v| v.at.seconds_since(u.at) <= window_s)
            {
                if v.student != u.student {
                    students.push(u.student);
                    students.push(v.student);
                }
            }
        }
        if !students.is_empty() {
            students.sort();
            students.dedup();
            found.push(SharedDevice {
                device: group[0].device,
                students,
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn t(s: i64) -> Timestamp {
        Timestamp::from_unix(s)
    }

    #[test]
    fn session_window_rejects_future_and_ended_sessions() {
        let w = SessionWindow {
            starts_at: t(1_000),
            ends_at: Some(t(4_000)),
        };
        assert_eq!(w.check(t(2_000), 0, 60), Ok(()));
        assert_eq!(
            w.check(t(900), 0, 60),
            Err(NotRunning::NotStarted { starts_in_s: 100 })
        );
        assert_eq!(w.check(t(900), 120, 60), Ok(()));
        assert_eq!(w.check(t(4_060), 0, 60), Ok(()));
        assert_eq!(
            w.check(t(4_061), 0, 60),
            Err(NotRunning::Ended { ended_ago_s: 61 })
        );
        let running = SessionWindow {
            starts_at: t(1_000),
            ends_at: None,
        };
        assert_eq!(running.check(t(1_000_000), 0, 0), Ok(()));
    }

    fn seen(at: i64, lat: f64, lon: f64, acc: f64) -> Sighting {
        Sighting {
            at: t(at),
            point: GeoPoint::new(lat, lon).unwrap(),
            accuracy: Metres::new(acc).unwrap(),
        }
    }

    #[test]
    fn impossible_travel_between_campuses() {
        // Pune to Mumbai (~120 km) in 10 minutes.
        let pune = seen(0, 18.5204, 73.8567, 20.0);
        let mumbai = seen(600, 19.0760, 72.8777, 20.0);
        let hit = impossible_travel(&pune, &mumbai, DEFAULT_MAX_SPEED_MPS).unwrap();
        assert!(hit.distance_m > 110_000.0 && hit.speed_mps > 150.0);
        // The same trip in three hours is fine; argument order does not matter.
        let later = seen(3 * 3600, 19.0760, 72.8777, 20.0);
        assert_eq!(
            impossible_travel(&later, &pune, DEFAULT_MAX_SPEED_MPS),
            None
        );
        // GPS noise within accuracy is never travel, even at the same instant.
        let jitter = seen(0, 18.5206, 73.8567, 20.0);
        assert_eq!(
            impossible_travel(&pune, &jitter, DEFAULT_MAX_SPEED_MPS),
            None
        );
    }

    #[test]
    fn one_device_for_several_students_is_flagged() {
        let dev = |n: u128| DeviceId::from_uuid(Uuid::from_u128(n));
        let stu = |n: u128| StudentId::from_uuid(Uuid::from_u128(100 + n));
        let uses = [
            DeviceUse {
                device: dev(1),
                student: stu(1),
                at: t(0),
            },
            DeviceUse {
                device: dev(1),
                student: stu(1),
                at: t(30),
            },
            DeviceUse {
                device: dev(1),
                student: stu(2),
                at: t(90),
            },
            DeviceUse {
                device: dev(2),
                student: stu(3),
                at: t(0),
            },
            DeviceUse {
                device: dev(3),
                student: stu(4),
                at: t(0),
            },
            DeviceUse {
                device: dev(3),
                student: stu(5),
                at: t(10_000),
            },
        ];
        let found = shared_devices(&uses, 3_600);
        assert_eq!(
            found,
            vec![SharedDevice {
                device: dev(1),
                students: vec![stu(1), stu(2)]
            }]
        );
        assert!(shared_devices(&uses, 30).is_empty());
    }
}
