//! The app's commands, called through Tauri's real IPC path (mock runtime, no display),
//! with the app's own capabilities.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: an unexpected failure is the test failing, with its message"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::thread;

use rollcall_app::{context, run_app_with, AppConfig};
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

struct TestApp {
    app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
}

impl TestApp {
    fn start(default_server_url: &str) -> Self {
        let config = AppConfig {
            default_server_url: default_server_url.to_owned(),
            ..AppConfig::default()
        };
        let app = run_app_with(mock_builder(), config)
            .build(context())
            .expect("the app builds on the mock runtime");
        // `App::run` would open the configured windows; the tests open the main one as
        // configured, so the capabilities for `main` apply.
        let main = app
            .config()
            .app
            .windows
            .iter()
            .find(|w| w.label == "main")
            .cloned();
        let main = main.expect("tauri.conf.json configures the main window");
        let window = WebviewWindowBuilder::from_config(&app, &main)
            .and_then(WebviewWindowBuilder::build)
            .expect("the main window opens on the mock runtime");
        Self { app, window }
    }

    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        invoke_in(&self.window, cmd, args)
    }

    fn login(&self, server_url: &str, login: &str, password: &str) -> Result<Value, Value> {
        self.invoke(
            "login",
            json!({"serverUrl": server_url, "login": login, "password": password}),
        )
    }
}

fn invoke_in(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().expect("a valid URL"),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_owned(),
    };
    get_ipc_response(window, request)
        .map(|body| body.deserialize::<Value>().expect("a JSON answer"))
}

/// A loopback port with nothing listening on it.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn default_server_url_returns_the_configured_address() {
    let app = TestApp::start("http://rollcall.test:9000");
    assert_eq!(
        app.invoke("default_server_url", json!({})),
        Ok(json!("http://rollcall.test:9000"))
    );
}

#[test]
fn a_window_without_a_capability_cannot_call_the_commands() {
    let app = TestApp::start("http://127.0.0.1:8080");
    let other = WebviewWindowBuilder::new(&app.app, "other", Default::default())
        .build()
        .unwrap();
    let denied = invoke_in(&other, "default_server_url", json!({})).unwrap_err();
    assert!(denied.to_string().contains("not allowed"), "{denied}");
}

#[test]
fn the_window_may_look_for_the_code_in_webcam_frames() {
    use base64::Engine as _;
    let app = TestApp::start("http://127.0.0.1:8080");
    let mut png = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(64, 48, image::Rgb([200, 200, 200]))
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    let blank = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png.into_inner())
    );
    // No code in view yet: nothing, and the scan goes on.
    assert_eq!(
        app.invoke("read_qr_frame", json!({"frame": blank})),
        Ok(Value::Null)
    );
    let error = app
        .invoke("read_qr_frame", json!({"frame": "not a picture"}))
        .unwrap_err();
    assert_eq!(error["code"], "no_code", "{error}");
}

#[test]
fn without_a_tile_server_the_fence_map_says_so() {
    let app = TestApp::start("http://127.0.0.1:8080");
    let shape = json!({"kind": "circle", "centre": {"latitude": 18.52, "longitude": 73.85}, "radius_m": 30.0});
    let error = app
        .invoke("fence_map", json!({"shape": shape, "size": 320}))
        .unwrap_err();
    assert_eq!(error["code"], "map_unavailable", "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("ROLLCALL_MAP_TILES"),
        "{error}"
    );
}

#[test]
fn login_with_a_malformed_address_reports_bad_server_url() {
    let app = TestApp::start("http://127.0.0.1:8080");
    for address in ["not a url", "ftp://rollcall.test", ""] {
        let error = app
            .login(address, "teacher1", "rollcall-teacher")
            .unwrap_err();
        assert_eq!(error["code"], "bad_server_url", "{address:?}: {error}");
        assert!(error["message"]
            .as_str()
            .unwrap()
            .contains("http://127.0.0.1:8080"));
    }
}

#[test]
fn login_to_a_closed_port_reports_server_unreachable_naming_the_address() {
    let app = TestApp::start("http://127.0.0.1:8080");
    let address = format!("http://127.0.0.1:{}", closed_port());
    let error = app
        .login(&address, "teacher1", "rollcall-teacher")
        .unwrap_err();
    assert_eq!(error["code"], "server_unreachable", "{error}");
    assert!(
        error["message"].as_str().unwrap().contains(&address),
        "{error}"
    );
}

#[test]
fn login_without_a_password_is_refused_before_any_request() {
    let app = TestApp::start("http://127.0.0.1:8080");
    let address = format!("http://127.0.0.1:{}", closed_port());
    let error = app.login(&address, "teacher1", "").unwrap_err();
    assert_eq!(error["code"], "missing_credentials", "{error}");
}

#[test]
fn a_wrong_password_reports_invalid_credentials() {
    let server = FakeServer::start();
    let app = TestApp::start("http://127.0.0.1:8080");
    let error = app
        .login(&server.url(), "teacher1", "not-the-password")
        .unwrap_err();
    assert_eq!(
        error,
        json!({"code": "invalid_credentials", "message": "Wrong username or password."})
    );
}

