use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use web_sys::{File, HtmlInputElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::client::face::{
    self as face_client, KioskFace, KioskFaceState, KioskFrameResult, KioskMarked, KioskState,
};
use crate::client::{self, SyncStatus, SYNC_STATUS_EVENT};
use crate::shared::camera;
use crate::shared::sign_in_guard::{loading, Loadable, SignInGuard};
use crate::shared::webcam::Webcam;
use rollcall_core::api::{KioskConfig, KIOSK_SETTINGS_EVENT};
use rollcall_core::verdict::Outcome;

/// Frames per second from the webcam (the pipeline's aim is at least 5).
const FRAME_MS: u32 = 200;

/// What the kiosk desk needs.
#[derive(Properties, PartialEq)]
pub struct KioskDeskProps {
    /// Called with a sentence when the sign-in has expired.
    pub on_expired: Callback<String>,
}

/// The kiosk at the door: full screen, the camera's frames recognised against the
/// room's enrolled students, a greeting for each student marked, and the outbox's
/// state. Without a camera in the webview, picture files are fed through the same path.
#[component]
pub fn KioskDesk(props: &KioskDeskProps) -> Html {
    let guard = SignInGuard(props.on_expired.clone());
    let state = use_state(|| Loadable::<KioskState>::Loading);
    let last = use_state(|| None::<Result<KioskFrameResult, String>>);
    let greeted = use_state(Vec::<KioskMarked>::new);
    let sync = use_state(|| None::<SyncStatus>);
    // Settings a heartbeat brought after the start.
    let newer = use_state(|| None::<KioskConfig>);
    let busy = use_mut_ref(|| Rc::new(Cell::new(false)));
    {
        let (guard, state, sync, newer) =
            (guard.clone(), state.clone(), sync.clone(), newer.clone());
        use_effect_with((), move |()| {
            let listener = client::listen_to(SYNC_STATUS_EVENT, move |status: SyncStatus| {
                sync.set(Some(status));
            });
            // New settings from a heartbeat: the kiosk applies them at once.
            let settings = client::listen_to(KIOSK_SETTINGS_EVENT, move |config: KioskConfig| {
                newer.set(Some(config));
            });
            spawn_local(async move {
                if let Some(result) = guard.pass(face_client::start_kiosk().await) {
                    if result.is_ok() {
                        // The door's screen is the kiosk: full screen while it runs.
                        client::set_fullscreen(true).await;
                    }
                    state.set(result.into());
                }
            });
            move || {
                drop(listener);
                drop(settings);
                spawn_local(client::set_fullscreen(false));
            }
        });
    }
    let frames = use_state(|| 0_u32);
    let tally = use_mut_ref(|| Rc::new(RefCell::new((0_u32, Vec::<KioskMarked>::new()))));
    let lens = Lens {
        guard,
        last: last.clone(),
        greeted: greeted.clone(),
        frames: frames.clone(),
        tally: tally.borrow().clone(),
        busy: busy.borrow().clone(),
    };
    // Webcam frames: one at a time; frames arriving while one is analysed are dropped.
    let look = {
        let lens = lens.clone();
        Callback::from(move |picture: String| {
            if lens.busy.replace(true) {
                return;
            }
            let lens = lens.clone();
            spawn_local(async move { lens.analyse(&picture).await });
        })
    };
    // Picture files: every one is a frame, in the order chosen, none dropped.
    let queue = use_mut_ref(|| Rc::new(RefCell::new(VecDeque::<File>::new())));
    let pumping = use_mut_ref(|| Rc::new(Cell::new(false)));
    let onfiles = {
        let (lens, queue, pumping) = (lens, queue.borrow().clone(), pumping.borrow().clone());
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let Some(files) = input.files() else { return };
            queue
                .borrow_mut()
                .extend((0..files.length()).filter_map(|i| files.get(i)));
            input.set_value("");
            if pumping.replace(true) {
                return;
            }
            let (lens, queue, pumping) = (lens.clone(), queue.clone(), pumping.clone());
            spawn_local(async move {
                loop {
                    let next = queue.borrow_mut().pop_front();
                    let Some(file) = next else { break };
                    let bytes = camera::file_bytes(&file).await;
                    // A webcam frame in flight finishes first.
                    while lens.busy.replace(true) {
                        gloo_timers::future::TimeoutFuture::new(20).await;
                    }
                    match bytes {
                        Ok(bytes) => lens.analyse(&face_client::encode(&bytes)).await,
                        Err(problem) => {
                            lens.busy.set(false);
                            lens.last.set(Some(Err(problem)));
                        }
                    }
                }
                pumping.set(false);
            });
        })
    };
    let body = match &*state {
        Loadable::Loading => loading("the kiosk's roster"),
        Loadable::Failed(problem) => html! {
            <p id="kiosk-problem" class="notice problem" role="alert">{ problem }</p>
        },
        Loadable::Ready(kiosk) => {
            let pending = sync.as_ref().map_or(kiosk.pending, |s| s.pending);
            let mut facts = vec![match kiosk.enrolled {
                1 => "1 enrolled student".to_owned(),
                n => format!("{n} enrolled students"),
            }];
            facts.push(format!(
                "marks after {} agreeing frames",
                newer.unwrap_or(kiosk.settings).agreement_frames
            ));
            if kiosk.roster_from_cache {
                facts.push("roster from this PC (server unreachable)".to_owned());
            }
            facts.push(if pending == 0 {
                "every mark sent".to_owned()
            } else {
                format!("{pending} mark(s) waiting to be sent")
            });
            if let Some(Ok(seen)) = &*last {
                facts.push(format!("last frame {} ms", seen.millis));
            }
            html! {
                <>
                    <header class="kiosk-head">
                        <h2 id="kiosk-name">{ &kiosk.name }</h2>
                        <p id="kiosk-facts" class="muted" role="status">{ facts.join(" · ") }</p>
                    </header>
                    { greeting(greeted.first()) }
                    <div class="kiosk-camera">
                        <Webcam on_frame={look} every_ms={FRAME_MS} start_label="Start the camera" />
                        <div class="field">
                            <label for="kiosk-frames">{ "Frames from picture files" }</label>
                            <input id="kiosk-frames" type="file" accept="image/png,image/jpeg" multiple=true onchange={onfiles} />
                        </div>
                    </div>
                    { frame_faces(last.as_ref(), *frames) }
                    <section class="panel">
                        <h3>{ "Marked here" }</h3>
                        <ul id="kiosk-marks" class="reasons">
                            { for greeted.iter().map(|m| html! {
                                <li data-student={m.student_id.to_string()}>{ format!("{} · {}", m.student_name, verdict_text(m)) }</li>
                            }) }
                        </ul>
                    </section>
                </>
            }
        }
    };
    html! {
        <section class="screen wide kiosk" aria-labelledby="kiosk-name">{ body }</section>
    }
}

