//! The kiosk at a classroom door: signed in with its own credential, it keeps the
//! room's roster templates (cached on disk, so it recognises students offline), runs
//! 1:N on every frame, marks a student only after several agreeing frames, and sends
//! its marks through the same outbox and sync as a phone's claims.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rollcall_core::api::{
    FaceTemplateRecord, KioskConfig, KioskFace, KioskFaceState, KioskFrameResult, KioskMark,
    KioskMarked, KioskRecord, KioskState,
};
use rollcall_core::face::{FaceEvidence, FaceScore, FaceTemplate, Liveness, TemplateMatrix};
use rollcall_core::ids::StudentId;
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::device::key_file::write_private_replacing;
use crate::face::kiosk::{Kiosk, KioskEvent, KioskSettings};
use crate::face::liveness::LivenessScreen;
use crate::face::shots::jpeg_thumbnail;
use crate::face::{model_id, settings, FaceService, MODEL_ID};
use crate::task_slot::TaskSlot;
use crate::{AppError, ServerClient};
use rollcall_checkin::sqlite::Outbox;
use rollcall_checkin::store::ClaimStore as _;
use rollcall_checkin::sync::{Courier, TokioPause};

const RECORD_FILE: &str = "kiosk.json";
const ROSTER_FILE: &str = "roster-templates.json";

struct Door {
    kiosk: Kiosk,
    /// The administrator's settings it runs with.
    config: KioskConfig,
    names: HashMap<StudentId, String>,
    screens: HashMap<StudentId, LivenessScreen>,
    outbox: Outbox,
}

/// The kiosk, held in Tauri's managed state.
#[derive(Default)]
pub struct KioskDoor {
    door: Mutex<Option<Door>>,
    courier: Courier,
    /// The heartbeat that keeps the kiosk listed as online and brings new settings.
    heartbeat: TaskSlot,
}

impl std::fmt::Debug for KioskDoor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KioskDoor")
    }
}

fn storage(error: &impl std::fmt::Display) -> AppError {
    AppError::Phone {
        code: "outbox_failed",
        message: format!("The kiosk's outbox failed: {error}."),
    }
}

/// What `fetched` answered, with a private copy kept in `file`; when the server
/// cannot be reached, the copy. `Ok((value, from_cache))`.
async fn fetch_or_cached<T>(
    fetched: impl std::future::Future<Output = Result<T, rollcall_client::ClientError>>,
    file: &Path,
) -> Result<(T, bool), AppError>
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    match fetched.await.map_err(AppError::from) {
        Ok(value) => {
            let text = serde_json::to_vec(&value).map_err(|e| storage(&e))?;
            write_private_replacing(file, &text).map_err(|e| storage(&e))?;
            Ok((value, false))
        }
        Err(error) if error.is_server_away() => {
            let Ok(text) = std::fs::read(file) else {
                return Err(error);
            };
            let value = serde_json::from_slice(&text).map_err(|e| storage(&e))?;
            Ok((value, true))
        }
        Err(error) => Err(error),
    }
}

/// The roster's templates of the calibrated model as a 1:N matrix, with names.
fn roster(records: Vec<FaceTemplateRecord>) -> (TemplateMatrix, HashMap<StudentId, String>) {
    let usable: Vec<_> = records
        .into_iter()
        .filter(|r| r.model_id == MODEL_ID)
        .collect();
    let dim = usable.first().map_or(0, |r| r.embedding.len());
    let mut matrix = TemplateMatrix::new(model_id(), dim);
    let mut names = HashMap::new();
    for record in usable {
        let student = StudentId::from(record.student_id);
        let Ok(template) = FaceTemplate::from_vector(model_id(), record.embedding) else {
            continue;
        };
        if matrix.push(student, &template).is_ok() {
            names.insert(student, record.display_name);
        }
    }
    (matrix, names)
}

impl KioskDoor {
    /// The one owner of sending the kiosk's marks; the shell runs its worker
    /// once the kiosk has started.
    #[must_use]
    pub fn courier(&self) -> Courier {
        self.courier.clone()
    }

