//! What the app's Rust side and its UI say to each other through Tauri
//! commands (the UI never talks to the network itself).

use serde::{Deserialize, Serialize};

use uuid::Uuid;

use super::{
    AttendanceReport, AttendanceStatus, ClaimResult, ClassSession, DeviceStatus, ReviewDecision,
    Role, Roster, ServerInfo, UserSummary,
};

/// The arguments of the `login` command (Tauri names arguments in camelCase).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginForm {
    /// The server address as typed.
    pub server_url: String,
    /// A username or an e-mail address.
    pub login: String,
    /// The password.
    pub password: String,
    /// Stay signed in on this device after the app closes (the refresh token
    /// in the OS keystore).
    #[serde(default)]
    pub remember: bool,
}

/// Who signed in, and to which server. The tokens are deliberately absent:
/// they never leave the Rust side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    /// The signed-in account.
    pub user: UserSummary,
    /// The server's name and version.
    pub server: ServerInfo,
    /// The normalised server address, as the app will use it.
    pub server_address: String,
}

/// A failed command: `{"code": "...", "message": "..."}`. The UI decides by
/// `code` and may show `message`, a sentence meant for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandError {
    /// What went wrong, to decide on.
    pub code: CommandErrorCode,
    /// A sentence for people.
    pub message: String,
    /// What each problem is about (a field, a CSV line), when the server said.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub details: std::collections::BTreeMap<String, String>,
}

/// The error codes the UI tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandErrorCode {
    /// The server address is not a usable http(s) URL.
    BadServerUrl,
    /// The username or password was empty.
    MissingCredentials,
    /// Nothing answered at the server address.
    ServerUnreachable,
    /// Wrong username or password.
    InvalidCredentials,
    /// Something answered, but not a Rollcall server.
    NotRollcallServer,
    /// The server failed on its side.
    ServerError,
    /// No one is signed in on the Rust side (the app restarted, or signed out).
    NotSignedIn,
    /// The sign-in expired or was revoked; the user must sign in again.
    SignInAgain,
    /// The class is not one of this teacher's classes today, so its QR cannot be drawn.
    UnknownClass,
    /// A file could not be saved where the app tried to save it.
    SaveFailed,
    /// No map could be drawn: no tile server set up, or it did not answer.
    MapUnavailable,
    /// The Rust side could not be called at all (not inside the app, or the
    /// command is not permitted for this window).
    Ipc,
    /// The server's own code, passed through (an unknown one reads as
    /// [`ErrorCode::Unknown`]); its message is shown as it is.
    #[serde(untagged)]
    Api(super::ErrorCode),
}

/// A room's geofence on a map, ready to draw in a `size` × `size` square:
/// Web Mercator tiles placed in it and the fence's outline in the same pixels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FenceMap {
    /// The square's side, in pixels.
    pub size: u32,
    /// The tiles' zoom level.
    pub zoom: u8,
    /// Metres per pixel at the fence's centre (for a scale bar).
    pub metres_per_pixel: f64,
    /// The tiles covering the square.
    pub tiles: Vec<MapTile>,
    /// The fence.
    pub outline: MapOutline,
    /// Whom the map data is credited to, to be shown on the map.
    pub attribution: String,
}

/// One map tile: its top-left corner in the square and the image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapTile {
    /// Pixels from the left (may be negative: the tile starts outside).
    pub x: f64,
    /// Pixels from the top.
    pub y: f64,
    /// Its side, in pixels.
    pub side: f64,
    /// The image as a `data:` URL.
    pub href: String,
}

/// The fence in the map's pixels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "shape", rename_all = "snake_case")]
pub enum MapOutline {
    /// A circle.
    Circle {
        /// Its centre, from the left.
        cx: f64,
        /// Its centre, from the top.
        cy: f64,
        /// Its radius.
        r: f64,
    },
    /// A polygon's `points` attribute (`x,y x,y …`).
    Polygon {
        /// The corners.
        points: String,
    },
}

/// The QR code as the UI draws it: a square of `size` modules (quiet zone
/// included) and an SVG path of its dark modules, one unit per module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QrDrawing {
    /// Modules per side, quiet zone included.
    pub size: u32,
    /// SVG path data of the dark modules.
    pub path: String,
}

/// What the teacher's presentation screen shows at one instant. The session
/// secret stays on the Rust side; this is computed there, also offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresentationFrame {
    /// The session.
    pub session_id: Uuid,
    /// The text inside the QR code.
    pub payload: String,
    /// The QR code to draw.
    pub qr: QrDrawing,
    /// The six-digit code students may type instead.
    pub otp: String,
    /// Seconds until the QR code changes.
    pub qr_seconds_left: u16,
    /// Seconds between QR changes.
    pub qr_period_s: u16,
    /// Seconds until the code changes.
    pub otp_seconds_left: u16,
}

/// The state of the app's connection to a session's live roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LiveConnection {
    /// Connecting (first time or again).
    Connecting,
    /// Connected: the roster is current.
    Live,
    /// Not connected; the app tries again in `retry_in_s` seconds.
    Offline {
        /// Seconds until the next attempt.
        retry_in_s: u16,
        /// What went wrong, as a sentence.
        problem: String,
    },
    /// The sign-in expired; the roster stops until the user signs in again.
    SignedOut,
}

/// The `live-roster` event the Rust side sends the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveRosterEvent {
    /// The session.
    pub session_id: Uuid,
    /// The connection.
    pub connection: LiveConnection,
    /// The latest roster known, if any (kept while offline).
    pub roster: Option<Roster>,
}

