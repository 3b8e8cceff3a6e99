//! The student's week: the timetable of their divisions, day by day, today
//! marked.

use rollcall_core::api::{SlotRecord, Weekday};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::client;
use crate::shared::sign_in_guard::{loading, Loadable, SignInGuard};

/// What the week needs.
#[derive(Properties, PartialEq)]
pub struct MyWeekProps {
    /// Sends the app back to the login screen when the sign-in is gone.
    pub guard: SignInGuard,
}

/// Today, by this computer's clock (ISO: Monday is 1).
fn today() -> Option<Weekday> {
    let sunday_first = js_sys::Date::new_0().get_day();
    let iso = if sunday_first == 0 { 7 } else { sunday_first };
    u8::try_from(iso).ok().and_then(Weekday::from_iso)
}

/// The days to show: Monday to Friday, and a weekend day only when it has classes.
fn days_shown(slots: &[SlotRecord]) -> Vec<Weekday> {
    Weekday::ALL
        .into_iter()
        .filter(|d| d.iso() <= 5 || slots.iter().any(|s| s.weekday == *d))
        .collect()
}

/// The student's weekly timetable.
#[component]
pub fn MyWeek(props: &MyWeekProps) -> Html {
    let week = use_state(|| Loadable::<Vec<SlotRecord>>::Loading);
    {
        let (guard, week) = (props.guard.clone(), week.clone());
        use_effect_with((), move |()| {
            spawn_local(async move {
                if let Some(result) = guard.pass(client::my_timetable().await) {
                    week.set(result.into());
                }
            });
        });
    }
    let today = today();
    let body = match &*week {
        Loadable::Loading => loading("your week"),
        Loadable::Failed(problem) => html! { <p class="alert" role="alert">{ problem }</p> },
        Loadable::Ready(slots) if slots.is_empty() => html! {
            <p class="muted">{ "Your divisions have no classes on the timetable yet." }</p>
        },
        Loadable::Ready(slots) => html! {
            <div class="week-grid">
                { for days_shown(slots).into_iter().map(|day| html! {
                    <section class={classes!("day", (Some(day) == today).then_some("today"))} aria-label={day.name()}>
                        <h4>{ day.name() }{ if Some(day) == today { " · today" } else { "" } }</h4>
                        { for slots.iter().filter(|s| s.weekday == day).map(|s| html! {
                            <div class="slot week-slot" data-slot={s.id.to_string()}>
                                <strong>{ format!("{}–{}", s.starts_at, s.ends_at) }</strong>
                                <span>{ &s.subject_name }</span>
                                <span class="muted small">{ format!("{} · {} · {}", s.room_code, s.teacher_name, s.division_code) }</span>
                            </div>
                        }) }
                    </section>
                }) }
            </div>
        },
    };
    html! {
        <section id="my-week" class="panel" aria-labelledby="my-week-title">
            <h3 id="my-week-title">{ "Your week" }</h3>
            { body }
        </section>
    }
}
