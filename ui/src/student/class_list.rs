//! Today's classes as the student sees them, with a button to pick the running
//! one to check in to.

use uuid::Uuid;
use yew::prelude::*;

use crate::client::{SessionStatus, StudentClass};
use crate::shared::clock::{clock, local_offset_minutes};
use crate::shared::labels::status_label;
use crate::shared::sign_in_guard::{loading, Loadable};

/// What the class list shows.
#[derive(Properties, PartialEq)]
pub struct ClassListProps {
    /// Today's classes, once fetched.
    pub classes: Loadable<Vec<StudentClass>>,
    /// The class picked to check in to.
    pub chosen: Option<Uuid>,
    /// Called with the class the student picks.
    pub on_choose: Callback<Uuid>,
}

/// Today's classes with the student's record in each.
#[component]
pub fn ClassList(props: &ClassListProps) -> Html {
    let offset = local_offset_minutes();
    match &props.classes {
        Loadable::Loading => loading("today's classes"),
        Loadable::Failed(problem) => html! { <p class="alert" role="alert">{ problem }</p> },
        Loadable::Ready(list) if list.is_empty() => html! {
            <div id="no-classes" class="empty"><h3>{ "No classes right now" }</h3>
                <p class="muted">{ "Your classes appear here once your teacher starts them." }</p></div>
        },
        Loadable::Ready(list) => html! {
            <ul id="student-classes" class="class-list">
                { for list.iter().map(|c| {
                    let s = &c.session;
                    let (label, class) = status_label(c.status);
                    let pick = props.on_choose.reform({ let id = s.id; move |_: MouseEvent| id });
                    let selected = props.chosen == Some(s.id);
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
    }
}
