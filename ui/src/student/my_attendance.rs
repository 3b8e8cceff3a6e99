//! The student's own record: overall and per subject against the school's
//! at-risk line, the recent classes with how each was marked, and their data
//! to take away.

use yew::platform::spawn_local;
use yew::prelude::*;

use super::mark_story::mark_story;
use crate::client::{self, MyAttendance};
use crate::shared::clock::local_date_time;
use crate::shared::exports::saved_sentence;
use crate::shared::labels::{percent, status_label};
use crate::shared::sign_in_guard::{outcome_line, Loadable, SignInGuard};

/// What the attendance panel shows.
#[derive(Properties, PartialEq)]
pub struct MyAttendanceProps {
    /// The student's attendance, once fetched.
    pub history: Loadable<MyAttendance>,
    /// Sends the app back to the login screen when the sign-in is gone.
    pub guard: SignInGuard,
}

/// The line percentage as people read it: `75 %`.
fn line(value: f64) -> String {
    format!("{value:.0} %")
}

/// Overall and per subject, the recent classes, and "Download my data".
#[component]
pub fn MyAttendancePanel(props: &MyAttendanceProps) -> Html {
    let saving = use_state(|| false);
    let saved = use_state(|| None::<Result<String, String>>);
    let download = {
        let (guard, saving, saved) = (props.guard.clone(), saving.clone(), saved.clone());
        Callback::from(move |_: MouseEvent| {
            let (guard, saving, saved) = (guard.clone(), saving.clone(), saved.clone());
            saving.set(true);
            spawn_local(async move {
                if let Some(result) = guard.pass(client::save_my_data().await) {
                    saved.set(Some(
                        result
                            .map(|file| saved_sentence(file.as_ref()))
                            .map_err(|e| e.message),
                    ));
                }
                saving.set(false);
            });
        })
    };
    let record = match &props.history {
        Loadable::Ready(h) => record(h),
        Loadable::Failed(problem) => html! { <p class="alert" role="alert">{ problem }</p> },
        Loadable::Loading => html! {},
    };
    html! {
        <section id="my-record" class="panel" aria-labelledby="my-record-title">
            <h3 id="my-record-title">{ "Your attendance" }</h3>
            { record }
            <div class="actions">
                <button id="download-my-data" class="button secondary" type="button" onclick={download} disabled={*saving}>
                    { if *saving { "Preparing your data…" } else { "Download my data" } }
                </button>
            </div>
            { outcome_line("my-data-saved", &saved) }
        </section>
    }
}

fn record(h: &MyAttendance) -> Html {
    let overall = &h.overall;
    let summary = match overall.percentage {
        None => html! {
            <p id="my-overall" class="muted">{ "Your percentage appears once a class you attend has ended." }</p>
        },
        Some(_) => html! {
            <p id="my-overall" class="big-figure">
                <strong>{ percent(overall.percentage) }</strong>
                { format!(" of your classes attended ({} of {}; the school's line is {})",
                    overall.attended, overall.held - overall.excused, line(h.at_risk_below)) }
            </p>
        },
    };
    let warning = overall.at_risk(h.at_risk_below).then(|| html! {
        <p id="at-risk-warning" class="notice problem" role="alert">
            { format!("Your attendance is {}, below the school's {} line. Talk to your teacher about the classes you missed.",
                percent(overall.percentage), line(h.at_risk_below)) }
        </p>
    });
    let subjects = if h.subjects.is_empty() {
        html! {}
    } else {
        html! {
            <div class="table-wrap"><table id="my-subjects" class="table">
                <caption class="visually-hidden">{ "Attendance per subject" }</caption>
                <thead><tr><th scope="col">{ "Subject" }</th><th scope="col" class="num">{ "Held" }</th><th scope="col" class="num">{ "Attended" }</th><th scope="col" class="num">{ "Excused" }</th><th scope="col" class="num">{ "%" }</th></tr></thead>
                <tbody>{ for h.subjects.iter().map(|s| {
                    let risky = s.at_risk(h.at_risk_below);
                    html! {
                        <tr class={classes!(risky.then_some("at-risk"))}>
                            <td>{ s.subject_name.clone().unwrap_or_else(|| "Classes without a subject".into()) }
                                if risky { <span class="chip status absent">{ "Below the line" }</span> }</td>
                            <td class="num">{ s.held }</td><td class="num">{ s.attended }</td>
                            <td class="num">{ s.excused }</td><td class="num">{ percent(s.percentage) }</td>
                        </tr>
                    }
                }) }</tbody>
            </table></div>
        }
    };
    let recent = if h.recent.is_empty() {
        html! { <p class="muted">{ "Your classes appear here once they have started." }</p> }
    } else {
        html! {
            <ul id="my-history" class="history-list">
                { for h.recent.iter().map(|e| {
                    let (label, class) = status_label(e.status);
                    html! {
                        <li class="history-entry" data-session={e.session_id.to_string()}>
                            <div class="history-head">
                                <strong>{ e.subject_name.clone().unwrap_or_else(|| "Class".into()) }</strong>
                                <span class="muted small">{ format!(" {} · {}", local_date_time(e.scheduled_start.unix()), e.room_name) }</span>
                                <span class={classes!("chip", "status", class)}>{ label }</span>
                            </div>
                            <ul class="reasons">{ for mark_story(e).into_iter().map(|line| html! { <li>{ line }</li> }) }</ul>
                        </li>
                    }
                }) }
            </ul>
        }
    };
    html! {
        <>
            { summary }
            { warning }
            { subjects }
            <h4>{ "Recent classes" }</h4>
            { recent }
        </>
    }
}
