use uuid::Uuid;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::changes::use_changes;
use crate::client::{
    self, DivisionRecord, NewSlot, RoomRecord, SlotRecord, SubjectRecord, TimeOfDay, UserRecord,
    Weekday,
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

/// A division's week as a grid of days, and a form to add a slot; a clash with
/// another class of the room, teacher or division is refused and named.
#[component]
pub fn TimetableScreen() -> Html {
    let changes = use_changes();
    let choices = use_state(Choices::default);
    let division = use_state(|| None::<Uuid>);
    let week = use_state(|| Loadable::<Vec<SlotRecord>>::Loading);
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
    let pick_division = {
        let division = division.clone();
        Callback::from(move |e: Event| {
            let value = e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value());
            division.set(value.and_then(|v| v.parse().ok()));
        })
    };
    let onsubmit = {
        let (changes, division, week) = (changes.clone(), division.clone(), week.clone());
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
                        { for slots.iter().filter(|s| s.weekday == *day).map(|s| html! {
                            <div class="slot" data-slot={s.id.to_string()}>
                                <strong>{ format!("{}–{}", s.starts_at, s.ends_at) }</strong>
                                <span>{ &s.subject_name }</span>
                                <span class="muted small">{ format!("{} · {}", s.room_code, s.teacher_name) }</span>
                            </div>
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
                <h3>{ "Add a class to this division's week" }</h3>
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
                <button id="slot-save" class="button primary" type="submit" disabled={changes.busy() || division.is_none()}>
                    if changes.busy() { <span class="spinner" aria-hidden="true" />{ "Saving…" } } else { { "Add class" } }
                </button>
            </form>
        </section>
    }
}
