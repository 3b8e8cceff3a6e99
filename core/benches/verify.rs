//! How fast one full claim is judged (aim: ≥ 100,000 per second per core).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark: a failed set-up ends the run with its message"
)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rollcall_core::anomaly::SessionWindow;
use rollcall_core::claim::{Claim, Evidence, Token};
use rollcall_core::evaluate::{
    evaluate, evaluate_signed, Enrolment, History, SessionContext, SessionKeys, TimingRules,
};
use rollcall_core::face::{FaceEvidence, FaceSettings, Liveness, ModelId};
use rollcall_core::geofence::{GeoPoint, Geofence, GeofenceRule, LocationFix, Metres, RoomFence};
use rollcall_core::ids::{ClaimId, DeviceId, SessionId, StudentId};
use rollcall_core::policy::Policy;
use rollcall_core::qr::{QrPeriod, SessionSecret};
use rollcall_core::radio::{
    BeaconSighting, ExpectedBeacon, ExpectedWifi, RadioExpectation, RadioScan, Rssi, WifiSighting,
};
use rollcall_core::signing::{
    verify_many, DeviceKey, DevicePublicKey, DeviceSignature, SignedClaim,
};
use rollcall_core::timestamp::Timestamp;
use rollcall_core::verdict::Outcome;
use std::hint::black_box;
use uuid::Uuid;

fn bench(c: &mut Criterion) {
    let session = SessionId::from_uuid(Uuid::from_u128(22));
    let keys = SessionKeys::new(
        session,
        &SessionSecret::from_bytes(&[9; 32]).unwrap(),
        QrPeriod::DEFAULT,
    );
    let corners = [
        (18.5203, 73.8566),
        (18.5203, 73.8568),
        (18.5205, 73.8568),
        (18.5205, 73.8566),
    ]
    .iter()
    .map(|&(a, b)| GeoPoint::new(a, b).unwrap())
    .collect();
    let fence = RoomFence {
        name: "Room B-204".into(),
        fence: Geofence::polygon(corners).unwrap(),
        rule: GeofenceRule::default(),
    };
    let bssid = |n: u8| format!("00:11:22:33:44:{n:02x}").parse().unwrap();
    let radio = RadioExpectation {
        wifi: (1..=4)
            .map(|n| ExpectedWifi {
                bssid: bssid(n),
                min_rssi: Rssi::new(-75).unwrap(),
            })
            .collect(),
        beacons: vec![ExpectedBeacon {
            beacon: "name:B204".parse().unwrap(),
            min_rssi: Rssi::new(-80).unwrap(),
        }],
        required: 2,
    };
    let model = ModelId::new("arcface-r100-v1").unwrap();
    let face = FaceSettings {
        model: model.clone(),
        threshold: 0.4,
        doubtful_margin: 0.08,
        require_liveness: true,
    };
    let policy = Policy::standard();
    let scan = Timestamp::from_unix(1_700_000_010);
    let ctx = SessionContext {
        session,
        window: SessionWindow {
            starts_at: scan.plus(-600),
            ends_at: None,
        },
        keys: &keys,
        otp_failures: 0,
        room: "Room B-204",
        fence: Some(&fence),
        radio: Some(&radio),
        face: Some(&face),
        policy: &policy,
        timing: TimingRules::default(),
        history: History::default(),
        enrolment: Enrolment {
            in_division: true,
            face_model: Some(&face.model),
        },
    };
    let (payload, _) = keys.qr().payload_at(scan).unwrap();
    let claim = Claim {
        id: ClaimId::from_uuid(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001)).unwrap(),
        student: StudentId::from_uuid(Uuid::from_u128(11)),
        session,
        device: DeviceId::from_uuid(Uuid::from_u128(33)),
        scanned_at: scan,
        evidence: Evidence {
            token: Some(Token::Qr(payload)),
            location: Some(LocationFix {
                point: GeoPoint::new(18.52045, 73.85672).unwrap(),
                accuracy: Metres::new(12.0).unwrap(),
                mocked: false,
                fixed_at: scan.plus(-3),
            }),
            radio: Some(RadioScan {
                wifi: (1..=12)
                    .map(|n| WifiSighting {
                        bssid: bssid(n),
                        rssi: Rssi::new(-60).unwrap(),
                    })
                    .collect(),
                beacons: vec![BeaconSighting {
                    beacon: "name:B204".parse().unwrap(),
                    rssi: Rssi::new(-70).unwrap(),
                }],
            }),
            face: Some(FaceEvidence {
                score: rollcall_core::face::FaceScore::new(0.71).unwrap(),
                model,
                liveness: Liveness::Passed,
            }),
        },
    };
    let arrive = scan.plus(2);
    assert_eq!(evaluate(&claim, &ctx, arrive).outcome, Outcome::Accepted);

    let mut g = c.benchmark_group("claim");
    g.throughput(Throughput::Elements(1));
    g.bench_function("evaluate_full_claim", |b| {
        b.iter(|| evaluate(black_box(&claim), black_box(&ctx), arrive));
    });
    let key = DeviceKey::from_seed(&[3; 32]);
    let signed = SignedClaim::sign(claim.clone(), &key);
    let public = key.public();
    g.bench_function("evaluate_signed_claim", |b| {
        b.iter(|| evaluate_signed(black_box(&signed), &public, black_box(&ctx), arrive));
    });
    g.bench_function("canonical_bytes", |b| {
        b.iter(|| black_box(&claim).canonical_bytes());
    });
    g.finish();

    // The server checks the signatures of claims arriving together in one
    // batch: the cost per signature, alone and in batches (same run, so the
    // ratio holds however busy the machine is).
    let mut g = c.benchmark_group("signature");
    g.throughput(Throughput::Elements(1));
    let bytes = claim.canonical_bytes();
    let signature = key.sign_bytes(&bytes);
    g.bench_function("alone", |b| {
        b.iter(|| public.verify_bytes(black_box(&bytes), black_box(&signature)));
    });
    // What the check without R's decompression saves against the library's own.
    let dalek_key = ed25519_dalek::VerifyingKey::from_bytes(&public.to_bytes()).unwrap();
    let dalek_signature = ed25519_dalek::Signature::from_bytes(&signature.to_bytes());
    g.bench_function("alone_verify_strict_reference", |b| {
        b.iter(|| dalek_key.verify_strict(black_box(&bytes), black_box(&dalek_signature)));
    });
    for size in [8u8, 32] {
        let signers: Vec<(DevicePublicKey, DeviceSignature)> = (0..size)
            .map(|n| {
                let key = DeviceKey::from_seed(&[n; 32]);
                (key.public(), key.sign_bytes(&bytes))
            })
            .collect();
        let items: Vec<(&DevicePublicKey, &[u8], &DeviceSignature)> = signers
            .iter()
            .map(|(k, s)| (k, bytes.as_slice(), s))
            .collect();
        g.throughput(Throughput::Elements(u64::from(size)));
        g.bench_function(format!("batch_of_{size}"), |b| {
            b.iter(|| verify_many(black_box(&items)));
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