    /// Starts the kiosk for the signed-in kiosk account: its record (the heartbeat),
    /// its room's roster templates and its outbox, in its own folder under `folder`.
    /// Offline, the copies kept from the last start are used.
    ///
    /// # Errors
    /// What the server answers (`forbidden` for an account that is not a kiosk);
    /// the server's error when offline with nothing cached; `outbox_failed`.
    pub async fn start(
        &self,
        client: &ServerClient,
        folder: &Path,
    ) -> Result<(KioskState, Outbox), AppError> {
        let account = client
            .with_session(|s| s.user.id)
            .ok_or(AppError::NOT_SIGNED_IN)?;
        let folder: PathBuf = folder.join(account.to_string());
        let (record, _): (KioskRecord, bool) =
            fetch_or_cached(client.kiosk_heartbeat(), &folder.join(RECORD_FILE)).await?;
        let (records, roster_from_cache): (Vec<FaceTemplateRecord>, bool) =
            fetch_or_cached(client.kiosk_roster_templates(), &folder.join(ROSTER_FILE)).await?;
        let (matrix, names) = roster(records);
        let outbox = Outbox::open(&folder.join("outbox.sqlite"))
            .await
            .map_err(|e| storage(&e))?;
        let pending = outbox.pending().await.map_err(|e| storage(&e))?;
        let config = KioskConfig::read(&record.config);
        let state = KioskState {
            name: record.name,
            room_id: record.room_id,
            enrolled: u32::try_from(matrix.len()).unwrap_or(u32::MAX),
            roster_from_cache,
            pending,
            settings: config,
        };
        *self.door.lock().await = Some(Door {
            kiosk: Kiosk::new(matrix, KioskSettings::configured(settings(), &config)),
            config,
            names,
            screens: HashMap::new(),
            outbox: outbox.clone(),
        });
        Ok((state, outbox))
    }

    /// Applies the settings in `record` (a heartbeat's answer) when they
    /// changed; the new settings, or `None` when nothing changed or no kiosk runs.
    pub async fn apply(&self, record: &KioskRecord) -> Option<KioskConfig> {
        let config = KioskConfig::read(&record.config);
        let mut guard = self.door.lock().await;
        let door = guard.as_mut()?;
        if door.config == config {
            return None;
        }
        door.kiosk
            .set_settings(KioskSettings::configured(settings(), &config));
        door.config = config;
        Some(config)
    }

    /// Runs `heartbeat` as the kiosk's heartbeat, stopping the one before.
    pub fn beat_with(&self, heartbeat: tauri::async_runtime::JoinHandle<()>) {
        self.heartbeat.replace(heartbeat);
    }

    /// Forgets the kiosk (on sign-out) and stops its heartbeat.
    pub async fn stop(&self) {
        self.heartbeat.stop();
        *self.door.lock().await = None;
    }

