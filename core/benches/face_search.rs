//! 1:N face search over a roster (aim: ≤ 1 ms for 10,000 templates of 512).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark: a failed set-up ends the run with its message"
)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rollcall_core::face::{l2_normalize, FaceTemplate, ModelId, TemplateMatrix};
use rollcall_core::ids::StudentId;
use std::hint::black_box;
use uuid::Uuid;

const DIM: usize = 512;

fn unit(rng: &mut StdRng) -> Vec<f32> {
    let mut v: Vec<f32> = (0..DIM).map(|_| rng.gen_range(-1.0..1.0)).collect();
    l2_normalize(&mut v).unwrap();
    v
}

fn bench(c: &mut Criterion) {
    let model = ModelId::new("arcface-r100-v1").unwrap();
    let mut rng = StdRng::seed_from_u64(5);
    let mut g = c.benchmark_group("face_top5");
    for n in [10_000usize, 100_000] {
        let mut m = TemplateMatrix::new(model.clone(), DIM);
        for i in 0..n {
            let t = FaceTemplate::from_vector(model.clone(), unit(&mut rng)).unwrap();
            m.push(StudentId::from_uuid(Uuid::from_u128(i as u128)), &t)
                .unwrap();
        }
        let probe = unit(&mut rng);
        let mut out = Vec::with_capacity(5);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &m, |b, m| {
            b.iter(|| m.top_k_into(black_box(&probe), 5, &mut out).unwrap());
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
