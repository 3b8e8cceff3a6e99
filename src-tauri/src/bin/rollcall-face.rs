//! `rollcall-face`: the face pipeline from the command line (never starts Tauri).
//!
//! ```text
//! rollcall-face [--models DIR] embed IMAGE
//! rollcall-face [--models DIR] verify A B
//! rollcall-face [--models DIR] eval DIR            # DIR/person/*.jpg, all pairs
//! rollcall-face [--models DIR] eval --pairs CSV    # file_x,file_y,Decision (Yes/No)
//! rollcall-face [--models DIR] bench IMAGE [--frames N] [--detector FILE]
//! ```
//! Models come from `--models` or `ROLLCALL_MODELS_DIR`; ONNX Runtime from `ORT_DYLIB_PATH`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use rollcall_app::face::eval::PairScores;
use rollcall_app::face::{self, FaceOptions, FacePipeline, ModelsDir, RgbFrame};
use rollcall_core::face::{cosine, FaceTemplate, TemplateMatrix};
use rollcall_core::ids::StudentId;

type CliResult<T> = Result<T, String>;

const USAGE: &str = "usage: rollcall-face [--models DIR] <command>
  embed IMAGE                 print the main face's embedding (256 values)
  verify A B                  cosine of the two main faces and the verdict
  eval DIR                    all pairs over DIR/<person>/*.jpg
  eval --pairs CSV            the pairs of a file_x,file_y,Decision CSV
  bench IMAGE [--frames N] [--detector FILE]
                              per-frame timings on a 640×480 frame, and 1:N over 10,000";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rollcall-face: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(mut args: Vec<String>) -> CliResult<()> {
    let models = take_option(&mut args, "--models")?;
    let detector = take_option(&mut args, "--detector")?;
    let dir = match models {
        Some(p) => ModelsDir::new(p),
        None => ModelsDir::from_env(),
    }
    .map_err(|e| e.to_string())?;
    let mut options = FaceOptions::default();
    if let Some(d) = detector {
        options.detector_file = d;
    }
    let load = || FacePipeline::load(&dir, &options).map_err(|e| e.to_string());
    match args.first().map(String::as_str) {
        Some("embed") if args.len() == 2 => embed(&mut load()?, &args[1]),
        Some("verify") if args.len() == 3 => verify(&mut load()?, &args[1], &args[2]),
        Some("eval") => {
            let mut rest = args[1..].to_vec();
            let pairs = take_option(&mut rest, "--pairs")?;
            match (pairs, rest.as_slice()) {
                (Some(csv), []) => eval_pairs(&mut load()?, Path::new(&csv)),
                (None, [dir]) => eval_folders(&mut load()?, Path::new(dir)),
                _ => Err(USAGE.to_owned()),
            }
        }
        Some("bench") => {
            let mut rest = args[1..].to_vec();
            let frames = take_option(&mut rest, "--frames")?
                .map(|n| n.parse::<usize>().map_err(|e| format!("--frames: {e}")))
                .transpose()?
                .unwrap_or(50);
            match rest.as_slice() {
                [image] => bench(&mut load()?, &options.detector_file, image, frames),
                _ => Err(USAGE.to_owned()),
            }
        }
        _ => Err(USAGE.to_owned()),
    }
}

/// Removes `--name VALUE` from `args`.
fn take_option(args: &mut Vec<String>, name: &str) -> CliResult<Option<String>> {
    let Some(i) = args.iter().position(|a| a == name) else {
        return Ok(None);
    };
    if i + 1 >= args.len() {
        return Err(format!("{name} needs a value"));
    }
    let value = args.remove(i + 1);
    args.remove(i);
    Ok(Some(value))
}

fn main_embedding(pipeline: &mut FacePipeline, path: &str) -> CliResult<Vec<f32>> {
    let frame = RgbFrame::open(path).map_err(|e| e.to_string())?;
    let face = pipeline
        .main_face(&frame)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("{path}: no face found"))?;
    if !face.face.quality.is_good() {
        let advice: Vec<&str> = face
            .face
            .quality
            .issues
            .iter()
            .map(|i| i.advice())
            .collect();
        eprintln!("{path}: quality: {}", advice.join(", "));
    }
    Ok(face.embedding)
}

fn embed(pipeline: &mut FacePipeline, path: &str) -> CliResult<()> {
    let e = main_embedding(pipeline, path)?;
    let text: Vec<String> = e.iter().map(|v| format!("{v:.6}")).collect();
    println!("{}", text.join(" "));
    Ok(())
}

fn verify(pipeline: &mut FacePipeline, a: &str, b: &str) -> CliResult<()> {
    let ea = main_embedding(pipeline, a)?;
    let eb = main_embedding(pipeline, b)?;
    let score = cosine(&ea, &eb);
    let check = face::settings().judge_score(score);
    println!("cosine {score:.4}");
    println!("verdict {:?} ({check:?})", check.status());
    Ok(())
}

/// Embeddings of the main face of each image; `None` where none was found.
struct Embedded {
    by_file: HashMap<PathBuf, Option<Vec<f32>>>,
    faces: usize,
    no_face: Vec<PathBuf>,
    unreadable: Vec<PathBuf>,
    total: Duration,
    detect: Duration,
    align: Duration,
    embed: Duration,
}

impl Embedded {
    fn new() -> Self {
        Self {
            by_file: HashMap::new(),
            faces: 0,
            no_face: Vec::new(),
            unreadable: Vec::new(),
            total: Duration::ZERO,
            detect: Duration::ZERO,
            align: Duration::ZERO,
            embed: Duration::ZERO,
        }
    }

    fn get(&mut self, pipeline: &mut FacePipeline, path: &Path) -> CliResult<Option<Vec<f32>>> {
        if let Some(e) = self.by_file.get(path) {
            return Ok(e.clone());
        }
        let frame = match RgbFrame::open(path) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("skipping {}: {e}", path.display());
                self.unreadable.push(path.to_owned());
                self.by_file.insert(path.to_owned(), None);
                return Ok(None);
            }
        };
        let started = Instant::now();
        let face = pipeline.main_face(&frame).map_err(|e| e.to_string())?;
        self.total += started.elapsed();
        let times = pipeline.last_times();
        self.detect += times.detect;
        self.align += times.align;
        self.embed += times.embed;
        let e = face.map(|f| f.embedding);
        if e.is_some() {
            self.faces += 1;
        } else {
            self.no_face.push(path.to_owned());
        }
        self.by_file.insert(path.to_owned(), e.clone());
        Ok(e)
    }
}

fn images_in(dir: &Path) -> CliResult<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| ["jpg", "jpeg", "png"].contains(&x.to_ascii_lowercase().as_str()))
        })
        .collect();
    out.sort();
    Ok(out)
}

fn eval_folders(pipeline: &mut FacePipeline, dir: &Path) -> CliResult<()> {
    let mut people: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries.filter_map(Result::ok) {
        if entry.path().is_dir() {
            let images = images_in(&entry.path())?;
            if !images.is_empty() {
                people.insert(entry.file_name().to_string_lossy().into_owned(), images);
            }
        }
    }
    let mut embedded = Embedded::new();
    let mut labelled: Vec<(String, Vec<f32>)> = Vec::new();
    for (person, images) in &people {
        for image in images {
            if let Some(e) = embedded.get(pipeline, image)? {
                labelled.push((person.clone(), e));
            }
        }
    }
    let mut scores = PairScores::default();
    for (i, (pa, ea)) in labelled.iter().enumerate() {
        for (pb, eb) in &labelled[i + 1..] {
            let s = cosine(ea, eb);
            if pa == pb {
                scores.genuine.push(s);
            } else {
                scores.impostor.push(s);
            }
        }
    }
    let what = format!(
        "`{}`: {} images of {} people, all pairs",
        dir.display(),
        labelled.len() + embedded.no_face.len(),
        people.len()
    );
    report(&what, &scores, &embedded);
    Ok(())
}

fn eval_pairs(pipeline: &mut FacePipeline, csv: &Path) -> CliResult<()> {
    let text = std::fs::read_to_string(csv).map_err(|e| format!("{}: {e}", csv.display()))?;
    let base = csv.parent().unwrap_or(Path::new("."));
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<String> = lines
        .next()
        .ok_or("empty CSV")?
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or(format!("the CSV has no {name} column"))
    };
    let (cx, cy, cd) = (col("file_x")?, col("file_y")?, col("decision")?);
    let resolve = |f: &str| {
        let direct = base.join(f);
        if direct.is_file() {
            return direct;
        }
        // deepface's pivot CSV names files by their path in its repository.
        Path::new(f).file_name().map_or(direct, |n| base.join(n))
    };
    let mut embedded = Embedded::new();
    let mut scores = PairScores::default();
    let mut skipped = 0usize;
    for line in lines {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let (Some(x), Some(y), Some(d)) = (cells.get(cx), cells.get(cy), cells.get(cd)) else {
            skipped += 1;
            continue;
        };
        let same = match d.to_ascii_lowercase().as_str() {
            "yes" | "true" | "1" => true,
            "no" | "false" | "0" => false,
            _ => {
                skipped += 1;
                continue;
            }
        };
        let (Some(ex), Some(ey)) = (
            embedded.get(pipeline, &resolve(x))?,
            embedded.get(pipeline, &resolve(y))?,
        ) else {
            skipped += 1;
            continue;
        };
        let s = cosine(&ex, &ey);
        if same {
            scores.genuine.push(s);
        } else {
            scores.impostor.push(s);
        }
    }
    let what = format!(
        "`{}`: {} images, {} labelled pairs ({} skipped: no face, not decodable, or a bad row)",
        csv.display(),
        embedded.by_file.len(),
        scores.genuine.len() + scores.impostor.len(),
        skipped
    );
    report(&what, &scores, &embedded);
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(what: &str, scores: &PairScores, embedded: &Embedded) {
    let (acc, best_t) = scores.best_accuracy();
    println!("### {what}\n");
    println!("| measure | value |\n|---|---|");
    println!(
        "| pairs | {} same / {} different |",
        scores.genuine.len(),
        scores.impostor.len()
    );
    println!("| AUC | {:.4} |", scores.auc());
    println!(
        "| best accuracy | {:.2} % at cosine {best_t:.3} |",
        acc * 100.0
    );
    for far in [0.01, 0.001] {
        let p = scores.tar_at_far(far);
        println!(
            "| TAR at FAR {} % | {:.2} % (threshold {:.3}, measured FAR {:.2} %) |",
            far * 100.0,
            p.tar * 100.0,
            p.threshold,
            p.far * 100.0
        );
    }
    let min_g = scores.genuine.iter().copied().fold(f32::INFINITY, f32::min);
    let max_i = scores
        .impostor
        .iter()
        .copied()
        .fold(f32::NEG_INFINITY, f32::max);
    println!("| lowest same-person cosine | {min_g:.3} |");
    println!("| highest different-person cosine | {max_i:.3} |");
    let s = face::settings();
    for (name, t) in [
        ("threshold", s.threshold),
        (
            "threshold + doubtful margin",
            s.threshold + s.doubtful_margin,
        ),
    ] {
        let (tar, far) = scores.rates_at(t);
        println!(
            "| at the code's {name} {t:.2} | TAR {:.2} %, FAR {:.2} % |",
            tar * 100.0,
            far * 100.0
        );
    }
    let images = (embedded.by_file.len() - embedded.unreadable.len()).max(1) as u32;
    let faces = embedded.faces.max(1) as u32;
    println!(
        "| time per image (decode excluded) | {:.1} ms: detect {:.1}, align + quality {:.2}, embed {:.1} per face |",
        ms(embedded.total / images),
        ms(embedded.detect / images),
        ms(embedded.align / images),
        ms(embedded.embed / faces),
    );
    if !embedded.no_face.is_empty() {
        let names: Vec<String> = embedded
            .no_face
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        println!("| images without a face | {} |", names.join(", "));
    }
    if !embedded.unreadable.is_empty() {
        let names: Vec<String> = embedded
            .unreadable
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        println!(
            "| images not decoded (not JPEG/PNG) | {} |",
            names.join(", ")
        );
    }
    println!();
}

fn bench(pipeline: &mut FacePipeline, detector: &str, image: &str, frames: usize) -> CliResult<()> {
    let photo = RgbFrame::open(image).map_err(|e| e.to_string())?;
    // A webcam-like 640×480 frame: the photo scaled to fit, centred.
    let scale = (640.0 / photo.width() as f32).min(480.0 / photo.height() as f32);
    let fitted = photo.scaled(scale).map_err(|e| e.to_string())?;
    let frame = fitted
        .placed(
            640,
            480,
            (640 - i64::from(fitted.width())) / 2,
            (480 - i64::from(fitted.height())) / 2,
        )
        .map_err(|e| e.to_string())?;
    let mut detect = Vec::new();
    let mut align = Vec::new();
    let mut embed = Vec::new();
    let mut total = Vec::new();
    let mut faces = 0;
    for i in 0..frames + 3 {
        let started = Instant::now();
        let found = pipeline.analyse(&frame).map_err(|e| e.to_string())?;
        let elapsed = started.elapsed();
        if i < 3 {
            continue; // warm-up
        }
        faces = found.len();
        let t = pipeline.last_times();
        detect.push(ms(t.detect));
        align.push(ms(t.align));
        embed.push(ms(t.embed));
        total.push(ms(elapsed));
    }
    println!("### Per 640×480 frame ({detector}, one intra-op thread, {frames} frames, {faces} face(s))\n");
    println!("| stage | median ms | p90 ms |\n|---|---|---|");
    for (name, v) in [
        ("detection", &mut detect),
        ("alignment + quality", &mut align),
        ("embedding", &mut embed),
        ("total", &mut total),
    ] {
        let (m, p) = percentiles(v);
        println!("| {name} | {m:.2} | {p:.2} |");
    }

    let n = 10_000;
    let dim = face::embed::EMBEDDING_DIM;
    let model = face::model_id();
    let mut matrix = TemplateMatrix::new(model.clone(), dim);
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng >> 40) as f32 / (1u64 << 24) as f32 - 0.5
    };
    for i in 0..n {
        let v: Vec<f32> = (0..dim).map(|_| next()).collect();
        let t = FaceTemplate::from_vector(model.clone(), v).map_err(|e| e.to_string())?;
        matrix
            .push(
                StudentId::from_uuid(uuid::Uuid::from_u128(i as u128 + 1)),
                &t,
            )
            .map_err(|e| e.to_string())?;
    }
    let mut probe: Vec<f32> = (0..dim).map(|_| next()).collect();
    rollcall_core::face::l2_normalize(&mut probe).map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(2);
    let mut times = Vec::new();
    for _ in 0..200 {
        let started = Instant::now();
        matrix
            .top_k_into(&probe, 2, &mut out)
            .map_err(|e| e.to_string())?;
        times.push(ms(started.elapsed()));
    }
    let (m, p) = percentiles(&mut times);
    println!("\n### 1:N over {n} templates of {dim} values (top 2, one core)\n");
    println!("| median ms | p90 ms |\n|---|---|\n| {m:.3} | {p:.3} |");
    Ok(())
}

fn percentiles(v: &mut [f64]) -> (f64, f64) {
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.9))
}
