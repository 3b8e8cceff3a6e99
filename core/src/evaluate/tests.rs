use super::*;
use crate::claim::tests::full_claim;
use crate::face::{Liveness, ModelId};
use crate::geofence::{GeoPoint, Geofence, GeofenceRule, Metres};
use crate::radio::{ExpectedBeacon, ExpectedWifi, Rssi};
use crate::signing::DeviceKey;
use geo::{Destination, Geodesic, Point};
use uuid::Uuid;

const SCAN: i64 = 1_700_000_010;
const CENTRE: (f64, f64) = (18.5204, 73.8567);

struct Fixture {
    keys: SessionKeys,
    fence: RoomFence,
    radio: RadioExpectation,
    face: FaceSettings,
    policy: Policy,
}

fn session() -> SessionId {
    SessionId::from_uuid(Uuid::from_u128(22))
}

fn fixture() -> Fixture {
    let secret = SessionSecret::from_bytes(&[42; 32]).unwrap();
    Fixture {
        keys: SessionKeys::new(session(), &secret, QrPeriod::DEFAULT),
        fence: RoomFence {
            name: "Room B-204".into(),
            fence: Geofence::circle(
                GeoPoint::new(CENTRE.0, CENTRE.1).unwrap(),
                Metres::new(30.0).unwrap(),
            )
            .unwrap(),
            rule: GeofenceRule::default(),
        },
        radio: RadioExpectation {
            wifi: vec![ExpectedWifi {
                bssid: "00:11:22:33:44:01".parse().unwrap(),
                min_rssi: Rssi::new(-75).unwrap(),
            }],
            beacons: vec![ExpectedBeacon {
                beacon: "name:B204".parse().unwrap(),
                min_rssi: Rssi::new(-80).unwrap(),
            }],
            required: 1,
        },
        face: FaceSettings {
            model: ModelId::new("arcface-r100-v1").unwrap(),
            threshold: 0.40,
            doubtful_margin: 0.08,
            require_liveness: false,
        },
        policy: Policy::standard(),
    }
}

impl Fixture {
    fn ctx(&self) -> SessionContext<'_> {
        SessionContext {
            session: session(),
            window: SessionWindow {
                starts_at: Timestamp::from_unix(SCAN - 600),
                ends_at: None,
            },
            keys: &self.keys,
            otp_failures: 0,
            room: "Room B-204",
            fence: Some(&self.fence),
            radio: Some(&self.radio),
            face: Some(&self.face),
            policy: &self.policy,
            timing: TimingRules::default(),
            history: History::default(),
            enrolment: Enrolment {
                in_division: true,
                face_model: Some(&self.face.model),
            },
        }
    }

    fn qr_claim(&self) -> Claim {
        let (payload, _) = self
            .keys
            .qr()
            .payload_at(Timestamp::from_unix(SCAN))
            .unwrap();
        full_claim(Some(Token::Qr(payload)))
    }
}

fn arrive() -> Timestamp {
    Timestamp::from_unix(SCAN + 2)
}

fn reason(v: &Verdict, code: ReasonCode) -> &Reason {
    v.reasons
        .iter()
        .find(|r| r.code == code)
        .unwrap_or_else(|| panic!("no {code:?} in {v:#?}"))
}

fn moved(metres: f64) -> GeoPoint {
    let p = Geodesic.destination(Point::new(CENTRE.1, CENTRE.0), 90.0, metres);
    GeoPoint::new(p.y(), p.x()).unwrap()
}

#[test]
fn a_complete_claim_is_accepted_without_reasons() {
    let f = fixture();
    let v = evaluate(&f.qr_claim(), &f.ctx(), arrive());
    assert_eq!(v.outcome, Outcome::Accepted, "{v:#?}");
    assert!(v.reasons.is_empty());
    assert_eq!(v.factors.len(), 4);
    assert!(!v.synced_late);
    assert_eq!(v.judged_at, arrive());
}

