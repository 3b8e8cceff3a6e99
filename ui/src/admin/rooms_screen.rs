use rollcall_core::geofence::FenceShape;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::changes::use_changes;
use super::fence_map_view::FenceMapView;
use super::nearby_wifi::NearbyWifiPicker;
use super::room_draft::{drawing, rule_patch, DraftEdit, FenceDrawing, FenceKind, RoomDraft};
use crate::client::school::NearbyWifi;
use crate::client::{self, RoomRecord};
use crate::shared::sign_in_guard::{failed, loading, Loadable};

const PREVIEW: f64 = 220.0;

/// The rooms: a table of what exists, and a form to add one with a drawn
/// preview of its fence.
#[component]
pub fn RoomsScreen() -> Html {
    let changes = use_changes();
    let rooms = use_state(|| Loadable::<Vec<RoomRecord>>::Loading);
    let draft = use_reducer(RoomDraft::default);
    let editing = use_state(|| None::<RoomRecord>);
    {
        let (guard, rooms) = (changes.guard().clone(), rooms.clone());
        use_effect_with(changes.reloads(), move |_| {
            spawn_local(async move {
                if let Some(result) = guard.pass(client::list_rooms().await) {
                    rooms.set(result.into());
                }
            });
        });
    }
    // Each field writes its text into the draft; the preview follows as you type.
    let field = |apply: fn(&mut RoomDraft, String)| {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            let value = e
                .target_dyn_into::<HtmlInputElement>()
                .map(|i| i.value())
                .or_else(|| {
                    e.target_dyn_into::<HtmlTextAreaElement>()
                        .map(|t| t.value())
                })
                .unwrap_or_default();
            draft.dispatch(DraftEdit::Field(apply, value));
        })
    };
    let kind = |kind: FenceKind| {
        let draft = draft.clone();
        Callback::from(move |_: Event| draft.dispatch(DraftEdit::Kind(kind)))
    };
    let onsubmit = {
        let (changes, draft) = (changes.clone(), draft.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let room = match draft.to_new_room() {
                Ok(room) => room,
                Err(problem) => {
                    changes.refuse(problem);
                    return;
                }
            };
            let draft = draft.clone();
            changes.submit(client::create_room(room), move |room| {
                draft.dispatch(DraftEdit::Clear);
                format!("{} ({}) was added.", room.name, room.code)
            });
        })
    };
    let preview = match draft.fence() {
        Ok(shape) => preview(&shape),
        Err(_) if draft.latitude.is_empty() && draft.corners.is_empty() => html! {
            <p class="muted small" id="fence-hint">{ "Enter the centre and radius, or the corners, to see the fence." }</p>
        },
        Err(problem) => {
            html! { <p id="fence-problem" class="field-error" role="alert">{ problem }</p> }
        }
    };
    let list = match &*rooms {
        Loadable::Loading => loading("the rooms"),
        Loadable::Failed(problem) => failed("The rooms", problem, {
            let changes = changes.clone();
            Callback::from(move |_| changes.reload())
        }),
        Loadable::Ready(rooms) if rooms.is_empty() => html! {
            <p class="muted">{ "No rooms yet. Add the first one below." }</p>
        },
        Loadable::Ready(rooms) => html! {
            <div class="table-wrap">
                <table id="rooms-table" class="table">
                    <thead><tr>
                        <th scope="col">{ "Code" }</th><th scope="col">{ "Name" }</th><th scope="col">{ "Building" }</th>
                        <th scope="col">{ "Fence" }</th><th scope="col">{ "Check-in rule" }</th><th scope="col" class="num">{ "Access points" }</th>
                        <th scope="col" />
                    </tr></thead>
                    <tbody>
                        { for rooms.iter().map(|r| html! {
                            <tr data-room={r.code.clone()}>
                                <td>{ &r.code }</td><td>{ &r.name }</td><td>{ &r.building }</td>
                                <td>{ fence_words(&FenceShape::from(r.geofence.clone())) }</td>
                                <td><code>{ r.policy.to_string() }</code></td>
                                <td class="num">{ r.access_points.len() }</td>
                                <td><button class="button link edit-rule" type="button" onclick={
                                    let (editing, room) = (editing.clone(), r.clone());
                                    Callback::from(move |_| editing.set(Some(room.clone())))
                                }>{ "Edit rule" }</button></td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        },
    };
    let d = &*draft;
    html! {
        <section class="screen wide" aria-labelledby="rooms-title">
            <header class="screen-head">
                <p class="eyebrow">{ "Structure" }</p>
                <h2 id="rooms-title">{ "Rooms" }</h2>
            </header>
            { list }
            if let Some(room) = &*editing {
                <RuleEditor key={room.id.to_string()} room={room.clone()} on_done={
                    let (editing, changes) = (editing.clone(), changes.clone());
                    Callback::from(move |done: Option<String>| {
                        editing.set(None);
                        if let Some(sentence) = done {
                            changes.announce(sentence);
                        }
                    })
                } />
            }
            <form id="room-form" class="panel room-form" {onsubmit}>
                <h3>{ "Add a room" }</h3>
                <div class="form-grid">
                    <div class="field"><label for="room-code">{ "Code" }</label>
                        <input id="room-code" value={d.code.clone()} oninput={field(|d, v| d.code = v)} placeholder="B-204" /></div>
                    <div class="field"><label for="room-name">{ "Name" }</label>
                        <input id="room-name" value={d.name.clone()} oninput={field(|d, v| d.name = v)} placeholder="Lecture Hall B-204" /></div>
                    <div class="field"><label for="room-building">{ "Building" }</label>
                        <input id="room-building" value={d.building.clone()} oninput={field(|d, v| d.building = v)} /></div>
                </div>
                <fieldset class="fence">
                    <legend>{ "Geofence" }</legend>
                    <div class="choice">
                        <label><input id="fence-circle" type="radio" name="fence" checked={d.kind == FenceKind::Circle} onchange={kind(FenceKind::Circle)} />{ " Circle" }</label>
                        <label><input id="fence-polygon" type="radio" name="fence" checked={d.kind == FenceKind::Polygon} onchange={kind(FenceKind::Polygon)} />{ " Polygon" }</label>
                    </div>
                    <div class="fence-body">
                        <div class="fence-fields">
                            if d.kind == FenceKind::Circle {
                                <div class="field"><label for="fence-lat">{ "Centre latitude" }</label>
                                    <input id="fence-lat" value={d.latitude.clone()} oninput={field(|d, v| d.latitude = v)} inputmode="decimal" placeholder="18.5204" /></div>
                                <div class="field"><label for="fence-lon">{ "Centre longitude" }</label>
                                    <input id="fence-lon" value={d.longitude.clone()} oninput={field(|d, v| d.longitude = v)} inputmode="decimal" placeholder="73.8567" /></div>
                                <div class="field"><label for="fence-radius">{ "Radius (m)" }</label>
                                    <input id="fence-radius" value={d.radius_m.clone()} oninput={field(|d, v| d.radius_m = v)} inputmode="decimal" placeholder="30" /></div>
                            } else {
                                <div class="field"><label for="fence-corners">{ "Corners in order: \u{201c}latitude, longitude\u{201d}, one per line or separated by ;" }</label>
                                    <textarea id="fence-corners" rows="6" value={d.corners.clone()} oninput={field(|d, v| d.corners = v)} /></div>
                            }
                        </div>
                        <figure class="fence-preview" aria-label="Fence preview">{ preview }</figure>
                    </div>
                </fieldset>
                <div class="form-grid">
                    <div class="field"><label for="room-policy">{ "Check-in rule (empty: token & location & (radio | face))" }</label>
                        <input id="room-policy" value={d.policy.clone()} oninput={field(|d, v| d.policy = v)} placeholder="token & location" /></div>
                    <div class="field"><label for="ap-bssid">{ "Wi-Fi access point BSSID (optional)" }</label>
                        <input id="ap-bssid" value={d.bssid.clone()} oninput={field(|d, v| d.bssid = v)} placeholder="3c:84:6a:d0:00:01" /></div>
                    <div class="field"><label for="ap-label">{ "Its label" }</label>
                        <input id="ap-label" value={d.bssid_label.clone()} oninput={field(|d, v| d.bssid_label = v)} placeholder="ceiling, front" /></div>
                </div>
                <NearbyWifiPicker on_pick={
                    let draft = draft.clone();
                    Callback::from(move |ap: NearbyWifi| {
                        draft.dispatch(DraftEdit::AccessPoint { bssid: ap.bssid, ssid: ap.ssid });
                    })
                } />
                { changes.outcome_line("room-outcome") }
                <button id="room-save" class="button primary" type="submit" disabled={changes.busy()}>
                    if changes.busy() { <span class="spinner" aria-hidden="true" />{ "Saving…" } } else { { "Add room" } }
                </button>
            </form>
        </section>
    }
}

/// What the rule editor needs.
#[derive(Properties, PartialEq)]
struct RuleEditorProps {
    /// The room.
    room: RoomRecord,
    /// Called with the sentence once saved; `None` when cancelled.
    on_done: Callback<Option<String>>,
}

/// The rule editor of one room: its check-in rule and location tolerance. The
/// fields start from the room's values and are then the admin's alone.
#[component]
fn RuleEditor(props: &RuleEditorProps) -> Html {
    let changes = use_changes();
    let (rule, tolerance) = (use_node_ref(), use_node_ref());
    {
        let (rule, tolerance, room) = (rule.clone(), tolerance.clone(), props.room.clone());
        use_effect_with(props.room.id, move |_| {
            if let Some(input) = rule.cast::<HtmlInputElement>() {
                input.set_value(&room.policy.to_string());
                let _ = input.focus();
            }
            if let Some(input) = tolerance.cast::<HtmlInputElement>() {
                input.set_value(&format!("{:.0}", f64::from(room.location_tolerance_m)));
            }
        });
    }
    let onsubmit = {
        let (rule, tolerance, changes, on_done) = (
            rule.clone(),
            tolerance.clone(),
            changes.clone(),
            props.on_done.clone(),
        );
        let (id, name) = (props.room.id, props.room.name.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            let patch = match rule_patch(&text(&rule), &text(&tolerance)) {
                Ok(patch) => patch,
                Err(sentence) => {
                    changes.refuse(sentence);
                    return;
                }
            };
            // Saved, the room's outcome line says so and the editor closes.
            let (on_done, name) = (on_done.clone(), name.clone());
            changes.send(client::update_room(id, patch), move |room| {
                on_done.emit(Some(format!("{name} now needs: {}.", room.policy)));
                None::<String>
            });
        })
    };
    let cancel = props.on_done.reform(|_: MouseEvent| None);
    let room = &props.room;
    html! {
        <form id="room-edit" class="panel" {onsubmit}>
            <h3>{ format!("Check-in rule of {} ({})", room.name, room.code) }</h3>
            <div class="form-grid">
                <div class="field"><label for="edit-rule">{ "Factors a check-in needs (token, location, radio, face with & | and brackets)" }</label>
                    <input id="edit-rule" ref={rule} /></div>
                <div class="field"><label for="edit-tolerance">{ "Location tolerance (m)" }</label>
                    <input id="edit-tolerance" ref={tolerance} inputmode="decimal" /></div>
            </div>
            if let Some(Err(text)) = changes.outcome() {
                <p id="edit-problem" class="field-error" role="alert">{ text }</p>
            }
            <div class="dialog-actions">
                <button class="button secondary" type="button" onclick={cancel}>{ "Cancel" }</button>
                <button id="edit-save" class="button primary" type="submit">{ "Save rule" }</button>
            </div>
        </form>
    }
}

fn fence_words(shape: &FenceShape) -> String {
    match shape {
        FenceShape::Circle { radius_m, .. } => format!("circle, {:.0} m", f64::from(*radius_m)),
        FenceShape::Polygon { corners } => format!("polygon, {} corners", corners.len()),
    }
}

fn preview(shape: &FenceShape) -> Html {
    let view_box = format!("0 0 {PREVIEW} {PREVIEW}");
    let (figure, across) = match drawing(shape, PREVIEW) {
        FenceDrawing::Circle { r, across_m } => (
            html! { <circle class="fence-shape" cx={(PREVIEW / 2.0).to_string()} cy={(PREVIEW / 2.0).to_string()} r={format!("{r:.1}")} /> },
            across_m,
        ),
        FenceDrawing::Polygon { points, across_m } => {
            (html! { <polygon class="fence-shape" {points} /> }, across_m)
        }
    };
    let coordinates = match shape {
        FenceShape::Circle { centre, radius_m } => vec![format!(
            "centre {:.5}, {:.5} · radius {:.0} m",
            centre.latitude(),
            centre.longitude(),
            f64::from(*radius_m)
        )],
        FenceShape::Polygon { corners } => corners
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{}: {:.5}, {:.5}", i + 1, c.latitude(), c.longitude()))
            .collect(),
    };
    html! {
        <>
            <svg id="fence-drawing" viewBox={view_box} role="img" aria-label={format!("{} across", fence_words(shape))}>
                <rect class="fence-ground" width="100%" height="100%" />
                { figure }
                <text x="8" y="16" class="fence-north">{ "N ↑" }</text>
            </svg>
            <figcaption>
                <span class="muted small">{ format!("{across:.0} m across") }</span>
                <ul class="coords">{ for coordinates.iter().map(|c| html! { <li>{ c }</li> }) }</ul>
            </figcaption>
            <FenceMapView shape={shape.clone()} />
        </>
    }
}