    /// Looks at one camera frame (base64 PNG or JPEG): every face, who it is once
    /// clear, and the marks made, which are queued and handed to the sync worker
    /// (started with [`KioskDoor::start`]'s outbox), whose answers it waits for a
    /// moment.
    ///
    /// # Errors
    /// `kiosk_not_started`; `bad_picture`; `face_unavailable`; `outbox_failed`.
    pub async fn frame(
        &self,
        faces: &FaceService,
        picture: &str,
    ) -> Result<KioskFrameResult, AppError> {
        let started = Instant::now();
        if self.door.lock().await.is_none() {
            return Err(not_started());
        }
        let seen = faces.faces_in(picture).await?;
        let mut guard = self.door.lock().await;
        let door = guard.as_mut().ok_or_else(not_started)?;
        let probes: Vec<&[f32]> = seen
            .iter()
            .filter_map(|f| f.good.as_ref().ok().map(|g| g.embedding.as_slice()))
            .collect();
        let mut events = door.kiosk.observe(Instant::now(), &probes).into_iter();
        let mut result = KioskFrameResult {
            faces: Vec::with_capacity(seen.len()),
            marked: Vec::new(),
            pending: 0,
            millis: 0,
        };
        let mut marks = Vec::new();
        let mut reviews = Vec::new();
        let mut tracked = Vec::new();
        for face in &seen {
            let (state, student) = match &face.good {
                Err(advice) => {
                    result.faces.push(KioskFace {
                        face: face.face_box,
                        student_name: None,
                        state: KioskFaceState::Unclear,
                        advice: Some(advice.clone()),
                    });
                    continue;
                }
                Ok(good) => {
                    let event = events
                        .next()
                        .unwrap_or(KioskEvent::Unknown { best_score: None });
                    match event {
                        KioskEvent::Marked { student, score } => {
                            let screen = door.screens.entry(student).or_default();
                            screen.push(good.landmarks);
                            let liveness = screen.report().verdict.evidence();
                            door.screens.remove(&student);
                            marks.push(KioskMark {
                                id: Uuid::now_v7(),
                                student_id: *student.as_uuid(),
                                scanned_at: crate::clock::now(),
                                face: FaceEvidence {
                                    score: FaceScore::from_cosine(score),
                                    model: model_id(),
                                    liveness,
                                },
                                thumbnail: None,
                            });
                            (KioskFaceState::Marked, Some(student))
                        }
                        KioskEvent::Recognising {
                            student,
                            frames,
                            needed,
                        } => {
                            door.screens
                                .entry(student)
                                .or_default()
                                .push(good.landmarks);
                            tracked.push(student);
                            (
                                KioskFaceState::Recognising { frames, needed },
                                Some(student),
                            )
                        }
                        KioskEvent::AlreadyMarked { student } => {
                            (KioskFaceState::AlreadyMarked, Some(student))
                        }
                        KioskEvent::Unknown { .. } => (KioskFaceState::Unknown, None),
                        KioskEvent::Doubtful { student, score } => {
                            door.screens.remove(&student);
                            let id = Uuid::now_v7();
                            reviews.push(id);
                            marks.push(KioskMark {
                                id,
                                student_id: *student.as_uuid(),
                                scanned_at: crate::clock::now(),
                                face: FaceEvidence {
                                    score: FaceScore::from_cosine(score),
                                    model: model_id(),
                                    liveness: Liveness::NotTaken,
                                },
                                thumbnail: jpeg_thumbnail(&good.crop),
                            });
                            // Never named on screen: it is not a match.
                            (KioskFaceState::SentForReview, None)
                        }
                    }
                }
            };
            result.faces.push(KioskFace {
                face: face.face_box,
                student_name: student.and_then(|s| door.names.get(&s).cloned()),
                state,
                advice: None,
            });
        }
        // A streak broken is a new look: its landmarks start again too.
        door.screens.retain(|student, _| tracked.contains(student));
        for mark in &marks {
            door.outbox
                .enqueue_mark(mark)
                .await
                .map_err(|e| storage(&e))?;
        }
        let greeted: Vec<(Uuid, Uuid, String)> = marks
            .iter()
            .filter(|m| !reviews.contains(&m.id))
            .map(|m| {
                let name = door.names.get(&StudentId::from(m.student_id)).cloned();
                (m.id, m.student_id, name.unwrap_or_default())
            })
            .collect();
        let outbox = door.outbox.clone();
        // The next frame need not wait for the network.
        drop(guard);
        let answers = if marks.is_empty() {
            Vec::new()
        } else {
            // The worker sends them; offline, it keeps trying with its backoff.
            let ids: Vec<Uuid> = marks.iter().map(|m| m.id).collect();
            self.courier
                .answers_for(&ids, ANSWERS_WITHIN_S, &TokioPause)
                .await
        };
        for (id, student_id, student_name) in greeted {
            result.marked.push(KioskMarked {
                student_id,
                student_name,
                result: answers.iter().find(|a| a.claim_id == id).cloned(),
            });
        }
        result.pending = outbox.pending().await.map_err(|e| storage(&e))?;
        result.millis = u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX);
        Ok(result)
    }
}

/// How long a frame waits for the server's answers to its marks before the
/// greeting says they are kept and will be sent.
const ANSWERS_WITHIN_S: u16 = 10;

fn not_started() -> AppError {
    AppError::Face {
        code: "kiosk_not_started",
        message: "The kiosk is not started. Sign in with the kiosk's credential.".to_owned(),
    }
}
