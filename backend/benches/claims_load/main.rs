//! Load bench (a binary, not a test): many simulated students check in to a
//! running server at once. Prints verified claims per second, p50/p99
//! latency, the claim-accepted → live-socket delay, and — for comparison on
//! the same machine — pgbench's single-row insert rate.
//!
//! ```sh
//! rollcall-server seed-demo && rollcall-server serve &   # with ROLLCALL_LOGIN_LIMIT_PER_MINUTE=1000
//! cargo bench -p rollcall-server --bench claims_load -- \
//!     --server http://127.0.0.1:8080 [--seconds 15] [--concurrency 64,256] [--rate 1600] \
//!     [--sign-live] [--pg postgres://…]
//! ```
//! It signs in as the demo teacher1 and the demo students (so the server must
//! allow that many logins per minute), starts one ad-hoc class per division
//! teacher1 teaches in Lecture Hall A-101, binds a device key per student,
//! then sends claims as fast as the workers can for the given time, or, with
//! `--rate`, at that many claims per second in all; paced latencies are
//! timed from each request's scheduled start, so queueing counts. Claims are
//! signed before the clock starts (see `presign`); `--sign-live` signs each
//! one in the timed loop instead, as the bench did before.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark: a failed set-up ends the run with its message"
)]

mod lean_http;
mod pgbench;
mod presign;
mod setup;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt as _;
use hyper::header::HeaderValue;
use rand::rngs::StdRng;
use rand::SeedableRng as _;
use rollcall_core::api::LiveMessage;
use rollcall_core::timestamp::Timestamp;
use uuid::Uuid;

use lean_http::ClaimsLine;
use presign::{Claimer, Prepared, Queue};

struct Args {
    server: String,
    seconds: u64,
    /// Workers; several (`64,256`) run one after another and the best counts.
    concurrency: Vec<usize>,
    pg: Option<String>,
    /// Claims per second in all, paced; `None` sends as fast as it can.
    rate: Option<f64>,
    /// Sign each claim in the timed loop instead of before it.
    sign_live: bool,
}

fn args() -> Args {
    let mut a = Args {
        server: String::new(),
        seconds: 15,
        concurrency: vec![64],
        pg: None,
        rate: None,
        sign_live: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_default();
        match flag.as_str() {
            "--server" => a.server = value(),
            "--seconds" => a.seconds = value().parse().unwrap_or(15),
            "--concurrency" => {
                a.concurrency = value()
                    .split(',')
                    .filter_map(|n| n.trim().parse().ok())
                    .filter(|n| *n > 0)
                    .collect();
            }
            "--pg" => a.pg = Some(value()),
            "--rate" => a.rate = value().parse().ok().filter(|r: &f64| *r > 0.0),
            "--sign-live" => a.sign_live = true,
            _ => {} // cargo bench passes --bench
        }
    }
    if a.concurrency.is_empty() {
        a.concurrency = vec![64];
    }
    a
}

/// Claims each worker has ready per second when sending as fast as it can:
/// above what two cores have reached, so the queues do not run dry.
const PRESIGN_PER_SECOND: f64 = 15_000.0;

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "the value is known to fit the smaller type; the value is known not to be negative; counts, rates and durations here are far below 2^52"
    )]
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

/// What the run's workers counted.
#[derive(Default)]
struct Tally {
    accepted: AtomicU64,
    other: AtomicU64,
    signed_live: AtomicU64,
    latencies: Mutex<Vec<Duration>>,
}

/// Claims sent for the watched class and not yet seen on its live socket.
type Pending = Arc<Mutex<HashMap<Uuid, Instant>>>;

/// Opens the teacher's live socket on `session` and times accepted → change.
async fn watch(
    server: &str,
    teacher: &str,
    session: Uuid,
    pending: Pending,
) -> anyhow::Result<Arc<Mutex<Vec<Duration>>>> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
    let mut request = format!(
        "{}/api/v1/sessions/{session}/live",
        server.replace("http://", "ws://")
    )
    .into_client_request()?;
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {teacher}").parse()?);
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    let delays: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let seen = Arc::clone(&delays);
    tokio::spawn(async move {
        while let Some(Ok(message)) = socket.next().await {
            let Ok(text) = message.to_text() else {
                continue;
            };
            let Ok(LiveMessage::Change { entry, .. }) = serde_json::from_str(text) else {
                continue;
            };
            let sent = pending
                .lock()
                .ok()
                .and_then(|mut p| p.remove(&entry.student_id));
            if let (Some(sent), Ok(mut d)) = (sent, seen.lock()) {
                d.push(sent.elapsed());
            }
        }
    });
    Ok(delays)
}

