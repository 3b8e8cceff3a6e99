//! The desktop's QR reader on "photographs" of the teacher's screen: real payloads
//! drawn as the presentation screen draws them, then put through what a camera at
//! the back of a room does to them — small and off-centre, rotated, keystoned,
//! blurred, low contrast, noisy — and read through the camera path (an image file).
//! Prints the success rate; no misread is tolerated.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use image::{GrayImage, Luma};
use rollcall_app::device::qr_reader::{read, rollcall_code_in_frame, ImageFileCamera};
use rollcall_app::teacher::presentation::draw;
use rollcall_checkin::sensors::QrScanner as _;
use rollcall_core::ids::SessionId;
use rollcall_core::qr::{QrPeriod, RotatingQr, SessionSecret};
use uuid::Uuid;

/// A small deterministic generator (no test randomness).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next()
    }
}

/// The code as the screen shows it: one unit per module, quiet zone included.
fn modules(text: &str) -> (u32, Vec<bool>) {
    let drawing = draw(text).expect("a payload fits a QR code");
    let size = drawing.size;
    let mut dark = vec![false; (size * size) as usize];
    for cell in drawing.path.split('M').filter(|c| !c.is_empty()) {
        let mut parts = cell.split([' ', 'h']);
        let x: u32 = parts.next().unwrap().parse().unwrap();
        let y: u32 = parts.next().unwrap().parse().unwrap();
        dark[(y * size + x) as usize] = true;
    }
    (size, dark)
}

/// A 3×3 matrix inverse (the homography's).
fn invert(m: [[f64; 3]; 3]) -> [[f64; 3]; 3] {
    let det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    let c = |a: usize, b: usize, d: usize, e: usize| m[a][b] * m[d][e] - m[a][e] * m[d][b];
    [
        [
            c(1, 1, 2, 2) / det,
            -c(0, 1, 2, 2) / det,
            c(0, 1, 1, 2) / det,
        ],
        [
            -c(1, 0, 2, 2) / det,
            c(0, 0, 2, 2) / det,
            -c(0, 0, 1, 2) / det,
        ],
        [
            c(1, 0, 2, 1) / det,
            -c(0, 0, 2, 1) / det,
            c(0, 0, 1, 1) / det,
        ],
    ]
}

/// A 640×480 camera frame of the code, transformed.
fn photograph(text: &str, rng: &mut Lcg) -> GrayImage {
    let (size, dark) = modules(text);
    let (w, h) = (640_u32, 480_u32);
    let module_px = rng.range(3.2, 9.0);
    let angle = rng.range(-0.35, 0.35);
    let tilt = rng.range(-0.0009, 0.0009) / module_px;
    let span = module_px * f64::from(size);
    let (tx, ty) = (
        rng.range(20.0, (f64::from(w) - span - 20.0).max(21.0)),
        rng.range(20.0, (f64::from(h) - span - 20.0).max(21.0)),
    );
    let (cos, sin) = (angle.cos() * module_px, angle.sin() * module_px);
    let to_frame = [[cos, -sin, tx], [sin, cos, ty], [tilt, tilt / 2.0, 1.0]];
    let to_code = invert(to_frame);
    let (ink, paper) = (rng.range(10.0, 80.0), rng.range(170.0, 250.0));
    let mut frame = GrayImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (f64::from(x), f64::from(y));
        let q = to_code[2][0] * fx + to_code[2][1] * fy + to_code[2][2];
        let u = (to_code[0][0] * fx + to_code[0][1] * fy + to_code[0][2]) / q;
        let v = (to_code[1][0] * fx + to_code[1][1] * fy + to_code[1][2]) / q;
        // The room around the screen: a dim gradient.
        let room = 90.0 + 60.0 * fx / f64::from(w);
        let value = if u >= 0.0 && v >= 0.0 && u < f64::from(size) && v < f64::from(size) {
            if dark[(v as u32 * size + u as u32) as usize] {
                ink
            } else {
                paper
            }
        } else {
            room
        };
        Luma([value as u8])
    });
    frame = image::imageops::blur(&frame, rng.range(0.3, 1.6) as f32);
    let noise = rng.range(4.0, 22.0);
    for pixel in frame.pixels_mut() {
        let n = (rng.next() - 0.5) * 2.0 * noise;
        pixel.0[0] = (f64::from(pixel.0[0]) + n).clamp(0.0, 255.0) as u8;
    }
    frame
}