/// What analysing a frame updates.
#[derive(Clone)]
struct Lens {
    guard: SignInGuard,
    last: UseStateHandle<Option<Result<KioskFrameResult, String>>>,
    greeted: UseStateHandle<Vec<KioskMarked>>,
    frames: UseStateHandle<u32>,
    /// The truth behind `greeted` and `frames`: handles captured in a render see that
    /// render's values, and a queue of files outlives many renders.
    tally: Rc<RefCell<(u32, Vec<KioskMarked>)>>,
    /// Set by the caller before [`Lens::analyse`]; cleared when the answer is in.
    busy: Rc<Cell<bool>>,
}

impl Lens {
    async fn analyse(&self, picture: &str) {
        let result = face_client::kiosk_frame(picture).await;
        self.busy.set(false);
        let Some(result) = self.guard.pass(result) else {
            return;
        };
        let (frames, greeted) = {
            let mut tally = self.tally.borrow_mut();
            tally.0 += 1;
            if let Ok(seen) = &result {
                for mark in seen.marked.iter().rev() {
                    tally.1.insert(0, mark.clone());
                }
                tally.1.truncate(20);
            }
            (tally.0, tally.1.clone())
        };
        self.frames.set(frames);
        self.greeted.set(greeted);
        self.last.set(Some(result.map_err(|e| e.message)));
    }
}

fn verdict_text(mark: &KioskMarked) -> &'static str {
    match mark.result.as_ref().map(|r| r.outcome) {
        Some(Outcome::Accepted) => "present",
        Some(Outcome::Review) => "waits for review",
        Some(Outcome::Rejected) => "refused (no class of theirs here now)",
        None => "saved; sent when the network is back",
    }
}

fn greeting(latest: Option<&KioskMarked>) -> Html {
    let Some(mark) = latest else {
        return html! { <p id="kiosk-greeting" class="kiosk-greeting muted">{ "Look at the camera to check in." }</p> };
    };
    let accepted = mark
        .result
        .as_ref()
        .is_none_or(|r| r.outcome == Outcome::Accepted);
    html! {
        <p id="kiosk-greeting" class={classes!("kiosk-greeting", if accepted { "done" } else { "problem" })} role="status">
            { format!("Welcome, {} — {}.", mark.student_name, verdict_text(mark)) }
        </p>
    }
}

fn face_line(face: &KioskFace) -> String {
    let who = face.student_name.as_deref().unwrap_or("Someone");
    match &face.state {
        KioskFaceState::Recognising { frames, needed } => {
            format!("{who}: recognising ({frames} of {needed})")
        }
        KioskFaceState::Marked => format!("{who}: marked"),
        KioskFaceState::AlreadyMarked => format!("{who}: already marked"),
        KioskFaceState::Unknown => "Not recognised".to_owned(),
        KioskFaceState::SentForReview => {
            "Not sure who this is: a teacher will confirm your attendance".to_owned()
        }
        KioskFaceState::Unclear => format!(
            "Unclear: {}",
            face.advice.as_deref().unwrap_or("face the camera")
        ),
    }
}

fn frame_faces(last: Option<&Result<KioskFrameResult, String>>, frames: u32) -> Html {
    match last {
        None => html! {},
        Some(Err(problem)) => {
            html! { <p id="kiosk-frame" class="notice problem" role="alert" data-frames={frames.to_string()}>{ problem }</p> }
        }
        Some(Ok(seen)) if seen.faces.is_empty() => {
            html! { <p id="kiosk-frame" class="muted" role="status" data-frames={frames.to_string()}>{ "No face in view." }</p> }
        }
        Some(Ok(seen)) => html! {
            <ul id="kiosk-frame" class="kiosk-faces" role="status" data-frames={frames.to_string()}>
                { for seen.faces.iter().map(|f| html! { <li>{ face_line(f) }</li> }) }
            </ul>
        },
    }
}