/// Everything a worker shares with the others.
struct Run {
    claimer: Arc<Claimer>,
    bearers: Vec<HeaderValue>,
    watched: Uuid,
    pending: Pending,
    stop: AtomicBool,
    tally: Tally,
    /// Interval between one worker's claims when paced.
    period: Option<Duration>,
    workers: usize,
    started: Instant,
    start_unix: i64,
}

impl Run {
    /// The ready claim for now, or one signed on the spot.
    fn claim(
        &self,
        w: usize,
        queue: &mut Queue,
        n: &mut usize,
        rng: &mut StdRng,
    ) -> Option<Prepared> {
        let second = usize::try_from(self.started.elapsed().as_secs()).unwrap_or(usize::MAX);
        if let Some(ready) = queue.next(second) {
            return Some(ready);
        }
        *n += 1;
        let at = Timestamp::from_unix(self.start_unix + i64::try_from(second).unwrap_or(0));
        let signed = self.claimer.body(self.claimer.student_of(w, *n), at, rng)?;
        self.tally.signed_live.fetch_add(1, Ordering::Relaxed);
        Some(signed)
    }

    async fn worker(
        self: Arc<Self>,
        w: usize,
        mut queue: Queue,
        mut line: ClaimsLine,
    ) -> anyhow::Result<()> {
        let mut rng = StdRng::from_entropy();
        let mut mine = Vec::new();
        let mut n = 0;
        #[allow(
            clippy::cast_precision_loss,
            reason = "counts, rates and durations here are far below 2^52"
        )]
        let mut next = self.started
            + self.period.map_or(Duration::ZERO, |p| {
                p.mul_f64(w as f64 / self.workers as f64)
            });
        while !self.stop.load(Ordering::Relaxed) {
            let scheduled = match self.period {
                Some(period) => {
                    tokio::time::sleep_until(next.into()).await;
                    next += period;
                    next - period
                }
                None => Instant::now(),
            };
            let Some(prepared) = self.claim(w, &mut queue, &mut n, &mut rng) else {
                continue;
            };
            let student = &self.claimer.students()[prepared.student];
            if student.session == self.watched {
                if let Ok(mut p) = self.pending.lock() {
                    p.entry(student.id).or_insert_with(Instant::now);
                }
            }
            let ok = line
                .submit(&self.bearers[prepared.student], prepared.body)
                .await
                .unwrap_or(false);
            mine.push(scheduled.elapsed());
            if ok {
                self.tally.accepted.fetch_add(1, Ordering::Relaxed);
            } else {
                self.tally.other.fetch_add(1, Ordering::Relaxed);
            }
        }
        if let Ok(mut l) = self.tally.latencies.lock() {
            l.extend(mine);
        }
        Ok(())
    }
}

/// What one run measured.
struct Measured {
    workers: usize,
    rate: f64,
}

/// The server, the students and how to load them.
struct Setting {
    claimer: Arc<Claimer>,
    bearers: Vec<HeaderValue>,
    server: String,
    authority: String,
    teacher: String,
    watched: Uuid,
    seconds: u64,
    rate: Option<f64>,
    sign_live: bool,
}

