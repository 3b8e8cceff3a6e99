use uuid::Uuid;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::changes::use_changes;
use crate::client::{
    self, DivisionRecord, NewSlot, RoomRecord, SlotPatch, SlotRecord, SubjectRecord, TimeOfDay,
    UserRecord, Weekday,
};
use crate::shared::sign_in_guard::{loading, Loadable};

/// What the slot form chooses from.
#[derive(Debug, Clone, Default, PartialEq)]
struct Choices {
    divisions: Vec<DivisionRecord>,
    subjects: Vec<SubjectRecord>,
    teachers: Vec<UserRecord>,
    rooms: Vec<RoomRecord>,
}

/// A division's week as a grid of days, and a form to add a slot, or to change
/// or delete the one picked on the grid; a clash with another class of the
/// room, teacher or division is refused and named.
#[component]
pub fn TimetableScreen() -> Html {
    let changes = use_changes();
    let choices = use_state(Choices::default);
    let division = use_state(|| None::<Uuid>);
    let week = use_state(|| Loadable::<Vec<SlotRecord>>::Loading);
    // The class being changed (the form then changes it instead of adding one).
    let editing = use_state(|| None::<SlotRecord>);
    let confirm_delete = use_state(|| false);
    let refs = [
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    ];

    {
        let (guard, choices, division) =
            (changes.guard().clone(), choices.clone(), division.clone());
        use_effect_with((), move |()| {
            spawn_local(async move {
                let (d, s, t, r) = (
                    client::list_divisions().await,
                    client::list_subjects().await,
                    client::list_teachers().await,
                    client::list_rooms().await,
                );
                let (Some(d), Some(s), Some(t), Some(r)) =
                    (guard.pass(d), guard.pass(s), guard.pass(t), guard.pass(r))
                else {
                    return;
                };
                let loaded = Choices {
                    divisions: d.unwrap_or_default(),
                    subjects: s.unwrap_or_default(),
                    teachers: t.unwrap_or_default(),
                    rooms: r.unwrap_or_default(),
                };
                division.set(loaded.divisions.first().map(|d| d.id));
                choices.set(loaded);
            });
        });
    }
    {
        let (guard, week) = (changes.guard().clone(), week.clone());
        use_effect_with(*division, move |division| {
            if let Some(id) = *division {
                week.set(Loadable::Loading);
                spawn_local(async move {
                    if let Some(result) = guard.pass(client::division_timetable(id).await) {
                        week.set(result.into());
                    }
                });
            }
        });
    }
    {
        // The form shows the class chosen, or empties for a new one.
        let refs = refs.clone();
        use_effect_with((*editing).clone(), move |chosen| {
            let select = |i: usize, value: &str| {
                if let Some(s) = refs[i].cast::<HtmlSelectElement>() {
                    s.set_value(value);
                }
            };
            let input = |i: usize, value: &str| {
                if let Some(s) = refs[i].cast::<HtmlInputElement>() {
                    s.set_value(value);
                }
            };
            if let Some(slot) = chosen {
                select(0, &slot.subject_id.to_string());
                select(1, &slot.teacher_id.to_string());
                select(2, &slot.room_id.to_string());
                select(3, slot.weekday.name());
                input(4, &slot.starts_at.to_string());
                input(5, &slot.ends_at.to_string());
            } else {
                input(4, "");
                input(5, "");
            }
        });
    }
    let pick_slot = |slot: &SlotRecord| {
        let (editing, confirm_delete, changes) =
            (editing.clone(), confirm_delete.clone(), changes.clone());
        let slot = slot.clone();
        Callback::from(move |_: MouseEvent| {
            changes.clear();
            confirm_delete.set(false);
            editing.set(Some(slot.clone()));
        })
    };
    let cancel_edit = {
        let (editing, confirm_delete) = (editing.clone(), confirm_delete.clone());
        Callback::from(move |_: MouseEvent| {
            confirm_delete.set(false);
            editing.set(None);
        })
    };
    let delete = {
        let (changes, editing, confirm_delete, week, division) = (
            changes.clone(),
            editing.clone(),
            confirm_delete.clone(),
            week.clone(),
            division.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let Some(slot) = (*editing).clone() else {
                return;
            };
            if !*confirm_delete {
                confirm_delete.set(true);
                return;
            }
            confirm_delete.set(false);
            let (guard, week, editing, division) = (
                changes.guard().clone(),
                week.clone(),
                editing.clone(),
                *division,
            );
            changes.send(client::delete_slot(slot.id), move |()| {
                editing.set(None);
                if let Some(id) = division {
                    spawn_local(async move {
                        if let Some(Ok(slots)) = guard.pass(client::division_timetable(id).await) {
                            week.set(Loadable::Ready(slots));
                        }
                    });
                }
                format!(
                    "Deleted {} on {} {}–{}.",
                    slot.subject_name, slot.weekday, slot.starts_at, slot.ends_at
                )
            });
        })
    };
    let pick_division = {
        let (division, editing) = (division.clone(), editing.clone());
        Callback::from(move |e: Event| {
            let value = e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value());
            editing.set(None);
            division.set(value.and_then(|v| v.parse().ok()));
        })
    };
    let onsubmit = {
        let (changes, division, week, editing) = (
            changes.clone(),
            division.clone(),
            week.clone(),
            editing.clone(),
        );
        let refs = refs.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(division_id) = *division else { return };
            let select = |i: usize| {
                refs[i]
                    .cast::<HtmlSelectElement>()
                    .map(|s| s.value())
                    .unwrap_or_default()
            };
            let input = |i: usize| {
                refs[i]
                    .cast::<HtmlInputElement>()
                    .map(|s| s.value())
                    .unwrap_or_default()
            };
            let slot = (|| -> Result<NewSlot, String> {
                Ok(NewSlot {
                    division_id,
                    subject_id: select(0)
                        .parse()
                        .map_err(|_| "Choose a subject.".to_owned())?,
                    teacher_id: select(1)
                        .parse()
                        .map_err(|_| "Choose a teacher.".to_owned())?,
                    room_id: select(2).parse().map_err(|_| "Choose a room.".to_owned())?,
                    weekday: select(3)
                        .parse::<Weekday>()
                        .map_err(|_| "Choose a day.".to_owned())?,
                    starts_at: input(4)
                        .parse::<TimeOfDay>()
                        .map_err(|_| "Give the start as a time like 09:00.".to_owned())?,
                    ends_at: input(5)
                        .parse::<TimeOfDay>()
                        .map_err(|_| "Give the end as a time like 09:55.".to_owned())?,
                })
            })();
            let slot = match slot {
                Ok(slot) => slot,
                Err(problem) => {
                    changes.refuse(problem);
                    return;
                }
            };
            // The week is fetched again without "Loading", so the grid stays meanwhile.
            let (guard, week) = (changes.guard().clone(), week.clone());
            if let Some(before) = (*editing).clone() {
                let patch = SlotPatch {
                    division_id: None,
                    subject_id: Some(slot.subject_id),
                    teacher_id: Some(slot.teacher_id),
                    room_id: Some(slot.room_id),
                    weekday: Some(slot.weekday),
                    starts_at: Some(slot.starts_at),
                    ends_at: Some(slot.ends_at),
                };
                let editing = editing.clone();
                changes.submit(client::update_slot(before.id, patch), move |changed| {
                    editing.set(None);
                    spawn_local(async move {
                        if let Some(Ok(slots)) =
                            guard.pass(client::division_timetable(division_id).await)
                        {
                            week.set(Loadable::Ready(slots));
                        }
                    });
                    format!(
                        "Changed: {} on {} {}–{} in {}.",
                        changed.subject_name,
                        changed.weekday,
                        changed.starts_at,
                        changed.ends_at,
                        changed.room_code
                    )
                });
                return;
            }
            changes.submit(client::create_slot(slot), move |added| {
                spawn_local(async move {
                    if let Some(Ok(slots)) =
                        guard.pass(client::division_timetable(division_id).await)
                    {
                        week.set(Loadable::Ready(slots));
                    }
                });
                format!(
                    "Added {} on {} {}–{} in {}.",
                    added.subject_name,
                    added.weekday,
                    added.starts_at,
                    added.ends_at,
                    added.room_code
                )
            });
        })
    };
    let grid = match &*week {
        Loadable::Loading => loading("the timetable"),
        Loadable::Failed(problem) => html! { <p class="alert" role="alert">{ problem }</p> },
        Loadable::Ready(slots) => html! {
            <div id="week-grid" class="week-grid">
                { for Weekday::ALL.iter().map(|day| html! {
                    <section class="day" aria-label={day.name()}>
                        <h4>{ day.name() }</h4>
                        { for slots.iter().filter(|s| s.weekday == *day).map(|s| {
                            let chosen = editing.as_ref().is_some_and(|e| e.id == s.id);
                            html! {
                                <button type="button" class={classes!("slot", chosen.then_some("chosen"))}
                                    data-slot={s.id.to_string()} data-time={format!("{}-{}", s.starts_at, s.ends_at)}
                                    aria-pressed={chosen.to_string()} onclick={pick_slot(s)}
                                    title="Change or delete this class">
                                    <strong>{ format!("{}–{}", s.starts_at, s.ends_at) }</strong>
                                    <span>{ &s.subject_name }</span>
                                    <span class="muted small">{ format!("{} · {}", s.room_code, s.teacher_name) }</span>
                                </button>
                            }
                        }) }
                    </section>
                }) }
            </div>
        },
    };
    let c = &*choices;
    html! {
        <section class="screen wide" aria-labelledby="timetable-title">
            <header class="screen-head">
                <p class="eyebrow">{ "Structure" }</p>
                <h2 id="timetable-title">{ "Timetable" }</h2>
            </header>
            <div class="field narrow">
                <label for="timetable-division">{ "Division" }</label>
                <select id="timetable-division" onchange={pick_division}>
                    { for c.divisions.iter().map(|d| html! {
                        <option value={d.id.to_string()} selected={*division == Some(d.id)}>{ format!("{} · {}", d.code, d.name) }</option>
                    }) }
                </select>
            </div>
            { grid }
            <form id="slot-form" class="panel" {onsubmit}>
                <h3 id="slot-form-title">{ match &*editing {
                    Some(slot) => format!("Change {} on {} {}–{}", slot.subject_name, slot.weekday, slot.starts_at, slot.ends_at),
                    None => "Add a class to this division's week".to_owned(),
                } }</h3>
                <div class="form-grid">
                    <div class="field"><label for="slot-subject">{ "Subject" }</label>
                        <select id="slot-subject" ref={refs[0].clone()}>
                            { for c.subjects.iter().map(|s| html! { <option value={s.id.to_string()}>{ format!("{} · {}", s.code, s.name) }</option> }) }
                        </select></div>
                    <div class="field"><label for="slot-teacher">{ "Teacher" }</label>
                        <select id="slot-teacher" ref={refs[1].clone()}>
                            { for c.teachers.iter().map(|t| html! { <option value={t.id.to_string()} data-username={t.username.clone()}>{ &t.display_name }</option> }) }
                        </select></div>
                    <div class="field"><label for="slot-room">{ "Room" }</label>
                        <select id="slot-room" ref={refs[2].clone()}>
                            { for c.rooms.iter().map(|r| html! { <option value={r.id.to_string()} data-code={r.code.clone()}>{ format!("{} · {}", r.code, r.name) }</option> }) }
                        </select></div>
                    <div class="field"><label for="slot-day">{ "Day" }</label>
                        <select id="slot-day" ref={refs[3].clone()}>
                            { for Weekday::ALL.iter().map(|d| html! { <option value={d.name()}>{ d.name() }</option> }) }
                        </select></div>
                    <div class="field"><label for="slot-start">{ "Starts" }</label>
                        <input id="slot-start" ref={refs[4].clone()} inputmode="numeric" placeholder="09:00" /></div>
                    <div class="field"><label for="slot-end">{ "Ends" }</label>
                        <input id="slot-end" ref={refs[5].clone()} inputmode="numeric" placeholder="09:55" /></div>
                </div>
                { changes.outcome_line("slot-outcome") }
                <div class="form-actions">
                    <button id="slot-save" class="button primary" type="submit" disabled={changes.busy() || division.is_none()}>
                        if changes.busy() { <span class="spinner" aria-hidden="true" />{ "Saving…" } }
                        else if editing.is_some() { { "Save changes" } } else { { "Add class" } }
                    </button>
                    if editing.is_some() {
                        <button id="slot-delete" class="button danger" type="button" onclick={delete}>
                            { if *confirm_delete { "Yes, delete this class" } else { "Delete this class" } }
                        </button>
                        <button id="slot-cancel" class="button secondary" type="button" onclick={cancel_edit}>{ "Cancel" }</button>
                    }
                </div>
            </form>
        </section>
    }
}