#[test]
fn a_typed_otp_is_a_token_too() {
    let f = fixture();
    let (code, _) = f.keys.otp().code_at(Timestamp::from_unix(SCAN));
    let claim = full_claim(Some(Token::Otp(code)));
    assert_eq!(
        evaluate(&claim, &f.ctx(), arrive()).outcome,
        Outcome::Accepted
    );
}

#[test]
fn token_reasons() {
    let f = fixture();
    let ctx = f.ctx();
    let v = evaluate(&full_claim(None), &ctx, arrive());
    assert_eq!(v.outcome, Outcome::Rejected);
    assert_eq!(
        reason(&v, ReasonCode::TokenMissing).severity,
        Severity::Rejects
    );

    // A live claim (scanned 6 s before arrival) with a payload two slots old.
    let mut claim = f.qr_claim();
    claim.scanned_at = Timestamp::from_unix(1_700_000_075);
    let v = evaluate(&claim, &ctx, Timestamp::from_unix(1_700_000_081));
    assert_eq!(v.outcome, Outcome::Rejected);
    assert_eq!(
        reason(&v, ReasonCode::QrExpired).message,
        "QR expired 41 s ago"
    );

    let other = SessionKeys::new(
        session(),
        &SessionSecret::from_bytes(&[7; 32]).unwrap(),
        QrPeriod::DEFAULT,
    );
    let (forged, _) = other.qr().payload_at(Timestamp::from_unix(SCAN)).unwrap();
    let v = evaluate(&full_claim(Some(Token::Qr(forged))), &ctx, arrive());
    assert!(v.has(ReasonCode::QrForged));

    let elsewhere = SessionKeys::new(
        SessionId::from_uuid(Uuid::from_u128(99)),
        &SessionSecret::from_bytes(&[42; 32]).unwrap(),
        QrPeriod::DEFAULT,
    );
    let (wrong, _) = elsewhere
        .qr()
        .payload_at(Timestamp::from_unix(SCAN))
        .unwrap();
    let v = evaluate(&full_claim(Some(Token::Qr(wrong))), &ctx, arrive());
    assert!(v.has(ReasonCode::QrWrongSession));

    let (ahead, _) = f
        .keys
        .qr()
        .payload_at(Timestamp::from_unix(SCAN + 120))
        .unwrap();
    let v = evaluate(&full_claim(Some(Token::Qr(ahead))), &ctx, arrive());
    assert_eq!(v.outcome, Outcome::Review);
    assert_eq!(
        reason(&v, ReasonCode::QrNotYetValid).severity,
        Severity::NeedsReview
    );
}

#[test]
fn otp_reasons() {
    let f = fixture();
    let (code, _) = f.keys.otp().code_at(Timestamp::from_unix(SCAN));
    let wrong = if code.as_str() == "000000" {
        "111111"
    } else {
        "000000"
    };
    let v = evaluate(
        &full_claim(Some(Token::Otp(wrong.parse().unwrap()))),
        &f.ctx(),
        arrive(),
    );
    assert!(v.has(ReasonCode::OtpWrong));
    let (old, _) = f.keys.otp().code_at(Timestamp::from_unix(SCAN - 120));
    let v = evaluate(&full_claim(Some(Token::Otp(old))), &f.ctx(), arrive());
    assert!(reason(&v, ReasonCode::OtpExpired)
        .message
        .starts_with("OTP expired"));
    let mut ctx = f.ctx();
    ctx.otp_failures = 5;
    let v = evaluate(&full_claim(Some(Token::Otp(code))), &ctx, arrive());
    assert!(v.has(ReasonCode::OtpLocked));
    assert_eq!(v.outcome, Outcome::Rejected);
}

