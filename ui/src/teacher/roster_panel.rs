use uuid::Uuid;
use yew::prelude::*;

use super::desk_handle::DeskHandle;
use super::state::DeskAction;
use crate::client::RosterEntry;
use crate::shared::labels::status_label;

/// What the roster panel needs.
#[derive(Properties, PartialEq)]
pub struct RosterPanelProps {
    /// The class.
    pub session_id: Uuid,
    /// Marks may be corrected.
    pub editable: bool,
}

/// The live roster: a line per student with a status chip and flags, the
/// present/expected count, and a Correct button per line.
#[component]
pub fn RosterPanel(props: &RosterPanelProps) -> Html {
    let Some(handle) = use_context::<DeskHandle>() else {
        return html! {};
    };
    let Some(roster) = handle.desk.roster().cloned() else {
        return html! {
            <section class="roster" aria-label="Roster">
                <p class="muted" aria-busy="true"><span class="spinner dark" aria-hidden="true" />{ " Loading the roster…" }</p>
            </section>
        };
    };
    let lines = roster
        .entries
        .iter()
        .map(|entry| line(&handle, entry, props.editable));
    html! {
        <section class="roster" aria-label="Roster">
            <header class="roster-head">
                <h3>{ "Roster" }</h3>
                <p id="present-count" class="count">
                    <strong>{ roster.present }</strong>{ format!(" / {} present", roster.expected) }
                </p>
            </header>
            if roster.entries.is_empty() {
                <p class="muted">{ "No students are enrolled in this division yet." }</p>
            } else {
                <ul id="roster" class="roster-lines">{ for lines }</ul>
            }
        </section>
    }
}

fn line(handle: &DeskHandle, entry: &RosterEntry, editable: bool) -> Html {
    let (label, class) = status_label(entry.status);
    let correct = {
        let handle = handle.clone();
        let student = entry.student_id;
        Callback::from(move |_| handle.desk.dispatch(DeskAction::MarkOpened(student)))
    };
    html! {
        <li class="roster-line" data-student={entry.student_id.to_string()} data-status={class}>
            <div class="who">
                <span class="name">{ &entry.display_name }</span>
                if let Some(no) = &entry.student_no { <span class="muted small">{ no }</span> }
            </div>
            <div class="flags">
                if entry.in_review { <span class="chip flag">{ "In review" }</span> }
                { for entry.flags.iter().map(|f| html! { <span class="chip flag">{ f.label() }</span> }) }
            </div>
            <span class={classes!("chip", "status", class)}>{ label }</span>
            if editable {
                <button class="button link correct-mark" type="button" onclick={correct}
                    aria-label={format!("Correct the mark of {}", entry.display_name)}>
                    { "Correct" }
                </button>
            }
        </li>
    }
}
