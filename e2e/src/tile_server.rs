//! A map tile server on a loopback port, for the tests of the map under a room's
//! geofence: `/{z}/{x}/{y}.png` answers a 256-pixel PNG drawn for that tile (a
//! street grid on a land colour, tinted by the tile's position so the seams
//! show); `/missing/…` answers 404 and `/page/…` an HTML page. It counts requests.

use std::io::Cursor;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A running tile server; stopped when dropped.
#[derive(Debug)]
pub struct TileServer {
    base: String,
    requests: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl TileServer {
    /// Starts one on a free loopback port.
    ///
    /// # Panics
    /// When no loopback port can be bound.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port for the tile server");
        let base = format!("http://{}", listener.local_addr().expect("its address"));
        let requests = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&requests);
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0_u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16_384 {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&head);
                    let path = text.split_whitespace().nth(1).unwrap_or("/").to_owned();
                    let (status, kind, body) = answer(&path);
                    let response = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(response.as_bytes()).await;
                    let _ = stream.write_all(&body).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Self {
            base,
            requests,
            task,
        }
    }

    /// The `{z}/{x}/{y}` template of its tiles.
    #[must_use]
    pub fn template(&self) -> String {
        format!("{}/{{z}}/{{x}}/{{y}}.png", self.base)
    }

    /// A template whose tiles are all missing (404).
    #[must_use]
    pub fn missing_template(&self) -> String {
        format!("{}/missing/{{z}}/{{x}}/{{y}}.png", self.base)
    }

    /// A template that answers web pages, not images.
    #[must_use]
    pub fn page_template(&self) -> String {
        format!("{}/page/{{z}}/{{x}}/{{y}}.png", self.base)
    }

    /// Requests answered so far.
    #[must_use]
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for TileServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn answer(path: &str) -> (&'static str, &'static str, Vec<u8>) {
    if path.starts_with("/missing/") {
        return ("404 Not Found", "text/plain", b"no such tile".to_vec());
    }
    if path.starts_with("/page/") {
        return ("200 OK", "text/html", b"<html>a login page</html>".to_vec());
    }
    let numbers: Vec<u32> = path
        .trim_end_matches(".png")
        .split('/')
        .filter_map(|part| part.parse().ok())
        .collect();
    match numbers.as_slice() {
        [_, x, y] => ("200 OK", "image/png", tile(*x, *y)),
        _ => (
            "404 Not Found",
            "text/plain",
            b"not a tile address".to_vec(),
        ),
    }
}

/// A 256-pixel tile: land, a street every 64 pixels, a tint by position.
fn tile(x: u32, y: u32) -> Vec<u8> {
    let tint = u8::try_from((x.wrapping_mul(7) ^ y.wrapping_mul(13)) % 24).unwrap_or(0);
    let image = image::RgbImage::from_fn(256, 256, |px, py| {
        let street = px % 64 < 6 || py % 64 < 6;
        let edge = px == 0 || py == 0;
        if edge {
            image::Rgb([200, 196, 188])
        } else if street {
            image::Rgb([255, 255, 255])
        } else {
            image::Rgb([236 - tint, 232, 222 + tint / 2])
        }
    });
    let mut png = Cursor::new(Vec::new());
    image
        .write_to(&mut png, image::ImageFormat::Png)
        .map(|()| png.into_inner())
        .unwrap_or_default()
}