#[test]
fn location_reasons_state_the_distance() {
    let f = fixture();
    let mut claim = f.qr_claim();
    let fix = claim.evidence.location.as_mut().unwrap();
    fix.point = moved(114.0);
    let v = evaluate(&claim, &f.ctx(), arrive());
    assert_eq!(v.outcome, Outcome::Rejected);
    let r = reason(&v, ReasonCode::OutsideGeofence);
    assert_eq!(r.message, "84 m outside Room B-204");
    assert_eq!(
        (r.factor, r.severity),
        (Some(Factor::Location), Severity::Rejects)
    );

    let mut claim = f.qr_claim();
    claim.evidence.location.as_mut().unwrap().mocked = true;
    assert!(evaluate(&claim, &f.ctx(), arrive()).has(ReasonCode::LocationMocked));

    let mut claim = f.qr_claim();
    claim.evidence.location.as_mut().unwrap().accuracy = Metres::new(250.0).unwrap();
    let v = evaluate(&claim, &f.ctx(), arrive());
    assert_eq!(
        v.outcome,
        Outcome::Review,
        "a required factor that is doubtful gives review"
    );
    assert_eq!(
        reason(&v, ReasonCode::LocationInaccurate).severity,
        Severity::NeedsReview
    );

    let mut claim = f.qr_claim();
    claim.evidence.location.as_mut().unwrap().fixed_at = Timestamp::from_unix(SCAN - 600);
    assert_eq!(
        reason(
            &evaluate(&claim, &f.ctx(), arrive()),
            ReasonCode::LocationStale
        )
        .message,
        "the location fix was taken 10 min before the scan"
    );

    let mut claim = f.qr_claim();
    claim.evidence.location = None;
    assert!(evaluate(&claim, &f.ctx(), arrive()).has(ReasonCode::LocationMissing));

    let mut ctx = f.ctx();
    ctx.fence = None;
    let v = evaluate(&f.qr_claim(), &ctx, arrive());
    assert_eq!(v.outcome, Outcome::Review);
    assert!(v.has(ReasonCode::GeofenceNotConfigured));
}

#[test]
fn an_optional_factor_that_fails_is_reported_but_does_not_reject() {
    let f = fixture();
    // radio | face: radio fails, face passes.
    let mut claim = f.qr_claim();
    claim.evidence.radio.as_mut().unwrap().wifi.clear();
    claim.evidence.radio.as_mut().unwrap().beacons.clear();
    let v = evaluate(&claim, &f.ctx(), arrive());
    assert_eq!(v.outcome, Outcome::Accepted);
    assert_eq!(
        reason(&v, ReasonCode::RadioNotSeen).severity,
        Severity::Info
    );

    // A factor the policy does not mention at all.
    let mut f2 = fixture();
    f2.policy = Policy::parse("token & location").unwrap();
    let mut claim = f2.qr_claim();
    claim.evidence.face.as_mut().unwrap().score = crate::face::FaceScore::new(0.1).unwrap();
    let v = evaluate(&claim, &f2.ctx(), arrive());
    assert_eq!(v.outcome, Outcome::Accepted);
    let r = reason(&v, ReasonCode::FaceNoMatch);
    assert_eq!(
        (r.severity, r.message.as_str()),
        (
            Severity::Info,
            "face match 0.10 is below the threshold 0.40"
        )
    );
    assert_eq!(v.factor(Factor::Face), Some(Status::Fail));

    // Both sides of the | fail: both reject.
    let mut claim = f.qr_claim();
    claim.evidence.radio = None;
    claim.evidence.face.as_mut().unwrap().liveness = Liveness::Failed;
    let v = evaluate(&claim, &f.ctx(), arrive());
    assert_eq!(v.outcome, Outcome::Rejected);
    assert_eq!(
        reason(&v, ReasonCode::RadioMissing).severity,
        Severity::Rejects
    );
    assert_eq!(
        reason(&v, ReasonCode::FaceLivenessFailed).severity,
        Severity::Rejects
    );
}

