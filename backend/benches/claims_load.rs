//! Load bench (a binary, not a test): many simulated students check in to a
//! running server at once. Prints verified claims per second, p50/p99
//! latency, the claim-accepted → live-socket delay, and — for comparison on
//! the same machine — pgbench's single-row insert rate.
//!
//! ```sh
//! rollcall-server seed-demo && rollcall-server serve &   # with ROLLCALL_LOGIN_LIMIT_PER_MINUTE=1000
//! cargo bench -p rollcall-server --bench claims_load -- \
//!     --server http://127.0.0.1:8080 [--seconds 15] [--concurrency 32] [--rate 1100] [--pg postgres://…]
//! ```
//! It signs in as the demo teacher1 and the demo students (so the server must
//! allow that many logins per minute), starts one ad-hoc class per division
//! teacher1 teaches in Lecture Hall A-101, binds a device key per student,
//! then sends claims as fast as the workers can for the given time, or, with
//! `--rate`, at that many claims per second in all; paced latencies are
//! timed from each request's scheduled start, so queueing counts.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use rollcall_core::api::{
    ClaimBatch, ClaimBatchResult, LiveMessage, LoginResponse, Page, RoomRecord, RosterEntry,
    SlotRecord, TeacherSession,
};
use rollcall_core::claim::{Claim, Evidence, Token};
use rollcall_core::geofence::{GeoPoint, LocationFix, Metres};
use rollcall_core::ids::{ClaimId, DeviceId, SessionId, StudentId};
use rollcall_core::qr::{QrPeriod, RotatingQr, SessionSecret};
use rollcall_core::radio::{RadioScan, Rssi, WifiSighting};
use rollcall_core::signing::{DeviceKey, SignedClaim};
use rollcall_core::timestamp::Timestamp;
use rollcall_core::verdict::Outcome;
use serde_json::json;
use uuid::Uuid;

struct Args {
    server: String,
    seconds: u64,
    concurrency: usize,
    pg: Option<String>,
    /// Claims per second in all, paced; `None` sends as fast as it can.
    rate: Option<f64>,
}

fn args() -> Args {
    let mut a = Args {
        server: String::new(),
        seconds: 15,
        concurrency: 32,
        pg: None,
        rate: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_default();
        match flag.as_str() {
            "--server" => a.server = value(),
            "--seconds" => a.seconds = value().parse().unwrap_or(15),
            "--concurrency" => a.concurrency = value().parse().unwrap_or(32),
            "--pg" => a.pg = Some(value()),
            "--rate" => a.rate = value().parse().ok().filter(|r: &f64| *r > 0.0),
            _ => {} // cargo bench passes --bench
        }
    }
    a
}

struct Student {
    id: Uuid,
    token: String,
    key: DeviceKey,
    device: Uuid,
    session: Uuid,
}

struct Class {
    id: Uuid,
    qr: RotatingQr,
}

fn now() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Timestamp::from_unix(i64::try_from(secs).unwrap_or(0))
}

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

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