/// One run with `workers` workers: claims signed, the clock started, the
/// figures printed.
async fn run_once(setting: &Setting, workers: usize) -> anyhow::Result<Measured> {
    let claimer = &setting.claimer;
    let per_second = if setting.sign_live {
        0
    } else {
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "counts, rates and durations here are far below 2^52; the value is known to fit the smaller type; the value is known not to be negative"
        )]
        let n = (setting.rate.unwrap_or(PRESIGN_PER_SECOND) / workers as f64).ceil() as usize;
        n + 1
    };
    let count = per_second * workers * usize::try_from(setting.seconds + 1).unwrap_or(0);
    let lead = presign::signing_time(claimer, count) + Duration::from_secs(1);
    #[allow(
        clippy::cast_possible_truncation,
        reason = "the value is known to fit the smaller type"
    )]
    let start_unix = (unix_now() + lead.as_secs_f64() * 1.3).ceil() as i64;
    if count > 0 {
        eprintln!("signing {count} claims before the clock starts …");
    }
    let queues = presign::presign(claimer, workers, setting.seconds, per_second, start_unix);
    #[allow(
        clippy::cast_precision_loss,
        reason = "counts, rates and durations here are far below 2^52"
    )]
    let wait = start_unix as f64 - unix_now();
    if wait > 0.0 {
        tokio::time::sleep(Duration::from_secs_f64(wait)).await;
    }

    // Every worker's connection is open before the clock starts, as a phone's
    // would be by the time its student taps "Check in".
    let mut lines = Vec::with_capacity(workers);
    for _ in 0..workers {
        lines.push(ClaimsLine::connect(&setting.authority).await?);
    }
    let pending: Pending = Arc::default();
    let socket_delays = watch(
        &setting.server,
        &setting.teacher,
        setting.watched,
        pending.clone(),
    )
    .await?;
    eprintln!(
        "{} students, {workers} workers, {} s …",
        claimer.students().len(),
        setting.seconds
    );
    #[allow(
        clippy::cast_precision_loss,
        reason = "counts, rates and durations here are far below 2^52"
    )]
    let period = setting
        .rate
        .map(|rate| Duration::from_secs_f64(workers as f64 / rate));
    let run = Arc::new(Run {
        claimer: Arc::clone(claimer),
        bearers: setting.bearers.clone(),
        watched: setting.watched,
        pending,
        stop: AtomicBool::new(false),
        tally: Tally::default(),
        period,
        workers,
        started: Instant::now(),
        start_unix,
    });
    let tasks: Vec<_> = queues
        .into_iter()
        .zip(lines)
        .enumerate()
        .map(|(w, (queue, line))| tokio::spawn(Arc::clone(&run).worker(w, queue, line)))
        .collect();
    tokio::time::sleep(Duration::from_secs(setting.seconds)).await;
    run.stop.store(true, Ordering::Relaxed);
    for task in tasks {
        if let Ok(Err(e)) = task.await {
            eprintln!("a worker stopped: {e}");
        }
    }
    let elapsed = run.started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(300)).await;
    println!("— {workers} workers —");
    let rate = report(&run.tally, elapsed, &socket_delays);
    Ok(Measured { workers, rate })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args();
    anyhow::ensure!(
        !args.server.is_empty(),
        "give --server http://host:port of a seeded, running server"
    );
    let server = args.server.trim_end_matches('/').to_owned();
    let authority = server
        .strip_prefix("http://")
        .ok_or_else(|| anyhow::anyhow!("--server must be an http:// address"))?
        .to_owned();
    let http = reqwest::Client::new();
    let school = setup::prepare(&http, &server).await?;
    let bearers = school
        .students
        .iter()
        .map(|s| HeaderValue::from_str(&format!("Bearer {}", s.token)))
        .collect::<Result<Vec<_>, _>>()?;
    let setting = Setting {
        watched: school.students[0].session,
        teacher: school.teacher_token,
        claimer: Arc::new(Claimer::new(school.students, school.classes)?),
        bearers,
        server,
        authority,
        seconds: args.seconds,
        rate: args.rate,
        sign_live: args.sign_live,
    };
    let mut best: Option<Measured> = None;
    for workers in &args.concurrency {
        let measured = run_once(&setting, *workers).await?;
        if best.as_ref().is_none_or(|b| measured.rate > b.rate) {
            best = Some(measured);
        }
    }
    let (Some(best), Some(pg)) = (best, args.pg) else {
        return Ok(());
    };
    let baseline = pgbench::run(&pg, args.seconds.min(10))?;
    for (clients, tps) in &baseline.rates {
        println!("pgbench single-row jsonb inserts, {clients} clients: {tps:.0}/s");
    }
    if let Some((clients, top)) = baseline.best() {
        println!(
            "best claims rate {:.0}/s ({} workers) is {:.0} % of pgbench's best ({top:.0}/s with {clients} clients){}",
            best.rate,
            best.workers,
            best.rate * 100.0 / top,
            baseline
                .at(8)
                .map(|eight| format!("; {:.0} % of its 8-client rate", best.rate * 100.0 / eight))
                .unwrap_or_default()
        );
    }
    Ok(())
}

fn report(tally: &Tally, elapsed: f64, socket_delays: &Mutex<Vec<Duration>>) -> f64 {
    let mut lat = tally
        .latencies
        .lock()
        .map(|l| l.clone())
        .unwrap_or_default();
    lat.sort();
    let ok = tally.accepted.load(Ordering::Relaxed);
    #[allow(
        clippy::cast_precision_loss,
        reason = "counts, rates and durations here are far below 2^52"
    )]
    let rate = ok as f64 / elapsed;
    println!(
        "claims verified and accepted: {ok} in {elapsed:.1} s = {rate:.0}/s (not accepted: {}; signed during the run: {})",
        tally.other.load(Ordering::Relaxed),
        tally.signed_live.load(Ordering::Relaxed)
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
    rate
}