#[test]
fn radio_reasons() {
    let f = fixture();
    let mut claim = f.qr_claim();
    claim.evidence.face = None;
    claim.evidence.radio.as_mut().unwrap().wifi[0].rssi = Rssi::new(-90).unwrap();
    claim.evidence.radio.as_mut().unwrap().beacons[0].rssi = Rssi::new(-95).unwrap();
    let v = evaluate(&claim, &f.ctx(), arrive());
    assert_eq!(v.outcome, Outcome::Review);
    assert!(v.has(ReasonCode::RadioWeak));
    let mut ctx = f.ctx();
    ctx.radio = None;
    assert!(evaluate(&claim, &ctx, arrive()).has(ReasonCode::RadioNotConfigured));
}

#[test]
fn face_reasons() {
    let f = fixture();
    let mut claim = f.qr_claim();
    claim.evidence.radio = None;
    claim.evidence.face.as_mut().unwrap().score = crate::face::FaceScore::new(0.44).unwrap();
    let v = evaluate(&claim, &f.ctx(), arrive());
    assert_eq!(v.outcome, Outcome::Review);
    assert!(v.has(ReasonCode::FaceBorderline));
    claim.evidence.face.as_mut().unwrap().score = crate::face::FaceScore::new(0.9).unwrap();
    claim.evidence.face.as_mut().unwrap().liveness = Liveness::NotTaken;
    let mut strict = fixture();
    strict.face.require_liveness = true;
    assert!(evaluate(&claim, &strict.ctx(), arrive()).has(ReasonCode::FaceLivenessMissing));
    let other = ModelId::new("mobilefacenet-v2").unwrap();
    claim.evidence.face.as_mut().unwrap().model = other.clone();
    let v = evaluate(&claim, &f.ctx(), arrive());
    assert!(v.has(ReasonCode::FaceNotEnrolled), "{v:#?}");
    let mut ctx = f.ctx();
    ctx.enrolment.face_model = Some(&other);
    assert!(evaluate(&claim, &ctx, arrive()).has(ReasonCode::FaceModelMismatch));
    let mut ctx = f.ctx();
    ctx.face = None;
    assert!(evaluate(&claim, &ctx, arrive()).has(ReasonCode::FaceNotConfigured));
    claim.evidence.face = None;
    assert!(evaluate(&claim, &f.ctx(), arrive()).has(ReasonCode::FaceMissing));
}

#[test]
fn session_and_timing_reasons() {
    let f = fixture();
    let claim = f.qr_claim();
    let mut ctx = f.ctx();
    ctx.session = SessionId::from_uuid(Uuid::from_u128(5));
    assert!(evaluate(&claim, &ctx, arrive()).has(ReasonCode::WrongSession));

    let mut ctx = f.ctx();
    ctx.window.starts_at = Timestamp::from_unix(SCAN + 3600);
    let v = evaluate(&claim, &ctx, arrive());
    assert_eq!(v.outcome, Outcome::Rejected);
    assert!(reason(&v, ReasonCode::SessionNotStarted)
        .message
        .contains("starts in 59 min"));

    let mut ctx = f.ctx();
    ctx.window.ends_at = Some(Timestamp::from_unix(SCAN - 1200));
    assert_eq!(
        reason(&evaluate(&claim, &ctx, arrive()), ReasonCode::SessionEnded).message,
        "the session ended 20 min ago"
    );

    // Synced two hours late: judged at scan time, so the token is still good,
    // but by then it had expired: the scan time is the phone's word, and the
    // school's rule (a review by default) decides.
    let late = Timestamp::from_unix(SCAN + 7200);
    let v = evaluate(&claim, &f.ctx(), late);
    assert_eq!(v.outcome, Outcome::Review, "{v:#?}");
    assert!(v.synced_late && v.has(ReasonCode::SyncedLate));
    assert_eq!(
        reason(&v, ReasonCode::LateScanUnverified).severity,
        Severity::NeedsReview
    );
    assert_eq!(v.judged_at.unix(), SCAN);
    assert_eq!(v.factor(Factor::Token), Some(Status::Pass));
    let mut ctx = f.ctx();
    ctx.timing.late_sync = LateSync::Reject;
    let v = evaluate(&claim, &ctx, late);
    assert_eq!(v.outcome, Outcome::Rejected);
    assert!(reason(&v, ReasonCode::LateScanUnverified)
        .message
        .contains("refuses"));
    // The school's own kiosk is taken at its word.
    let mut ctx = f.ctx();
    ctx.timing.trusted_device = true;
    let v = evaluate(&claim, &ctx, late);
    assert_eq!(v.outcome, Outcome::Accepted, "{v:#?}");
    assert!(!v.has(ReasonCode::LateScanUnverified));

    let v = evaluate(&claim, &f.ctx(), Timestamp::from_unix(SCAN + 4 * 86_400));
    assert!(v.has(ReasonCode::ClaimTooOld));
    assert_eq!(v.outcome, Outcome::Rejected);

    let v = evaluate(&claim, &f.ctx(), Timestamp::from_unix(SCAN - 300));
    assert!(v.has(ReasonCode::ScanTimeInFuture));
    assert_ne!(v.outcome, Outcome::Accepted);
}

