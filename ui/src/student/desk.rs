//! The student's desk: today's classes, the check-in screen for the class chosen,
//! the outbox's state, their week and their own attendance.

use yew::platform::spawn_local;
use yew::prelude::*;

use super::check_in_attempt::Attempt;
use super::check_in_screen::CheckInScreen;
use super::class_list::ClassList;
use super::my_attendance::MyAttendancePanel;
use super::my_week::MyWeek;
use super::state::{StudentAction, StudentState};
use crate::client::face as face_client;
use crate::client::{self, MyEventsUpdate, SyncStatus, MY_EVENTS_EVENT, SYNC_STATUS_EVENT};
use crate::shared::sign_in_guard::{Loadable, SignInGuard};

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
    let desk = use_reducer(StudentState::default);
    {
        let desk = desk.clone();
        use_effect_with((), move |()| {
            spawn_local(async move {
                if let Ok(status) = face_client::face_status().await {
                    desk.dispatch(StudentAction::FaceKnown(status));
                }
            });
        });
    }
    {
        let (guard, desk) = (guard.clone(), desk.clone());
        use_effect_with((), move |()| {
            let listeners = {
                let (synced, heard) = (desk.clone(), desk.clone());
                [
                    client::listen_to(SYNC_STATUS_EVENT, move |status: SyncStatus| {
                        synced.dispatch(StudentAction::Synced(status));
                    }),
                    // Changes for this student: a class opening shows by itself.
                    client::listen_to(MY_EVENTS_EVENT, move |update: MyEventsUpdate| {
                        heard.dispatch(StudentAction::Heard(update));
                    }),
                ]
            };
            spawn_local(async move {
                // Only the IPC itself can fail; the classes load on their own all the same.
                let _ = client::watch_my_events().await;
                if let Some(result) = guard.pass(client::prepare_phone().await) {
                    desk.dispatch(StudentAction::PhoneLoaded(result));
                }
            });
            move || drop(listeners)
        });
    }
    {
        let (guard, dispatch) = (guard.clone(), desk.dispatcher());
        use_effect_with(desk.refreshes, move |_| {
            spawn_local(async move {
                if let Some(result) = guard.pass(client::student_classes().await) {
                    dispatch.dispatch(StudentAction::ClassesLoaded(result));
                }
                if let Some(result) = guard.pass(client::my_attendance().await) {
                    dispatch.dispatch(StudentAction::HistoryLoaded(result));
                }
            });
        });
    }
    let device_note = match &desk.phone {
        Loadable::Ready(_) if desk.device_pending() => html! {
            <p id="device-pending" class="notice problem" role="alert">
                { "This device is not your bound phone yet: an administrator must approve it before its check-ins count." }
            </p>
        },
        Loadable::Failed(problem) => {
            html! { <p class="notice problem" role="alert">{ problem }</p> }
        }
        _ => html! {},
    };
    let on_choose = {
        let desk = desk.dispatcher();
        Callback::from(move |id| desk.dispatch(StudentAction::Choose(id)))
    };
    let attempt = Attempt {
        guard: guard.clone(),
        desk: desk.clone(),
    };
    html! {
        <section class="screen wide student" aria-labelledby="student-title">
            <header class="screen-head">
                <p class="eyebrow">{ "Check in" }</p>
                <h2 id="student-title">{ "Your classes today" }</h2>
                <p id="sync-state" class="muted" role="status">{ desk.sync_line() }</p>
            </header>
            { device_note }
            <ClassList classes={desk.classes.clone()} chosen={desk.chosen} {on_choose} />
            <CheckInScreen {attempt} />
            <MyWeek guard={guard.clone()} />
            <MyAttendancePanel history={desk.history.clone()} {guard} />
        </section>
    }
}