#[test]
fn the_desktop_reads_photographed_qr_codes_and_never_misreads_one() {
    let secret = SessionSecret::from_bytes(&[7; 32]).unwrap();
    let qr = RotatingQr::new(
        SessionId::from(Uuid::from_u128(0x0193_b9f2_0000_7000_8000_0000_0000_0001)),
        &secret,
        QrPeriod::DEFAULT,
    );
    let mut rng = Lcg(20_261_121);
    let total = 120;
    let mut read_ok = 0;
    for slot in 0..total {
        let text = qr.payload_for_slot(89_000_000 + slot).to_string();
        let frame = photograph(&text, &mut rng);
        if let Some(found) = read(&frame) {
            assert_eq!(found, text, "a misread is never acceptable");
            read_ok += 1;
        }
    }
    let rate = f64::from(read_ok) / f64::from(total) * 100.0;
    println!("desktop QR reader: {read_ok}/{total} photographed codes read ({rate:.1} %)");
    assert!(
        rate >= 90.0,
        "only {rate:.1} % of photographed codes were read"
    );
}

#[test]
fn the_camera_path_reads_an_image_file_and_says_when_it_sees_no_code() {
    let secret = SessionSecret::from_bytes(&[9; 32]).unwrap();
    let qr = RotatingQr::new(
        SessionId::from(Uuid::from_u128(5)),
        &secret,
        QrPeriod::DEFAULT,
    );
    let text = qr.payload_for_slot(1).to_string();
    let folder = std::env::temp_dir().join(format!("rollcall-qr-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&folder).unwrap();
    let photo = folder.join("screen.png");
    photograph(&text, &mut Lcg(1)).save(&photo).unwrap();
    assert_eq!(ImageFileCamera::new(&photo).scan().unwrap(), text);
    let blank = folder.join("blank.png");
    GrayImage::from_pixel(64, 64, Luma([200]))
        .save(&blank)
        .unwrap();
    let error = ImageFileCamera::new(&blank).scan().unwrap_err();
    assert!(error.to_string().contains("no QR code"), "{error}");
    let missing = ImageFileCamera::new(&folder.join("nope.png"))
        .scan()
        .unwrap_err();
    assert!(
        missing.to_string().contains("could not be read"),
        "{missing}"
    );
    std::fs::remove_dir_all(&folder).unwrap();
}

/// A frame as the webcam panel sends it: a JPEG `data:` URL.
fn webcam_frame(frame: &GrayImage) -> String {
    use base64::Engine as _;
    let mut jpeg = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageLuma8(frame.clone())
        .to_rgb8()
        .write_to(&mut jpeg, image::ImageFormat::Jpeg)
        .unwrap();
    format!(
        "data:image/jpeg;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(jpeg.into_inner())
    )
}

#[test]
fn the_webcam_reader_finds_the_rollcall_code_in_a_frame_and_passes_over_others() {
    let secret = SessionSecret::from_bytes(&[3; 32]).unwrap();
    let qr = RotatingQr::new(
        SessionId::from(Uuid::from_u128(11)),
        &secret,
        QrPeriod::DEFAULT,
    );
    let text = qr.payload_for_slot(2).to_string();
    let seen = rollcall_code_in_frame(&webcam_frame(&photograph(&text, &mut Lcg(2)))).unwrap();
    assert_eq!(seen.as_deref(), Some(text.as_str()));

    // A menu's QR code in view, or nothing yet: keep looking.
    let other = photograph("https://example.org/lunch-menu", &mut Lcg(3));
    assert_eq!(rollcall_code_in_frame(&webcam_frame(&other)).unwrap(), None);
    let blank = GrayImage::from_pixel(320, 240, Luma([180]));
    assert_eq!(rollcall_code_in_frame(&webcam_frame(&blank)).unwrap(), None);

    // Not a picture: an error in words.
    let error = rollcall_code_in_frame("data:image/jpeg;base64,bm90IGEgcGljdHVyZQ==").unwrap_err();
    assert!(error.to_string().contains("could not be read"), "{error}");
}
