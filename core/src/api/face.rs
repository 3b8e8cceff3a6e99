//! The face commands' answers: whether this device can use the face factor, what a
//! shot looks like to the quality gates, an enrolment's result, and what the kiosk
//! saw in a frame.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ClaimResult, FaceTemplateInfo};

/// Whether this device can check faces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceStatus {
    /// The models and ONNX Runtime loaded.
    pub available: bool,
    /// The embedding model, when available.
    pub model_id: Option<String>,
    /// Why not, as a sentence, when unavailable.
    pub problem: Option<String>,
}

/// A face's box as fractions (0–1) of the frame's width and height, so the UI can
/// draw it over a picture of any size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FaceBox {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
}

/// One picture as the quality gates see it (an enrolment shot or a selfie).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShotReport {
    /// Faces found.
    pub faces: u32,
    /// Usable: exactly one clear face that passes every gate.
    pub good: bool,
    /// What to tell the person ("move closer", "too dark"), or that it is good.
    pub advice: String,
    /// A stable code for what is wrong (`no_face`, `several_faces`, `face_too_dark`…).
    pub issue: Option<String>,
    /// The face the report is about.
    pub face: Option<FaceBox>,
}

/// An enrolment made from several shots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrolmentResult {
    /// What the server stored.
    pub template: FaceTemplateInfo,
    /// Shots that went into the template.
    pub shots_used: u32,
    /// Every shot's report, in the order given.
    pub shots: Vec<ShotReport>,
}

/// The kiosk, once started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskState {
    /// The kiosk's name.
    pub name: String,
    /// Its room.
    pub room_id: Uuid,
    /// Enrolled students it can recognise.
    pub enrolled: u32,
    /// The roster came from this device's cache (the server was unreachable).
    pub roster_from_cache: bool,
    /// Marks waiting in the outbox.
    pub pending: u64,
    /// The settings it runs with (an administrator's, from its last heartbeat).
    pub settings: super::KioskConfig,
}

/// The event the app sends the kiosk's window when its settings changed at a
/// heartbeat; the payload is the new [`super::KioskConfig`].
pub const KIOSK_SETTINGS_EVENT: &str = "kiosk-settings";

/// What the kiosk concluded about one face.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum KioskFaceState {
    /// A clear match, collecting agreeing frames.
    Recognising {
        /// Agreeing frames so far.
        frames: u32,
        /// Frames needed.
        needed: u32,
    },
    /// Marked present in this frame.
    Marked,
    /// Marked a little while ago.
    AlreadyMarked,
    /// Not clearly anyone enrolled: never matched.
    Unknown,
    /// Looked a little like an enrolled student over several frames: not matched,
    /// sent with a thumbnail for a person to confirm.
    SentForReview,
    /// The face is not good enough to compare (the advice says why).
    Unclear,
}

/// One face in a kiosk frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KioskFace {
    /// Where.
    pub face: FaceBox,
    /// Who, when recognised.
    pub student_name: Option<String>,
    /// The conclusion.
    pub state: KioskFaceState,
    /// For an unclear face: what to do.
    pub advice: Option<String>,
}

/// A mark the kiosk made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KioskMarked {
    /// The student.
    pub student_id: Uuid,
    /// Their name.
    pub student_name: String,
    /// The server's verdict, when it could be reached; `None`: in the outbox.
    pub result: Option<ClaimResult>,
}

/// What the kiosk saw in one frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KioskFrameResult {
    /// Every face, largest first.
    pub faces: Vec<KioskFace>,
    /// Students marked in this frame.
    pub marked: Vec<KioskMarked>,
    /// Marks waiting in the outbox.
    pub pending: u64,
    /// Time spent on the frame (detection, alignment, embedding, 1:N), milliseconds.
    pub millis: u32,
}
