//! The student's check-in: the code typed from the teacher's screen, a photo of
//! the QR code, the phone's scanner or the computer's webcam, an optional selfie,
//! and the verdict.

use std::cell::Cell;
use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::check_in_attempt::Attempt;
use super::state::StudentAction;
use super::verdict::Verdict;
use crate::client::face::{self as face_client, FaceStatus};
use crate::client::{self, CheckInForm};
use crate::shared::camera;
use crate::shared::webcam::Webcam;

/// How often the webcam's frame is looked at for the teacher's QR code.
const WEBCAM_FRAME_MS: u32 = 400;

/// What the check-in screen needs.
#[derive(Properties, PartialEq)]
pub struct CheckInScreenProps {
    /// The student's desk, as an attempt touches it.
    pub attempt: Attempt,
}

/// The check-in form for the class chosen above it.
#[component]
pub fn CheckInScreen(props: &CheckInScreenProps) -> Html {
    let attempt = props.attempt.clone();
    let desk = attempt.desk.clone();
    let code = use_node_ref();
    let looking = use_mut_ref(|| Rc::new(Cell::new(false)));
    let looking = looking.borrow().clone();
    let chosen = desk.chosen;
    let no_class = "Choose the class you are in.";

    let onselfie = {
        let desk = desk.clone();
        Callback::from(move |e: Event| {
            let Some(files) = e
                .target_dyn_into::<HtmlInputElement>()
                .and_then(|i| i.files())
            else {
                return;
            };
            let files: Vec<_> = (0..files.length()).filter_map(|i| files.get(i)).collect();
            let desk = desk.clone();
            spawn_local(async move {
                let mut frames = Vec::new();
                for file in &files {
                    match camera::file_bytes(file).await {
                        Ok(bytes) => frames.push(face_client::encode(&bytes)),
                        Err(problem) => {
                            desk.dispatch(StudentAction::Refused(problem));
                            return;
                        }
                    }
                }
                desk.dispatch(StudentAction::SelfiesTaken(frames));
            });
        })
    };
    let onsubmit = {
        let (attempt, code) = (attempt.clone(), code.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(session_id) = chosen else {
                attempt.fail(no_class.to_owned());
                return;
            };
            let typed = code
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            let frames = attempt.begin();
            let attempt = attempt.clone();
            spawn_local(async move {
                let form = CheckInForm {
                    session_id,
                    code: typed,
                    selfies: frames,
                };
                attempt.finish(client::check_in(form).await);
            });
        })
    };
    let onpicture = {
        let attempt = attempt.clone();
        Callback::from(move |e: Event| {
            let Some(file) = e
                .target_dyn_into::<HtmlInputElement>()
                .and_then(|i| i.files())
                .and_then(|files| files.get(0))
            else {
                return;
            };
            let Some(session_id) = chosen else {
                attempt.fail(no_class.to_owned());
                return;
            };
            let frames = attempt.begin();
            let attempt = attempt.clone();
            spawn_local(async move {
                match camera::file_bytes(&file).await {
                    Ok(bytes) => attempt
                        .finish(client::check_in_with_picture(session_id, &bytes, frames).await),
                    Err(problem) => attempt.fail(problem),
                }
            });
        })
    };
    let onscan = {
        let attempt = attempt.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(session_id) = chosen else {
                attempt.fail(no_class.to_owned());
                return;
            };
            let frames = attempt.begin();
            let attempt = attempt.clone();
            spawn_local(async move {
                match client::scan_qr_code().await {
                    Ok(text) => attempt
                        .finish(client::check_in_with_scanned_code(session_id, text, frames).await),
                    Err(problem) => attempt.fail(format!(
                        "The camera could not read the code: {}",
                        problem.message
                    )),
                }
            });
        })
    };
    // Webcam frames on a computer: one looked at at a time (frames arriving
    // meanwhile are dropped); the first Rollcall code seen checks in and turns
    // the camera off (the panel is made anew).
    let onframe = {
        Callback::from(move |frame: String| {
            let Some(session_id) = chosen else {
                return;
            };
            if attempt.desk.busy || looking.replace(true) {
                return;
            }
            let (attempt, looking) = (attempt.clone(), looking.clone());
            spawn_local(async move {
                let seen = client::read_qr_frame(frame).await;
                looking.set(false);
                // A frame that cannot be read, or holds no code yet: keep looking.
                let Ok(Some(text)) = seen else {
                    return;
                };
                attempt.desk.dispatch(StudentAction::CodeSeen);
                let frames = attempt.begin();
                attempt.finish(client::check_in_with_scanned_code(session_id, text, frames).await);
            });
        })
    };
    let waiting = desk.waiting();
    let camera_scanner = desk.camera_scanner();
    let scan_button = if camera_scanner {
        html! {
            <button id="checkin-scan" class="button primary" type="button" disabled={waiting} onclick={onscan}>
                { "Scan the QR code" }
            </button>
        }
    } else if chosen.is_some() {
        html! {
            <div class="field" id="checkin-webcam">
                <Webcam key={desk.webcam_round} on_frame={onframe} every_ms={WEBCAM_FRAME_MS} start_label="Scan the QR code with the webcam" />
            </div>
        }
    } else {
        html! {}
    };
    let sensors_note = if camera_scanner {
        "Your location, the room's Wi-Fi and beacons are read when you check in; your phone asks for your fingerprint, face or PIN before signing."
    } else {
        "On a computer there is no GPS: the room's Wi-Fi and beacons are read where this computer hears them, and your class's rules decide from the code and those."
    };
    html! {
        <form id="checkin-form" class="panel" {onsubmit}>
            { scan_button }
            <h3>{ "Type the six digits on the teacher's screen" }</h3>
            <div class="filters">
                <div class="field"><label for="checkin-code">{ "Code" }</label>
                    <input id="checkin-code" ref={code} inputmode="numeric" autocomplete="one-time-code" maxlength="7" placeholder="123 456" /></div>
                <button id="checkin-go" class="button primary" type="submit" disabled={waiting}>
                    if desk.busy { <span class="spinner" aria-hidden="true" />{ "Checking in…" } } else { { "Check in" } }
                </button>
            </div>
            <div class="field">
                <label for="checkin-photo">{ "…or a photo of the QR code on the teacher's screen" }</label>
                <input id="checkin-photo" type="file" accept="image/png,image/jpeg" disabled={waiting} onchange={onpicture} />
            </div>
            { selfie_field(desk.face.as_ref(), desk.selfies.len(), waiting, onselfie) }
            <p class="muted small">{ sensors_note }</p>
            <Verdict answer={desk.answer.clone()} />
        </form>
    }
}

/// The optional selfie: shown where this device can check faces.
fn selfie_field(
    face: Option<&FaceStatus>,
    ready: usize,
    disabled: bool,
    onchange: Callback<Event>,
) -> Html {
    match face {
        Some(status) if status.available => html! {
            <div class="field">
                <label for="checkin-selfie">{ "Add a selfie (optional; a few frames in a row also show you are live)" }</label>
                <input id="checkin-selfie" type="file" accept="image/png,image/jpeg" capture="user" multiple=true {disabled} {onchange} />
                if ready > 0 {
                    <p id="selfie-ready" class="muted small" role="status">{ format!("{ready} selfie frame(s) will be checked on this device with your check-in.") }</p>
                }
            </div>
        },
        _ => html! {},
    }
}