#[allow(clippy::too_many_lines)]
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args();
    anyhow::ensure!(
        !args.server.is_empty(),
        "give --server http://host:port of a seeded, running server"
    );
    let server = args.server.trim_end_matches('/').to_owned();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;

    let teacher = login(&http, &server, "teacher1", "rollcall-teacher")
        .await?
        .access_token;
    let slots: Page<SlotRecord> = http
        .get(format!("{server}/api/v1/timetable?per_page=200"))
        .bearer_auth(&teacher)
        .send()
        .await?
        .json()
        .await?;
    let rooms: Page<RoomRecord> = http
        .get(format!("{server}/api/v1/rooms"))
        .bearer_auth(&teacher)
        .send()
        .await?
        .json()
        .await?;
    let room = rooms
        .items
        .iter()
        .find(|r| r.code == "A-101")
        .ok_or_else(|| anyhow::anyhow!("no room A-101"))?;
    let mut divisions: Vec<Uuid> = slots.items.iter().map(|s| s.division_id).collect();
    divisions.sort();
    divisions.dedup();

    let mut classes = std::collections::HashMap::new();
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
        classes.insert(
            *division,
            Class {
                id: session.session.id,
                qr,
            },
        );
    }

    eprintln!("signing in 60 students and binding their phones …");
    let mut students = Vec::new();
    for n in 1..=60u8 {
        let signed = login(&http, &server, &format!("student{n}"), "rollcall-student").await?;
        let roster_division = {
            let mut found = None;
            for (division, class) in &classes {
                let roster: rollcall_core::api::Roster = http
                    .get(format!("{server}/api/v1/sessions/{}/roster", class.id))
                    .bearer_auth(&teacher)
                    .send()
                    .await?
                    .json()
                    .await?;
                if roster
                    .entries
                    .iter()
                    .any(|e: &RosterEntry| e.student_id == signed.user.id)
                {
                    found = Some(*division);
                }
            }
            found
        };
        let Some(division) = roster_division else {
            continue;
        };
        let key = DeviceKey::from_seed(&[n; 32]);
        let device: rollcall_core::api::DeviceRecord = http
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
            session: classes[&division].id,
        });
    }
    anyhow::ensure!(
        !students.is_empty(),
        "no demo students in teacher1's divisions"
    );
    let students = Arc::new(students);
    let classes = Arc::new(
        classes
            .into_values()
            .map(|c| (c.id, c.qr))
            .collect::<std::collections::HashMap<_, _>>(),
    );

    // A live socket on the first class, timing accepted → change.
    let watched = students[0].session;
    let pending: Arc<Mutex<std::collections::HashMap<Uuid, Instant>>> = Arc::default();
    let socket_delays: Arc<Mutex<Vec<Duration>>> = Arc::default();
    {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
        let mut request = format!(
            "{}/api/v1/sessions/{watched}/live",
            server.replace("http://", "ws://")
        )
        .into_client_request()?;
        request
            .headers_mut()
            .insert("authorization", format!("Bearer {teacher}").parse()?);
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
        let pending = pending.clone();
        let delays = socket_delays.clone();
        tokio::spawn(async move {
            while let Some(Ok(message)) = socket.next().await {
                let Ok(text) = message.to_text() else {
                    continue;
                };
                let Ok(LiveMessage::Change { entry, .. }) = serde_json::from_str(text) else {
                    continue;
                };
                if let Some(sent) = pending
                    .lock()
                    .ok()
                    .and_then(|mut p| p.remove(&entry.student_id))
                {
                    if let Ok(mut d) = delays.lock() {
                        d.push(sent.elapsed());
                    }
                }
            }
        });
    }

    eprintln!(
        "{} students, {} workers, {} s …",
        students.len(),
        args.concurrency,
        args.seconds
    );
    let stop = Arc::new(AtomicBool::new(false));
    let accepted = Arc::new(AtomicU64::new(0));
    let other = Arc::new(AtomicU64::new(0));
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let started = Instant::now();
    // Standing in Lecture Hall A-101, hearing its access point.
    let spot = LocationFix {
        point: GeoPoint::new(18.518_62, 73.815_38)?,
        accuracy: Metres::new(8.0)?,
        mocked: false,
        fixed_at: now(),
    };
    let radio = RadioScan {
        wifi: vec![WifiSighting {
            bssid: "3c:84:6a:a1:01:10".parse()?,
            rssi: Rssi::new(-60)?,
        }],
        beacons: Vec::new(),
    };
    let mut workers = Vec::new();
    let (pace, workers_n) = (args.rate, args.concurrency);
    for w in 0..args.concurrency {
        let radio = radio.clone();
        let (http, server, students, classes) = (
            http.clone(),
            server.clone(),
            students.clone(),
            classes.clone(),
        );
        let (stop, accepted, other, latencies, pending) = (
            stop.clone(),
            accepted.clone(),
            other.clone(),
            latencies.clone(),
            pending.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut i = w;
            let mut mine = Vec::new();
            // The client should cost the machine little: a seeded generator
            // per worker instead of a getrandom call per claim id.
            let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_entropy();
            #[allow(clippy::cast_precision_loss)]
            let period = pace.map(|rate| Duration::from_secs_f64(workers_n as f64 / rate));
            let mut next = Instant::now()
                + period.map_or(Duration::ZERO, |p| p.mul_f64(w as f64 / workers_n as f64));
            while !stop.load(Ordering::Relaxed) {
                if period.is_some() {
                    tokio::time::sleep_until(next.into()).await;
                }
                let scheduled = if period.is_some() {
                    next
                } else {
                    Instant::now()
                };
                if let Some(period) = period {
                    next += period;
                }
                let s = &students[i % students.len()];
                i += args_stride();
                let at = now();
                let Some((payload, _)) = classes[&s.session].payload_at(at) else {
                    continue;
                };
                let millis = u64::try_from(at.unix()).unwrap_or(0) * 1000;
                let claim = Claim {
                    id: ClaimId::generate(millis, &mut rng),
                    student: StudentId::from(s.id),
                    session: SessionId::from(s.session),
                    device: DeviceId::from(s.device),
                    scanned_at: at,
                    evidence: Evidence {
                        token: Some(Token::Qr(payload)),
                        location: Some(LocationFix {
                            fixed_at: at,
                            ..spot
                        }),
                        radio: Some(radio.clone()),
                        face: None,
                    },
                };
                let signed = SignedClaim::sign(claim, &s.key);
                if s.session == watched {
                    if let Ok(mut p) = pending.lock() {
                        p.entry(s.id).or_insert_with(Instant::now);
                    }
                }
                let resp = http
                    .post(format!("{server}/api/v1/attendance/claims"))
                    .bearer_auth(&s.token)
                    .json(&ClaimBatch {
                        claims: vec![signed],
                    })
                    .send()
                    .await;
                let ok = match resp {
                    Ok(r) if r.status().is_success() => {
                        r.json::<ClaimBatchResult>().await.is_ok_and(|b| {
                            b.results
                                .first()
                                .is_some_and(|c| c.outcome == Outcome::Accepted)
                        })
                    }
                    _ => false,
                };
                mine.push(scheduled.elapsed());
                if ok {
                    accepted.fetch_add(1, Ordering::Relaxed)
                } else {
                    other.fetch_add(1, Ordering::Relaxed)
                };
            }
            if let Ok(mut l) = latencies.lock() {
                l.extend(mine);
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        let _ = w.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut lat = latencies.lock().map(|l| l.clone()).unwrap_or_default();
    lat.sort();
    let ok = accepted.load(Ordering::Relaxed);
    #[allow(clippy::cast_precision_loss)]
    let rate = ok as f64 / elapsed;
    println!(
        "claims verified and accepted: {ok} in {elapsed:.1} s = {rate:.0}/s (not accepted: {})",
        other.load(Ordering::Relaxed)
    );
    println!(
        "claim latency: p50 {:.1} ms, p99 {:.1} ms",
        percentile(&lat, 0.5).as_secs_f64() * 1e3,
        percentile(&lat, 0.99).as_secs_f64() * 1e3
    );
    let mut live = socket_delays.lock().map(|d| d.clone()).unwrap_or_default();
    live.sort();
    println!(
        "accepted → live socket: {} samples, p50 {:.1} ms, p99 {:.1} ms",
        live.len(),
        percentile(&live, 0.5).as_secs_f64() * 1e3,
        percentile(&live, 0.99).as_secs_f64() * 1e3
    );
    if let Some(pg) = args.pg {
        pgbench(&pg, args.seconds.min(10), rate)?;
    }
    Ok(())
}

const fn args_stride() -> usize {
    7
}

/// pgbench inserting single rows with a jsonb column, the same machine's
/// baseline for "how fast can this Postgres take one small write".
fn pgbench(url: &str, seconds: u64, claims_per_s: f64) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let script = dir.path().join("insert.sql");
    std::fs::write(&script, "INSERT INTO bench_rows (id, body) VALUES (gen_random_uuid(), '{\"a\": 1, \"b\": \"text\"}');\n")?;
    let psql = |sql: &str| {
        std::process::Command::new("psql")
            .arg(url)
            .arg("-qc")
            .arg(sql)
            .status()
    };
    psql("CREATE TABLE IF NOT EXISTS bench_rows (id uuid PRIMARY KEY, body jsonb NOT NULL)")?;
    let out = std::process::Command::new("pgbench")
        .args(["-n", "-c", "8", "-j", "2", "-T", &seconds.to_string(), "-f"])
        .arg(&script)
        .arg(url)
        .output()?;
    psql("DROP TABLE IF EXISTS bench_rows")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let tps = text
        .lines()
        .find(|l| l.starts_with("tps"))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|v| v.parse::<f64>().ok());
    match tps {
        Some(tps) => println!(
            "pgbench single-row jsonb inserts (8 clients): {tps:.0}/s; claims reach {:.0} % of it",
            claims_per_s * 100.0 / tps
        ),
        None => println!(
            "pgbench did not report a rate: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
    Ok(())
}