#[test]
fn a_backdated_scan_of_an_expired_qr_never_passes_on_the_phones_word() {
    // The attack: a QR photographed at SCAN, sent to a friend, submitted 66 s
    // later with the scan time set inside its slot.
    let f = fixture();
    let claim = f.qr_claim();
    let v = evaluate(&claim, &f.ctx(), Timestamp::from_unix(SCAN + 66));
    assert!(v.synced_late);
    assert_ne!(v.outcome, Outcome::Accepted, "{v:#?}");
    assert!(v.has(ReasonCode::LateScanUnverified));
    // Just past the live window but still inside the code's life: the
    // server saw a current code itself, so no doubt is added.
    let mut ctx = f.ctx();
    ctx.timing.live_window_s = 5;
    let v = evaluate(&claim, &ctx, Timestamp::from_unix(SCAN + 10));
    assert!(v.synced_late, "{v:#?}");
    assert_eq!(v.outcome, Outcome::Accepted, "{v:#?}");
    // Without any token there is nothing the server saw itself.
    let mut policy_free = fixture();
    policy_free.policy = Policy::parse("location").unwrap();
    let mut bare = policy_free.qr_claim();
    bare.evidence.token = None;
    let v = evaluate(&bare, &policy_free.ctx(), Timestamp::from_unix(SCAN + 3600));
    assert_eq!(v.outcome, Outcome::Review, "{v:#?}");
}

#[test]
fn a_class_of_another_division_is_refused_with_nothing_else_judged() {
    let f = fixture();
    let mut ctx = f.ctx();
    ctx.enrolment.in_division = false;
    let v = evaluate(&f.qr_claim(), &ctx, arrive());
    assert_eq!(v.outcome, Outcome::Rejected);
    assert_eq!(v.reasons.len(), 1, "{v:#?}");
    assert_eq!(v.reasons[0].code, ReasonCode::NotInDivision);
    assert!(v.factors.is_empty(), "nothing about the class is told");
}

#[test]
fn a_face_score_without_an_enrolled_template_fails() {
    let f = fixture();
    let mut claim = f.qr_claim();
    claim.evidence.radio = None;
    claim.evidence.face.as_mut().unwrap().score = crate::face::FaceScore::new(0.875).unwrap();
    let mut ctx = f.ctx();
    ctx.enrolment.face_model = None;
    let v = evaluate(&claim, &ctx, arrive());
    assert_eq!(v.outcome, Outcome::Rejected, "{v:#?}");
    assert_eq!(
        reason(&v, ReasonCode::FaceNotEnrolled).severity,
        Severity::Rejects
    );
    assert_eq!(v.factor(Factor::Face), Some(Status::Fail));
}

