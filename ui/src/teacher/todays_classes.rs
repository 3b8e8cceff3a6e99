use yew::platform::spawn_local;
use yew::prelude::*;

use super::desk_handle::DeskHandle;
use super::extra_class::ExtraClassForm;
use super::state::{next_class, Busy, Classes, DeskAction, Notice};
use crate::client::{self, ClassSession, SessionStatus};
use crate::shared::clock::{clock, local_offset_minutes, now_unix};

/// Today's timetable: one card per class, the next one highlighted, each with
/// Start (or Open, once running).
#[component]
pub fn TodaysClasses() -> Html {
    let Some(handle) = use_context::<DeskHandle>() else {
        return html! {};
    };
    let desk = &*handle.desk;
    let body = match &desk.classes {
        Classes::Loading => html! {
            <p class="muted" aria-busy="true"><span class="spinner dark" aria-hidden="true" />{ " Loading today's classes…" }</p>
        },
        Classes::Failed(problem) => html! {
            <div class="alert" role="alert">
                <p>{ "Today's classes could not be loaded. " }{ problem }</p>
                <button class="button secondary" type="button" onclick={
                    let handle = handle.clone();
                    Callback::from(move |_| handle.reload())
                }>{ "Try again" }</button>
            </div>
        },
        Classes::Ready(classes) if classes.is_empty() => html! {
            <div class="empty">
                <h3>{ "No classes today" }</h3>
                <p class="muted">{ "Your timetable has nothing for today. An administrator adds classes to the timetable." }</p>
            </div>
        },
        Classes::Ready(classes) => {
            let next = next_class(classes, now_unix());
            let offset = local_offset_minutes();
            html! {
                <ol class="class-list">
                    { for classes.iter().map(|c| class_card(&handle, c, next == Some(c.id), offset)) }
                </ol>
            }
        }
    };
    let problem = match &desk.notice {
        Some(Notice::Problem(text)) => {
            html! { <p id="desk-problem" class="alert" role="alert">{ text }</p> }
        }
        _ => html! {},
    };
    let open_review = {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| handle.desk.dispatch(DeskAction::OpenReview))
    };
    html! {
        <section class="screen wide">
            <header class="screen-head split">
                <div>
                    <p class="eyebrow">{ "Today" }</p>
                    <h2>{ "Your classes" }</h2>
                </div>
                <button id="open-review" class="button secondary" type="button" onclick={open_review}>
                    { "Doubtful check-ins" }
                </button>
            </header>
            { problem }
            { body }
            <ExtraClassForm />
        </section>
    }
}

fn class_card(handle: &DeskHandle, class: &ClassSession, next: bool, offset: i64) -> Html {
    let title = class
        .subject_name
        .clone()
        .unwrap_or_else(|| "Class".to_owned());
    let when = format!(
        "{}–{}",
        clock(class.scheduled_start.unix(), offset),
        clock(class.scheduled_end.unix(), offset)
    );
    let starting = handle.desk.busy == Some(Busy::Starting(class.slot_id.unwrap_or_default()));
    let action = match (class.status, class.slot_id) {
        (SessionStatus::Running, _) => {
            let (handle, id) = (handle.clone(), class.id);
            html! {
                <button class="button primary start-class" type="button"
                    onclick={Callback::from(move |_| handle.desk.dispatch(DeskAction::Open(id)))}>
                    { "Open class" }
                </button>
            }
        }
        (SessionStatus::Planned, Some(slot)) => {
            let handle = handle.clone();
            let busy = handle.desk.busy.is_some();
            html! {
                <button class="button primary start-class" type="button" disabled={busy}
                    aria-busy={starting.to_string()}
                    onclick={Callback::from(move |_| {
                        handle.desk.dispatch(DeskAction::StartRequested(slot));
                        let handle = handle.clone();
                        spawn_local(async move {
                            let result = client::start_class(slot).await;
                            handle.settle(result, DeskAction::Started);
                        });
                    })}>
                    if starting { <span class="spinner" aria-hidden="true" />{ "Starting…" } } else { { "Start class" } }
                </button>
            }
        }
        (SessionStatus::Ended, _) => {
            let (handle, id) = (handle.clone(), class.id);
            html! {
                <button class="button secondary" type="button"
                    onclick={Callback::from(move |_| handle.desk.dispatch(DeskAction::Open(id)))}>
                    { "Class sheet" }
                </button>
            }
        }
        (SessionStatus::Planned, None) => html! {},
    };
    let status = match class.status {
        SessionStatus::Planned => "Planned",
        SessionStatus::Running => "Running",
        SessionStatus::Ended => "Ended",
    };
    html! {
        <li class={classes!("class-card", next.then_some("next"), class.status_class())}
            data-session={class.id.to_string()}>
            <div class="class-time">{ when }</div>
            <div class="class-what">
                <h3>{ title }</h3>
                <p class="muted">{ &class.division_code }{ " · " }{ &class.room_name }</p>
            </div>
            <span class={classes!("chip", class.status_class())}>
                { if next && class.status == SessionStatus::Planned { "Next" } else { status } }
            </span>
            { action }
        </li>
    }
}

/// A CSS class per session status.
trait StatusClass {
    fn status_class(&self) -> &'static str;
}

impl StatusClass for ClassSession {
    fn status_class(&self) -> &'static str {
        match self.status {
            SessionStatus::Planned => "planned",
            SessionStatus::Running => "running",
            SessionStatus::Ended => "ended",
        }
    }
}