#[test]
fn a_successful_login_returns_the_user_and_server_but_never_the_token() {
    let server = FakeServer::start();
    let app = TestApp::start("http://127.0.0.1:8080");
    let signed_in = app
        .login(&server.url(), " teacher1 ", "rollcall-teacher")
        .unwrap();
    assert_eq!(signed_in["user"]["display_name"], "Ada Lovelace");
    assert_eq!(signed_in["user"]["role"], "teacher");
    assert_eq!(signed_in["server"]["version"], "9.8.7");
    assert_eq!(signed_in["server_address"], server.url());
    assert!(
        !signed_in.to_string().contains(FakeServer::TOKEN),
        "{signed_in}"
    );

    assert_eq!(app.invoke("sign_out", json!({})), Ok(Value::Null));
}

#[test]
fn something_that_is_not_a_rollcall_server_is_named_as_such() {
    let server = FakeServer::start();
    let app = TestApp::start("http://127.0.0.1:8080");
    let error = app
        .login(&format!("{}/elsewhere", server.url()), "teacher1", "x")
        .unwrap_err();
    assert_eq!(error["code"], "not_rollcall_server", "{error}");
}

/// A tiny HTTP/1.1 server that answers like Rollcall's API for `teacher1` /
/// `rollcall-teacher`, so the login path is tested without a database.
struct FakeServer {
    addr: SocketAddr,
}

impl FakeServer {
    const TOKEN: &'static str = "fake-access-token-7f3a";
    const REFRESH_TOKEN: &'static str = "fake-refresh-token-91bc";

    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                thread::spawn(move || Self::answer(stream));
            }
        });
        Self { addr }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn answer(mut stream: std::net::TcpStream) {
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut request_line = String::new();
        reader.read_line(&mut request_line).unwrap();
        let mut content_length = 0;
        loop {
            let mut header = String::new();
            reader.read_line(&mut header).unwrap();
            if header.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.trim().parse().unwrap();
                }
            }
        }
        let mut body = vec![0; content_length];
        reader.read_exact(&mut body).unwrap();

        let (status, reply) = match request_line.split_whitespace().take(2).collect::<Vec<_>>()[..]
        {
            ["GET", "/api/v1/meta"] => (
                "200 OK",
                json!({"name": "rollcall-server", "version": "9.8.7"}),
            ),
            ["POST", "/api/v1/auth/login"] => {
                let request: Value = serde_json::from_slice(&body).unwrap();
                if request == json!({"login": "teacher1", "password": "rollcall-teacher"}) {
                    (
                        "200 OK",
                        json!({
                            "access_token": Self::TOKEN,
                            "token_type": "Bearer",
                            "expires_in": 900,
                        "refresh_token": Self::REFRESH_TOKEN,
                        "refresh_expires_in": 2_592_000,
                            "user": {
                                "id": "0191f5e2-7a40-7cc0-9a0e-5d2f4b8c1a01",
                                "username": "teacher1",
                                "display_name": "Ada Lovelace",
                                "role": "teacher"
                            }
                        }),
                    )
                } else {
                    (
                        "401 Unauthorized",
                        json!({"error": {
                            "code": "invalid_credentials",
                            "message": "Wrong username or password."
                        }}),
                    )
                }
            }
            _ => ("404 Not Found", Value::String("<h1>Not here</h1>".into())),
        };
        let body = reply.to_string();
        let content_type = if reply.is_string() {
            "text/html"
        } else {
            "application/json"
        };
        write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
    }
}

#[test]
fn the_classroom_commands_answer_with_typed_errors_before_a_sign_in() {
    let app = TestApp::start("http://127.0.0.1:8080");
    let session = "0193b9f2-0000-7000-8000-000000000001";
    let error = app
        .invoke("presentation_frame", json!({"sessionId": session}))
        .unwrap_err();
    assert_eq!(error["code"], "unknown_class");
    let error = app.invoke("today_classes", json!({})).unwrap_err();
    assert_eq!(error["code"], "not_signed_in");
    assert_eq!(error["message"], "You are not signed in. Sign in first.");
    let error = app
        .invoke(
            "export_class_sheet",
            json!({"sessionId": session, "format": "xlsx"}),
        )
        .unwrap_err();
    assert!(
        error.as_str().is_some_and(|e| e.contains("format")),
        "{error}"
    );
    assert_eq!(
        app.invoke("stop_watching_roster", json!({})),
        Ok(Value::Null)
    );
    let error = app
        .invoke(
            "check_in",
            json!({"form": {"sessionId": session, "code": "123456"}}),
        )
        .unwrap_err();
    assert_eq!(
        error["code"], "not_signed_in",
        "a check-in needs a prepared phone"
    );
    assert_eq!(app.invoke("sync_status", json!({})).unwrap()["pending"], 0);
}