#[test]
fn signature_and_anomaly_reasons() {
    let f = fixture();
    let key = DeviceKey::from_seed(&[1; 32]);
    let signed = SignedClaim::sign(f.qr_claim(), &key);
    assert_eq!(
        evaluate_signed(&signed, &key.public(), &f.ctx(), arrive()).outcome,
        Outcome::Accepted
    );
    let stranger = DeviceKey::from_seed(&[2; 32]);
    let v = evaluate_signed(&signed, &stranger.public(), &f.ctx(), arrive());
    assert_eq!(v.outcome, Outcome::Rejected);
    assert!(v.has(ReasonCode::SignatureInvalid));

    let mut ctx = f.ctx();
    ctx.history.last_sighting = Some(Sighting {
        at: Timestamp::from_unix(SCAN - 600),
        point: GeoPoint::new(19.0760, 72.8777).unwrap(),
        accuracy: Metres::new(10.0).unwrap(),
    });
    let v = evaluate(&f.qr_claim(), &ctx, arrive());
    assert_eq!(v.outcome, Outcome::Review);
    assert!(reason(&v, ReasonCode::ImpossibleTravel)
        .message
        .contains("km from the previous check-in 10 min earlier"));

    let others = [StudentId::from_uuid(Uuid::from_u128(500))];
    let mut ctx = f.ctx();
    ctx.history.other_students_on_device = &others;
    let v = evaluate(&f.qr_claim(), &ctx, arrive());
    assert_eq!(v.outcome, Outcome::Review);
    assert_eq!(
        reason(&v, ReasonCode::SharedDevice).message,
        "this device recently checked in 1 other student"
    );
}

#[test]
fn verdicts_serialise_with_stable_codes() {
    let f = fixture();
    let v = evaluate(&full_claim(None), &f.ctx(), arrive());
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["outcome"], "rejected");
    assert_eq!(json["reasons"][0]["code"], "token_missing");
    assert_eq!(json["reasons"][0]["factor"], "token");
    let back: Verdict = serde_json::from_value(json).unwrap();
    assert_eq!(back, v);
}

mod arbitrary {
    use super::*;
    use proptest::prelude::*;

    /// Numbers at their limits and a few ordinary ones, as JSON text.
    fn number() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                i64::MIN.to_string(),
                i64::MAX.to_string(),
                u64::MAX.to_string(),
                "-1".to_owned(),
                "0".to_owned(),
                "1e308".to_owned(),
                "1e400".to_owned(),
                "-1e-400".to_owned(),
                "3.5e38".to_owned(),
                "253402300800".to_owned(),
                "1700000010".to_owned(),
            ]),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| format!("{f:e}")),
        ]
    }

    /// The leaves of a claim's JSON that hold numbers.
    const NUMBERS: [&str; 7] = [
        "/scanned_at",
        "/evidence/location/point/latitude",
        "/evidence/location/accuracy",
        "/evidence/location/fixed_at",
        "/evidence/radio/wifi/0/rssi",
        "/evidence/face/score",
        "/evidence/radio/beacons/0/rssi",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Any value at any numeric leaf: the claim is refused when read, or
        /// it is judged (at any arrival time, live or late) without a panic,
        /// and a judged claim's instant is the arrival or the scan.
        #[test]
        fn a_claim_with_any_number_anywhere_is_refused_or_judged_never_a_panic(
            leaf in prop::sample::select(NUMBERS.to_vec()),
            value in number(),
            arrival in prop_oneof![any::<i64>(), Just(SCAN + 2), Just(SCAN + 66), Just(i64::MIN)],
        ) {
            let f = fixture();
            let mut json = serde_json::to_value(f.qr_claim()).unwrap();
            *json.pointer_mut(leaf).unwrap() = serde_json::Value::String("\u{1}".into());
            let text = serde_json::to_string(&json)
                .unwrap()
                .replacen("\"\\u0001\"", &value, 1);
            if let Ok(claim) = serde_json::from_str::<Claim>(&text) {
                let at = Timestamp::from_unix(arrival);
                let v = evaluate(&claim, &f.ctx(), at);
                prop_assert!(v.judged_at == at || v.judged_at == claim.scanned_at);
                prop_assert!(claim.scanned_at >= Timestamp::EARLIEST);
                prop_assert!(claim.scanned_at <= Timestamp::LATEST);
            }
        }
    }
}
