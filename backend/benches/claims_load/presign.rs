//! The claims the simulated phones send, signed before the clock starts.
//!
//! A phone signs its claim on its own processor; here the "phones" share the
//! server's two cores, so signing during the run would take CPU from the
//! server that a real school never asks of it. Each worker gets one queue of
//! ready request bodies per second of the run, scanned at that second with
//! that second's QR code, so a claim is as fresh when it arrives as a live
//! one. A worker whose queue for the current second runs dry signs more on
//! the spot (counted, and reported).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rand::rngs::StdRng;
use rand::SeedableRng as _;
use rollcall_core::api::ClaimBatch;
use rollcall_core::claim::{Claim, Evidence, Token};
use rollcall_core::geofence::{GeoPoint, LocationFix, Metres};
use rollcall_core::ids::{ClaimId, DeviceId, SessionId, StudentId};
use rollcall_core::qr::RotatingQr;
use rollcall_core::radio::{RadioScan, Rssi, WifiSighting};
use rollcall_core::signing::SignedClaim;
use rollcall_core::timestamp::Timestamp;
use uuid::Uuid;

use crate::setup::Student;

/// Students a worker moves on by after each claim (so the 64 workers do not
/// all send for the same few students).
const STRIDE: usize = 7;

/// Makes the signed request bodies: a student standing in Lecture Hall A-101,
/// hearing its access point, scanning the class's QR.
pub struct Claimer {
    students: Vec<Student>,
    classes: HashMap<Uuid, RotatingQr>,
    spot: LocationFix,
    radio: RadioScan,
}

/// One ready request: whose it is and its JSON body.
pub struct Prepared {
    pub student: usize,
    pub body: Bytes,
}

impl Claimer {
    pub fn new(students: Vec<Student>, classes: HashMap<Uuid, RotatingQr>) -> anyhow::Result<Self> {
        Ok(Self {
            students,
            classes,
            spot: LocationFix {
                point: GeoPoint::new(18.518_62, 73.815_38)?,
                accuracy: Metres::new(8.0)?,
                mocked: false,
                fixed_at: Timestamp::from_unix(0),
            },
            radio: RadioScan {
                wifi: vec![WifiSighting {
                    bssid: "3c:84:6a:a1:01:10".parse()?,
                    rssi: Rssi::new(-60)?,
                }],
                beacons: Vec::new(),
            },
        })
    }

    pub fn students(&self) -> &[Student] {
        &self.students
    }

    /// The n-th claim of worker `worker`: its student.
    pub fn student_of(&self, worker: usize, n: usize) -> usize {
        (worker + n * STRIDE) % self.students.len()
    }

    /// Student `student`'s claim scanned `at`, signed, as a request body.
    pub fn body(&self, student: usize, at: Timestamp, rng: &mut StdRng) -> Option<Prepared> {
        let s = &self.students[student];
        let (payload, _) = self.classes.get(&s.session)?.payload_at(at)?;
        let millis = u64::try_from(at.unix()).unwrap_or(0) * 1000;
        let claim = Claim {
            id: ClaimId::generate(millis, rng),
            student: StudentId::from(s.id),
            session: SessionId::from(s.session),
            device: DeviceId::from(s.device),
            scanned_at: at,
            evidence: Evidence {
                token: Some(Token::Qr(payload)),
                location: Some(LocationFix {
                    fixed_at: at,
                    ..self.spot
                }),
                radio: Some(self.radio.clone()),
                face: None,
            },
        };
        let batch = ClaimBatch {
            claims: vec![SignedClaim::sign(claim, &s.key)],
        };
        let body = serde_json::to_vec(&batch).ok()?;
        Some(Prepared {
            student,
            body: Bytes::from(body),
        })
    }
}

/// One worker's ready claims, a queue per second of the run.
pub struct Queue {
    seconds: Vec<std::vec::IntoIter<Prepared>>,
}

impl Queue {
    /// The next claim ready for `second` of the run, if any is left.
    pub fn next(&mut self, second: usize) -> Option<Prepared> {
        self.seconds.get_mut(second)?.next()
    }

    fn empty() -> Self {
        Self {
            seconds: Vec::new(),
        }
    }
}

/// Signs `per_second` claims for each worker and second of a run that starts
/// at `start` (unix seconds) and lasts `seconds`, on every core.
pub fn presign(
    claimer: &Claimer,
    workers: usize,
    seconds: u64,
    per_second: usize,
    start: i64,
) -> Vec<Queue> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut queues: Vec<Queue> = (0..workers).map(|_| Queue::empty()).collect();
    std::thread::scope(|scope| {
        for (t, chunk) in queues.chunks_mut(workers.div_ceil(threads)).enumerate() {
            let first_worker = t * workers.div_ceil(threads);
            scope.spawn(move || {
                let mut rng = StdRng::from_entropy();
                for (offset, queue) in chunk.iter_mut().enumerate() {
                    let worker = first_worker + offset;
                    let mut n = 0;
                    // One more second than the run, for the last requests' tail.
                    for second in 0..=seconds {
                        let at = Timestamp::from_unix(start + i64::try_from(second).unwrap_or(0));
                        let bodies: Vec<Prepared> = (0..per_second)
                            .filter_map(|_| {
                                n += 1;
                                claimer.body(claimer.student_of(worker, n), at, &mut rng)
                            })
                            .collect();
                        queue.seconds.push(bodies.into_iter());
                    }
                }
            });
        }
    });
    queues
}

/// How long signing `count` claims takes here, from a sample.
pub fn signing_time(claimer: &Claimer, count: usize) -> Duration {
    let sample = 200;
    let mut rng = StdRng::from_entropy();
    let at = Timestamp::from_unix(
        i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        )
        .unwrap_or(0),
    );
    let started = Instant::now();
    for n in 0..sample {
        let _ = claimer.body(n % claimer.students().len(), at, &mut rng);
    }
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    #[allow(
        clippy::cast_possible_truncation,
        reason = "the value is known to fit the smaller type"
    )]
    let scale = (count / threads / sample + 1) as u32;
    started.elapsed() * scale
}
