use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::changes::use_changes;
use super::face_shots::{ShotAction, Shots, NEEDED};
use crate::client::face::{self as face_client, FaceStatus, FaceTemplateInfo};
use crate::client::{self, Role, UserQuery, UserRecord};
use crate::shared::camera;
use crate::shared::clock::ago;
use crate::shared::sign_in_guard::Loadable;
use crate::shared::webcam::Webcam;

/// Face enrolment: find a student, take (or pick) several shots, each checked by the
/// quality gates with what to fix, and enrol from the good ones; re-enrol or revoke.
/// The photos never leave this computer: only the template goes to the server.
#[component]
pub fn FaceEnrolmentScreen() -> Html {
    let changes = use_changes();
    let status = use_state(|| None::<FaceStatus>);
    let found = use_state(|| None::<Vec<UserRecord>>);
    let chosen = use_state(|| None::<UserRecord>);
    let enrolled = use_state(|| Loadable::<Option<FaceTemplateInfo>>::Loading);
    let shots = use_reducer(Shots::default);
    let confirm_revoke = use_state(|| false);
    let search = use_node_ref();
    {
        let status = status.clone();
        use_effect_with((), move |()| {
            spawn_local(async move {
                if let Ok(s) = face_client::face_status().await {
                    status.set(Some(s));
                }
            });
        });
    }
    {
        let (guard, enrolled) = (changes.guard().clone(), enrolled.clone());
        use_effect_with(chosen.as_ref().map(|u| u.id), move |id| {
            enrolled.set(Loadable::Loading);
            if let Some(id) = *id {
                spawn_local(async move {
                    if let Some(r) = guard.pass(face_client::face_enrolment(id).await) {
                        enrolled.set(r.into());
                    }
                });
            }
        });
    }
    let onsearch = {
        let (guard, found, search) = (changes.guard().clone(), found.clone(), search.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = search
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            let (guard, found) = (guard.clone(), found.clone());
            spawn_local(async move {
                let query = UserQuery {
                    search: text.trim().to_owned(),
                    role: Some(Role::Student),
                    per_page: 20,
                    page: 1,
                    ..UserQuery::default()
                };
                if let Some(Ok(page)) = guard.pass(client::list_users(query).await) {
                    found.set(Some(page.items));
                }
            });
        })
    };
    // Every new picture, from the webcam or a file, is checked at once.
    let add_shot = {
        let shots = shots.clone();
        Callback::from(move |(picture, thumbnail): (String, String)| {
            let id = shots.next_id();
            shots.dispatch(ShotAction::Add {
                picture: picture.clone(),
                thumbnail,
            });
            let shots = shots.clone();
            spawn_local(async move {
                let report = face_client::check_face_shot(&picture)
                    .await
                    .map_err(|e| e.message);
                shots.dispatch(ShotAction::Judged { id, report });
            });
        })
    };
    let onfiles = {
        let (add_shot, changes) = (add_shot.clone(), changes.clone());
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let Some(files) = input.files() else { return };
            let files: Vec<_> = (0..files.length()).filter_map(|i| files.get(i)).collect();
            input.set_value("");
            let (add_shot, changes) = (add_shot.clone(), changes.clone());
            spawn_local(async move {
                for file in files {
                    match camera::file_bytes(&file).await {
                        Ok(bytes) => {
                            let picture = face_client::encode(&bytes);
                            let kind = match file.type_().as_str() {
                                "image/png" => "image/png",
                                _ => "image/jpeg",
                            };
                            let thumbnail = format!("data:{kind};base64,{picture}");
                            add_shot.emit((picture, thumbnail));
                        }
                        Err(problem) => changes.refuse(problem),
                    }
                }
            });
        })
    };
    let onframe = add_shot.reform(|frame: String| (frame.clone(), frame));
    let onenrol = {
        let (changes, chosen, shots, enrolled) = (
            changes.clone(),
            chosen.clone(),
            shots.clone(),
            enrolled.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let Some(student) = (*chosen).clone() else {
                return;
            };
            let pictures = shots.good_pictures();
            let (shots, enrolled) = (shots.clone(), enrolled.clone());
            changes.submit(
                async move { face_client::enrol_face(student.id, &pictures).await },
                move |done| {
                    enrolled.set(Loadable::Ready(Some(done.template)));
                    shots.dispatch(ShotAction::Clear);
                    format!(
                        "{} is enrolled from {} shots. The photos stay on this computer; only the template was sent.",
                        student.display_name, done.shots_used
                    )
                },
            );
        })
    };
    let onrevoke = {
        let (changes, chosen, enrolled, confirm) = (
            changes.clone(),
            chosen.clone(),
            enrolled.clone(),
            confirm_revoke.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            if !*confirm {
                confirm.set(true);
                return;
            }
            confirm.set(false);
            let Some(student) = (*chosen).clone() else {
                return;
            };
            let enrolled = enrolled.clone();
            changes.send(face_client::revoke_face(student.id), move |()| {
                enrolled.set(Loadable::Ready(None));
                format!(
                    "{}'s face template is deleted; their check-ins no longer use a face.",
                    student.display_name
                )
            });
        })
    };

    let unavailable = match &*status {
        Some(s) if !s.available => html! {
            <p id="face-unavailable" class="notice problem" role="alert">{ s.problem.clone().unwrap_or_default() }</p>
        },
        _ => html! {},
    };
    let results = match &*found {
        None => html! {},
        Some(list) if list.is_empty() => html! { <p class="muted">{ "No student matches." }</p> },
        Some(list) => html! {
            <ul id="face-students" class="pick-list">
                { for list.iter().map(|u| {
                    let pick = {
                        let (chosen, shots, changes, user) = (chosen.clone(), shots.clone(), changes.clone(), u.clone());
                        Callback::from(move |_: MouseEvent| {
                            shots.dispatch(ShotAction::Clear);
                            changes.clear();
                            chosen.set(Some(user.clone()));
                        })
                    };
                    let selected = chosen.as_ref().is_some_and(|c| c.id == u.id);
                    html! {
                        <li data-username={u.username.clone()}>
                            <button class={classes!("button", if selected { "primary" } else { "secondary" })} type="button" onclick={pick} aria-pressed={selected.to_string()}>
                                { &u.display_name }<span class="muted">{ format!(" · {}", u.username) }</span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
        },
    };
    let student_panel = chosen.as_ref().map_or_else(
        || html! { <p class="muted">{ "Find the student to enrol." }</p> },
        |student| {
            let state = match &*enrolled {
                Loadable::Loading => "Checking…".to_owned(),
                Loadable::Failed(p) => p.clone(),
                Loadable::Ready(None) => "Not enrolled yet.".to_owned(),
                Loadable::Ready(Some(t)) => format!("Enrolled {} ({}).", ago(t.updated_at.unix()), t.model_id),
            };
            let is_enrolled = matches!(&*enrolled, Loadable::Ready(Some(_)));
            let good = shots.good();
            let can_enrol = good >= NEEDED && shots.settled() && !changes.busy();
            html! {
                <section class="panel" aria-labelledby="face-student-name">
                    <h3 id="face-student-name">{ &student.display_name }</h3>
                    <p id="face-enrolled" class="muted" role="status">{ state }</p>
                    <p class="muted small">{ format!("Take at least {NEEDED} shots of the student alone, facing the camera in good light; turn the head slightly between shots.") }</p>
                    <Webcam on_frame={onframe} start_label="Use the webcam" />
                    <div class="field">
                        <label for="face-shots">{ "…or add photos" }</label>
                        <input id="face-shots" type="file" accept="image/png,image/jpeg" multiple=true onchange={onfiles} />
                    </div>
                    <ul id="face-shot-list" class="shots">
                        { for shots.list.iter().map(|shot| {
                            let remove = { let shots = shots.clone(); let id = shot.id; Callback::from(move |_: MouseEvent| shots.dispatch(ShotAction::Remove(id))) };
                            let (line, class) = match &shot.report {
                                None => ("Checking…".to_owned(), "pending"),
                                Some(Ok(r)) if r.good => (r.advice.clone(), "good"),
                                Some(Ok(r)) => (r.advice.clone(), "bad"),
                                Some(Err(p)) => (p.clone(), "bad"),
                            };
                            html! {
                                <li class={classes!("shot", class)}>
                                    <img src={shot.thumbnail.clone()} alt="" />
                                    <span class={classes!("chip", match class { "good" => "present", "bad" => "absent", _ => "" })}>{ line }</span>
                                    <button class="button link" type="button" onclick={remove} aria-label="Remove this shot">{ "Remove" }</button>
                                </li>
                            }
                        }) }
                    </ul>
                    <p id="face-good-count" class="muted small">{ format!("{good} of {NEEDED} good shots") }</p>
                    <div class="actions">
                        <button id="face-enrol" class="button primary" type="button" disabled={!can_enrol} onclick={onenrol}>
                            if changes.busy() { <span class="spinner" aria-hidden="true" />{ "Enrolling…" } }
                            else if is_enrolled { { "Enrol again" } } else { { "Enrol" } }
                        </button>
                        if is_enrolled {
                            <button id="face-revoke" class="button danger" type="button" onclick={onrevoke}>
                                { if *confirm_revoke { "Yes, delete the template" } else { "Revoke" } }
                            </button>
                        }
                    </div>
                    { changes.outcome_line("face-outcome") }
                </section>
            }
        },
    );
    html! {
        <section class="screen wide" aria-labelledby="faces-title">
            <header class="screen-head">
                <p class="eyebrow">{ "Administration" }</p>
                <h2 id="faces-title">{ "Face enrolment" }</h2>
            </header>
            { unavailable }
            <form id="face-search" class="panel filters" onsubmit={onsearch}>
                <div class="field"><label for="face-search-text">{ "Student" }</label>
                    <input id="face-search-text" ref={search} placeholder="Name, username or roll number" /></div>
                <button class="button secondary" type="submit">{ "Find" }</button>
            </form>
            { results }
            { student_panel }
        </section>
    }
}