/// The name of the event that carries [`LiveRosterEvent`]s.
pub const LIVE_ROSTER_EVENT: &str = "live-roster";

/// A file the app saved for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedFile {
    /// Where it is.
    pub path: String,
    /// How big it is.
    pub bytes: u64,
}

/// The arguments of the `mark_student` command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarkForm {
    /// The session.
    pub session_id: Uuid,
    /// The student.
    pub student_id: Uuid,
    /// The status to set.
    pub status: AttendanceStatus,
    /// Why (required; audited).
    pub reason: String,
}

/// What a report covers, as the admin's filters give it (the `attendance_report`
/// and `export_report` commands).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportFilterForm {
    /// One division, or all.
    #[serde(default)]
    pub division_id: Option<Uuid>,
    /// First day, `YYYY-MM-DD` (default: 30 days before `to`).
    #[serde(default)]
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (default: today).
    #[serde(default)]
    pub to: Option<String>,
}

/// One division's attendance on the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DivisionRate {
    /// The division.
    pub division_id: Uuid,
    /// Its code ("SE-A").
    pub code: String,
    /// Attended / countable records, percent; none before any class.
    pub percentage: Option<f64>,
    /// Students below the at-risk threshold.
    pub at_risk: u32,
}

/// The admin's dashboard: today's classes, the last 30 days, and each division.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    /// Today's date at the school, `YYYY-MM-DD`.
    pub today: String,
    /// Today's class sessions.
    pub sessions: Vec<ClassSession>,
    /// The whole school over the last 30 days (daily series, at-risk rows).
    pub overall: AttendanceReport,
    /// Each division over the same period.
    pub divisions: Vec<DivisionRate>,
    /// Claims waiting in the review queue.
    pub review_waiting: u64,
}

/// The arguments of the `decide_review` command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewForm {
    /// The doubtful claim.
    pub claim_id: Uuid,
    /// Approve or reject.
    pub decision: ReviewDecision,
    /// Why (required; audited).
    pub note: String,
}

/// The people list's search and filters (the `list_users` command).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserQuery {
    /// Free text over usernames, names, e-mail and roll numbers.
    #[serde(default)]
    pub search: String,
    /// One role only.
    #[serde(default)]
    pub role: Option<Role>,
    /// Active or deactivated accounts only.
    #[serde(default)]
    pub active: Option<bool>,
    /// 1-based page.
    #[serde(default)]
    pub page: u32,
    /// Rows per page (0: the default, 25).
    #[serde(default)]
    pub per_page: u32,
}

/// Where the phone's outbox stands, for the sync indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// Claims waiting to be sent.
    pub pending: u64,
    /// When the server last answered (unix seconds), if ever.
    pub last_sync: Option<i64>,
    /// Why the last attempt failed, as a sentence, if it did.
    pub problem: Option<String>,
    /// Seconds until the next attempt while claims wait after a failure.
    pub retry_in_s: Option<u16>,
}

/// This device as a student's phone (the `prepare_phone` command).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneState {
    /// The device id on the server.
    pub device_id: Uuid,
    /// Bound (`active`), waiting for an admin (`pending`) or `revoked`.
    pub status: DeviceStatus,
    /// Check-ins waiting in the outbox.
    pub pending: u64,
    /// The device has a live camera QR scanner (a phone's barcode scanner).
    #[serde(default)]
    pub camera_scanner: bool,
}

/// What a check-in came to (the `check_in` command).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckInAnswer {
    /// The claim made.
    pub claim_id: Uuid,
    /// The server's verdict, when it could be reached; `None`: kept in the outbox.
    pub result: Option<ClaimResult>,
    /// Check-ins still waiting in the outbox.
    pub pending: u64,
}

/// The arguments of the `check_in` command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckInForm {
    /// The class.
    pub session_id: Uuid,
    /// The six digits typed; empty: scan the QR code with the camera.
    #[serde(default)]
    pub code: String,
    /// Selfies (base64 PNG or JPEG) for the on-device face check; several
    /// consecutive frames also allow the liveness screening. Empty: no face check.
    #[serde(default)]
    pub selfies: Vec<String>,
}

/// The name of the event that carries [`SyncStatus`].
pub const SYNC_STATUS_EVENT: &str = "sync-status";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_codes_deserialise() {
        let known: CommandError =
            serde_json::from_str(r#"{"code":"invalid_credentials","message":"Wrong."}"#).unwrap();
        assert_eq!(known.code, CommandErrorCode::InvalidCredentials);
        let unknown: CommandError =
            serde_json::from_str(r#"{"code":"validation_failed","message":"Too long."}"#).unwrap();
        assert_eq!(
            unknown.code,
            CommandErrorCode::Api(super::super::ErrorCode::Unknown)
        );
        let server: CommandError =
            serde_json::from_str(r#"{"code":"timetable_clash","message":"Taken."}"#).unwrap();
        assert_eq!(
            server.code,
            CommandErrorCode::Api(super::super::ErrorCode::TimetableClash)
        );
        assert_eq!(unknown.message, "Too long.");
    }

    #[test]
    fn the_login_form_uses_the_command_argument_names() {
        let form = LoginForm {
            server_url: "http://127.0.0.1:8080".into(),
            login: "teacher1".into(),
            password: "secret".into(),
            remember: true,
        };
        assert_eq!(
            serde_json::to_value(form).unwrap(),
            serde_json::json!({"serverUrl": "http://127.0.0.1:8080", "login": "teacher1", "password": "secret", "remember": true})
        );
    }
}
