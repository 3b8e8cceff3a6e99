//! An extra class outside the timetable: a room, one of the teacher's divisions,
//! a subject if there is one, and its length; it starts at once and opens.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::desk_handle::DeskHandle;
use super::state::DeskAction;
use crate::client::{self, DivisionRecord, ExtraClass, RoomRecord, SubjectRecord};

/// What the form offers: the rooms, the teacher's divisions and the subjects.
#[derive(Debug, Clone, PartialEq)]
struct Choices {
    rooms: Vec<RoomRecord>,
    divisions: Vec<DivisionRecord>,
    subjects: Vec<SubjectRecord>,
}

async fn load_choices() -> Result<Choices, client::CommandError> {
    Ok(Choices {
        rooms: client::list_rooms().await?,
        divisions: client::list_divisions().await?,
        subjects: client::list_subjects().await?,
    })
}

/// The form as typed, checked before anything is sent; the field at fault is
/// named.
fn read_form(
    room: &str,
    division: &str,
    subject: &str,
    minutes: &str,
) -> Result<ExtraClass, String> {
    let room_id = room
        .parse()
        .map_err(|_| "Room: choose a room.".to_owned())?;
    let division_id = division
        .parse()
        .map_err(|_| "Division: choose one of your divisions.".to_owned())?;
    let subject_id = if subject.is_empty() {
        None
    } else {
        Some(
            subject
                .parse()
                .map_err(|_| "Subject: choose a subject or none.".to_owned())?,
        )
    };
    let minutes = minutes
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|m| ExtraClass::MINUTES.contains(m))
        .ok_or_else(|| "Length: an extra class lasts 5 to 300 minutes.".to_owned())?;
    Ok(ExtraClass {
        room_id,
        division_id,
        subject_id,
        minutes,
    })
}

/// *Extra class*: a button that opens the form.
#[component]
pub fn ExtraClassForm() -> Html {
    let handle = use_context::<DeskHandle>();
    let choices = use_state(|| None::<Result<Choices, String>>);
    let problem = use_state(|| None::<String>);
    // The length as typed: kept, so a refusal does not put the default back.
    let minutes = use_state(|| "50".to_owned());
    let refs = use_memo((), |()| {
        [NodeRef::default(), NodeRef::default(), NodeRef::default()]
    });
    let Some(handle) = handle else {
        return html! {};
    };
    let open = {
        let choices = choices.clone();
        let handle = handle.clone();
        Callback::from(move |_| {
            let (choices, handle) = (choices.clone(), handle.clone());
            choices.set(Some(
                Err("Loading the rooms and your divisions…".to_owned()),
            ));
            spawn_local(async move {
                match load_choices().await {
                    Ok(loaded) => choices.set(Some(Ok(loaded))),
                    Err(e) => {
                        if !handle.signed_out(&e) {
                            choices.set(Some(Err(e.message)));
                        }
                    }
                }
            });
        })
    };
    let Some(Ok(loaded)) = &*choices else {
        let note = match &*choices {
            Some(Err(text)) => html! { <p class="muted" role="status">{ text }</p> },
            _ => html! {},
        };
        return html! {
            <div class="extra-class">
                <button id="extra-class-open" class="button secondary" type="button" onclick={open}>
                    { "Extra class…" }
                </button>
                { note }
            </div>
        };
    };
    let busy = handle.desk.busy.is_some();
    let onsubmit = {
        let (problem, refs, minutes) = (problem.clone(), refs.clone(), minutes.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let select = |i: usize| {
                refs[i]
                    .cast::<HtmlSelectElement>()
                    .map(|s| s.value())
                    .unwrap_or_default()
            };
            match read_form(&select(0), &select(1), &select(2), &minutes) {
                Err(text) => problem.set(Some(text)),
                Ok(extra) => {
                    problem.set(None);
                    handle.desk.dispatch(DeskAction::ExtraRequested);
                    let handle = handle.clone();
                    spawn_local(async move {
                        let result = client::start_extra_class(extra).await;
                        handle.settle(result, DeskAction::Started);
                    });
                }
            }
        })
    };
    let typed = {
        let minutes = minutes.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                minutes.set(input.value());
            }
        })
    };
    let cancel = {
        let choices = choices.clone();
        Callback::from(move |_| choices.set(None))
    };
    let problem = (*problem).clone().map_or_else(
        || html! {},
        |text| html! { <p id="extra-class-problem" class="alert" role="alert">{ text }</p> },
    );
    html! {
        <form id="extra-class" class="panel" {onsubmit}>
            <h3>{ "An extra class, outside the timetable" }</h3>
            <div class="form-grid">
                <div class="field"><label for="extra-room">{ "Room" }</label>
                    <select id="extra-room" ref={refs[0].clone()}>
                        { for loaded.rooms.iter().map(|r| html! { <option value={r.id.to_string()} data-code={r.code.clone()}>{ format!("{} · {}", r.code, r.name) }</option> }) }
                    </select></div>
                <div class="field"><label for="extra-division">{ "Division" }</label>
                    <select id="extra-division" ref={refs[1].clone()}>
                        { for loaded.divisions.iter().map(|d| html! { <option value={d.id.to_string()} data-code={d.code.clone()}>{ format!("{} · {}", d.code, d.name) }</option> }) }
                    </select></div>
                <div class="field"><label for="extra-subject">{ "Subject" }</label>
                    <select id="extra-subject" ref={refs[2].clone()}>
                        <option value="">{ "No subject" }</option>
                        { for loaded.subjects.iter().map(|s| html! { <option value={s.id.to_string()}>{ format!("{} · {}", s.code, s.name) }</option> }) }
                    </select></div>
                <div class="field narrow"><label for="extra-minutes">{ "Length (minutes)" }</label>
                    <input id="extra-minutes" inputmode="numeric" value={(*minutes).clone()} oninput={typed} /></div>
            </div>
            { problem }
            <div class="actions">
                <button id="extra-class-start" class="button primary" type="submit" disabled={busy}>
                    { "Start the extra class" }
                </button>
                <button class="button secondary" type="button" onclick={cancel}>{ "Cancel" }</button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::read_form;
    use uuid::Uuid;

    #[test]
    fn each_bad_field_is_named_and_a_good_form_reads() {
        let (room, division, subject) =
            (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let (r, d, s) = (room.to_string(), division.to_string(), subject.to_string());
        assert!(read_form("", &d, "", "50").unwrap_err().starts_with("Room"));
        assert!(read_form(&r, "x", "", "50")
            .unwrap_err()
            .starts_with("Division"));
        assert!(read_form(&r, &d, "nope", "50")
            .unwrap_err()
            .starts_with("Subject"));
        for minutes in ["4", "301", "fifty", ""] {
            assert!(read_form(&r, &d, "", minutes)
                .unwrap_err()
                .starts_with("Length"));
        }
        let extra = read_form(&r, &d, &s, " 45 ").unwrap();
        assert_eq!(
            (
                extra.room_id,
                extra.division_id,
                extra.subject_id,
                extra.minutes
            ),
            (room, division, Some(subject), 45)
        );
        assert_eq!(read_form(&r, &d, "", "5").unwrap().subject_id, None);
    }
}
