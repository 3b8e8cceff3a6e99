use std::cell::Cell;
use std::rc::Rc;

use uuid::Uuid;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::check_in_attempt::Attempt;
use super::review_card::{factor_label, status_class, status_mark};
use super::roster_panel::status_label;
use super::sign_in_guard::{loading, Loadable, SignInGuard};
use super::webcam::Webcam;
use crate::camera;
use crate::charts::percent;
use crate::client::face::{self as face_client, FaceStatus};
use crate::client::{
    self, CheckInAnswer, CheckInForm, MyAttendance, PhoneState, SessionStatus, StudentClass,
    SyncStatus, SYNC_STATUS_EVENT,
};
use crate::desk::{clock, local_offset_minutes};
use rollcall_core::verdict::Outcome;

/// How often the webcam's frame is looked at for the teacher's QR code.
const WEBCAM_FRAME_MS: u32 = 400;

/// What the student desk needs.
#[derive(Properties, PartialEq)]
pub struct StudentDeskProps {
    /// Called with a sentence when the sign-in has expired.
    pub on_expired: Callback<String>,
}

/// The student's screen: today's classes, checking in with the code on the
/// teacher's screen, the verdict with each factor, the outbox's state, and their
/// attendance per subject.
#[component]
pub fn StudentDesk(props: &StudentDeskProps) -> Html {
    let guard = SignInGuard(props.on_expired.clone());
    let phone = use_state(|| Loadable::<PhoneState>::Loading);
    let classes = use_state(|| Loadable::<Vec<StudentClass>>::Loading);
    let history = use_state(|| Loadable::<MyAttendance>::Loading);
    let sync = use_state(|| None::<SyncStatus>);
    let chosen = use_state(|| None::<Uuid>);
    let answer = use_state(|| None::<Result<CheckInAnswer, String>>);
    let busy = use_state(|| false);
    let code = use_node_ref();
    let refresh = use_state(|| 0_u32);
    let face = use_state(|| None::<FaceStatus>);
    let selfies = use_state(Vec::<String>::new);
    let looking = use_mut_ref(|| Rc::new(Cell::new(false)));
    let looking = looking.borrow().clone();
    let webcam_round = use_state(|| 0_u32);
    {
        let face = face.clone();
        use_effect_with((), move |()| {
            spawn_local(async move {
                if let Ok(status) = face_client::face_status().await {
                    face.set(Some(status));
                }
            });
        });
    }
    {
        let (guard, phone, sync) = (guard.clone(), phone.clone(), sync.clone());
        use_effect_with((), move |()| {
            let listener = client::listen_to(SYNC_STATUS_EVENT, move |status: SyncStatus| {
                sync.set(Some(status));
            });
            spawn_local(async move {
                if let Some(result) = guard.pass(client::prepare_phone().await) {
                    phone.set(result.into());
                }
            });
            move || drop(listener)
        });
    }
    {
        let (guard, classes, history, chosen) = (
            guard.clone(),
            classes.clone(),
            history.clone(),
            chosen.clone(),
        );
        use_effect_with(*refresh, move |_| {
            spawn_local(async move {
                if let Some(result) = guard.pass(client::student_classes().await) {
                    if let Ok(list) = &result {
                        if chosen.is_none() {
                            chosen.set(
                                list.iter()
                                    .find(|c| c.session.status == SessionStatus::Running)
                                    .map(|c| c.session.id),
                            );
                        }
                    }
                    classes.set(result.into());
                }
                if let Some(result) = guard.pass(client::my_attendance().await) {
                    history.set(result.into());
                }
            });
        });
    }
    let onselfie = {
        let (selfies, answer) = (selfies.clone(), answer.clone());
        Callback::from(move |e: Event| {
            let Some(files) = e
                .target_dyn_into::<HtmlInputElement>()
                .and_then(|i| i.files())
            else {
                return;
            };
            let files: Vec<_> = (0..files.length()).filter_map(|i| files.get(i)).collect();
            let (selfies, answer) = (selfies.clone(), answer.clone());
            spawn_local(async move {
                let mut frames = Vec::new();
                for file in &files {
                    match camera::file_bytes(file).await {
                        Ok(bytes) => frames.push(face_client::encode(&bytes)),
                        Err(problem) => {
                            answer.set(Some(Err(problem)));
                            return;
                        }
                    }
                }
                selfies.set(frames);
            });
        })
    };
    let attempt = Attempt {
        guard,
        answer: answer.clone(),
        busy: busy.clone(),
        refresh,
        selfies: selfies.clone(),
    };
    let onsubmit = {
        let (attempt, chosen, code) = (attempt.clone(), chosen.clone(), code.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(session_id) = *chosen else {
                attempt.fail("Choose the class you are in.".to_owned());
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
        let (attempt, chosen) = (attempt.clone(), chosen.clone());
        Callback::from(move |e: Event| {
            let Some(file) = e
                .target_dyn_into::<HtmlInputElement>()
                .and_then(|i| i.files())
                .and_then(|files| files.get(0))
            else {
                return;
            };
            let Some(session_id) = *chosen else {
                attempt.fail("Choose the class you are in.".to_owned());
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
        let (attempt, chosen) = (attempt.clone(), chosen.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(session_id) = *chosen else {
                attempt.fail("Choose the class you are in.".to_owned());
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
        let (attempt, chosen, looking, webcam_round) =
            (attempt, chosen.clone(), looking, webcam_round.clone());
        Callback::from(move |frame: String| {
            let Some(session_id) = *chosen else {
                return;
            };
            if *attempt.busy || looking.replace(true) {
                return;
            }
            let (attempt, looking, webcam_round) =
                (attempt.clone(), looking.clone(), webcam_round.clone());
            spawn_local(async move {
                let seen = client::read_qr_frame(frame).await;
                looking.set(false);
                // A frame that cannot be read, or holds no code yet: keep looking.
                let Ok(Some(text)) = seen else {
                    return;
                };
                webcam_round.set(*webcam_round + 1);
                let frames = attempt.begin();
                attempt.finish(client::check_in_with_scanned_code(session_id, text, frames).await);
            });
        })
    };
    let camera_scanner = matches!(&*phone, Loadable::Ready(p) if p.camera_scanner);
    let scan_button = if camera_scanner {
        html! {
            <button id="checkin-scan" class="button primary" type="button" disabled={*busy || chosen.is_none()} onclick={onscan}>
                { "Scan the QR code" }
            </button>
        }
    } else if chosen.is_some() {
        html! {
            <div class="field" id="checkin-webcam">
                <Webcam key={*webcam_round} on_frame={onframe} every_ms={WEBCAM_FRAME_MS} start_label="Scan the QR code with the webcam" />
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
    let device_note = match &*phone {
        Loadable::Ready(p) if p.status.as_str() == "pending" => html! {
            <p id="device-pending" class="notice problem" role="alert">
                { "This device is not your bound phone yet: an administrator must approve it before its check-ins count." }
            </p>
        },
        Loadable::Failed(problem) => {
            html! { <p class="notice problem" role="alert">{ problem }</p> }
        }
        _ => html! {},
    };
    let sync_line = match (&*sync, &*phone) {
        (Some(s), _) if s.pending > 0 => format!(
            "{} check-in(s) waiting to be sent{}",
            s.pending,
            s.retry_in_s
                .map_or_else(String::new, |r| format!(" · retrying in {r} s"))
        ),
        (Some(s), _) if s.problem.is_some() => s.problem.clone().unwrap_or_default(),
        (Some(_), _) => "Everything is sent.".to_owned(),
        (None, Loadable::Ready(p)) if p.pending > 0 => {
            format!("{} check-in(s) waiting to be sent", p.pending)
        }
        (None, Loadable::Ready(_)) => "Everything is sent.".to_owned(),
        _ => "Preparing this device…".to_owned(),
    };
    let offset = local_offset_minutes();
    let class_list = match &*classes {
        Loadable::Loading => loading("today's classes"),
        Loadable::Failed(problem) => html! { <p class="alert" role="alert">{ problem }</p> },
        Loadable::Ready(list) if list.is_empty() => html! {
            <div class="empty"><h3>{ "No classes right now" }</h3>
                <p class="muted">{ "Your classes appear here once your teacher starts them." }</p></div>
        },
        Loadable::Ready(list) => html! {
            <ul id="student-classes" class="class-list">
                { for list.iter().map(|c| {
                    let s = &c.session;
                    let (label, class) = status_label(c.status);
                    let pick = { let chosen = chosen.clone(); let id = s.id; Callback::from(move |_| chosen.set(Some(id))) };
                    let selected = *chosen == Some(s.id);
                    html! {
                        <li class={classes!("class-card", selected.then_some("next"))} data-session={s.id.to_string()}>
                            <div class="class-time">{ clock(s.scheduled_start.unix(), offset) }</div>
                            <div class="class-what"><h3>{ s.subject_name.clone().unwrap_or_else(|| "Class".into()) }</h3>
                                <p class="muted">{ &s.room_name }{ " · " }{ match s.status { SessionStatus::Running => "running now", SessionStatus::Planned => "not started", SessionStatus::Ended => "ended" } }</p></div>
                            <span class={classes!("chip", "status", class)}>{ label }</span>
                            if s.status == SessionStatus::Running {
                                <button class="button secondary pick-class" type="button" onclick={pick} aria-pressed={selected.to_string()}>
                                    { if selected { "Selected" } else { "Check in here" } }
                                </button>
                            }
                        </li>
                    }
                }) }
            </ul>
        },
    };
    let verdict = match &*answer {
        None => html! {},
        Some(Err(problem)) => {
            html! { <p id="checkin-verdict" class="notice problem" role="alert">{ problem }</p> }
        }
        Some(Ok(a)) => match &a.result {
            None => html! {
                <p id="checkin-verdict" class="notice done" role="status" data-claim={a.claim_id.to_string()}>
                    { format!("Saved on this device; it will be sent when the network is back ({} waiting).", a.pending) }
                </p>
            },
            Some(r) => {
                let (title, class) = match r.outcome {
                    Outcome::Accepted => ("You are checked in.", "done"),
                    Outcome::Review => (
                        "Your check-in waits for a teacher or admin to confirm it.",
                        "done",
                    ),
                    Outcome::Rejected => ("Your check-in was refused.", "problem"),
                };
                html! {
                    <div id="checkin-verdict" class={classes!("notice", class)} data-outcome={r.outcome.as_str()} data-claim={a.claim_id.to_string()} role="status">
                        <p><strong>{ title }</strong></p>
                        <div class="factors">
                            { for r.factors.iter().map(|f| html! {
                                <span class={classes!("chip", status_class(f.status))}>{ format!("{} {}", factor_label(f.factor), status_mark(f.status)) }</span>
                            }) }
                        </div>
                        <ul class="reasons">{ for r.reasons.iter().map(|x| html! { <li>{ &x.message }</li> }) }</ul>
                    </div>
                }
            }
        },
    };
    let subjects = match &*history {
        Loadable::Ready(h) if !h.subjects.is_empty() => html! {
            <div class="table-wrap"><table id="my-subjects" class="table">
                <thead><tr><th scope="col">{ "Subject" }</th><th scope="col" class="num">{ "Held" }</th><th scope="col" class="num">{ "Attended" }</th><th scope="col" class="num">{ "%" }</th></tr></thead>
                <tbody>{ for h.subjects.iter().map(|s| html! {
                    <tr><td>{ s.subject_name.clone().unwrap_or_else(|| "Other".into()) }</td><td class="num">{ s.held }</td><td class="num">{ s.attended }</td><td class="num">{ percent(s.percentage) }</td></tr>
                }) }</tbody>
            </table></div>
        },
        Loadable::Ready(_) => {
            html! { <p class="muted">{ "Your attendance per subject appears once classes have ended." }</p> }
        }
        _ => html! {},
    };
    html! {
        <section class="screen wide student" aria-labelledby="student-title">
            <header class="screen-head">
                <p class="eyebrow">{ "Check in" }</p>
                <h2 id="student-title">{ "Your classes today" }</h2>
                <p id="sync-state" class="muted" role="status">{ sync_line }</p>
            </header>
            { device_note }
            { class_list }
            <form id="checkin-form" class="panel" {onsubmit}>
                { scan_button }
                <h3>{ "Type the six digits on the teacher's screen" }</h3>
                <div class="filters">
                    <div class="field"><label for="checkin-code">{ "Code" }</label>
                        <input id="checkin-code" ref={code} inputmode="numeric" autocomplete="one-time-code" maxlength="7" placeholder="123 456" /></div>
                    <button id="checkin-go" class="button primary" type="submit" disabled={*busy || chosen.is_none()}>
                        if *busy { <span class="spinner" aria-hidden="true" />{ "Checking in…" } } else { { "Check in" } }
                    </button>
                </div>
                <div class="field">
                    <label for="checkin-photo">{ "…or a photo of the QR code on the teacher's screen" }</label>
                    <input id="checkin-photo" type="file" accept="image/png,image/jpeg" disabled={*busy || chosen.is_none()} onchange={onpicture} />
                </div>
                { selfie_field(face.as_ref(), selfies.len(), *busy || chosen.is_none(), onselfie) }
                <p class="muted small">{ sensors_note }</p>
                { verdict }
            </form>
            <section class="panel">
                <h3>{ "Your attendance" }</h3>
                { subjects }
            </section>
        </section>
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
