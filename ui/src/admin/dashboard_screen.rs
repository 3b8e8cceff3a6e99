use yew::platform::spawn_local;
use yew::prelude::*;

use super::attendance_chart::AttendanceChart;
use crate::client::{self, Dashboard, SessionStatus};
use crate::shared::clock::{clock, local_offset_minutes};
use crate::shared::labels::percent;
use crate::shared::sign_in_guard::{failed, loading, Loadable, SignInGuard};

/// What the dashboard needs.
#[derive(Properties, PartialEq)]
pub struct DashboardScreenProps {
    /// Opens the review queue.
    pub open_review: Callback<()>,
}

/// Today's classes, attendance over the last 30 days and by division, and the
/// students at risk.
#[component]
pub fn DashboardScreen(props: &DashboardScreenProps) -> Html {
    let guard = use_context::<SignInGuard>().unwrap_or_default();
    let data = use_state(|| Loadable::<Dashboard>::Loading);
    let load = {
        let data = data.clone();
        Callback::from(move |()| {
            let (guard, data) = (guard.clone(), data.clone());
            data.set(Loadable::Loading);
            spawn_local(async move {
                let result = client::dashboard().await;
                if let Some(result) = guard.pass(result) {
                    data.set(result.into());
                }
            });
        })
    };
    {
        let load = load.clone();
        use_effect_with((), move |()| load.emit(()));
    }
    let body = match &*data {
        Loadable::Loading => loading("the dashboard"),
        Loadable::Failed(problem) => failed("The dashboard", problem, load.reform(|_| ())),
        Loadable::Ready(d) => view(d, &props.open_review),
    };
    html! {
        <section class="screen wide" aria-labelledby="dashboard-title">
            <header class="screen-head">
                <p class="eyebrow">{ "Dashboard" }</p>
                <h2 id="dashboard-title">{ "The school today" }</h2>
            </header>
            { body }
        </section>
    }
}

fn view(d: &Dashboard, open_review: &Callback<()>) -> Html {
    let running = d
        .sessions
        .iter()
        .filter(|s| s.status == SessionStatus::Running)
        .count();
    let at_risk: Vec<_> = {
        let mut rows: Vec<_> = d.overall.rows.iter().filter(|r| r.at_risk).collect();
        rows.sort_by(|a, b| {
            a.percentage
                .partial_cmp(&b.percentage)
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        rows
    };
    let offset = local_offset_minutes();
    let review = open_review.reform(|_: MouseEvent| ());
    html! {
        <>
            <div class="stats">
                <div class="stat"><span class="stat-value" id="stat-classes">{ d.sessions.len() }</span>
                    <span class="stat-label">{ format!("classes today · {running} running") }</span></div>
                <div class="stat"><span class="stat-value" id="stat-rate">{ percent(d.overall.overall_percentage) }</span>
                    <span class="stat-label">{ format!("attendance, {} to {}", d.overall.from, d.overall.to) }</span></div>
                <div class="stat"><span class="stat-value" id="stat-at-risk">{ at_risk.len() }</span>
                    <span class="stat-label">{ format!("students below {:.0} %", d.overall.at_risk_below) }</span></div>
                <button class="stat action" type="button" onclick={review}>
                    <span class="stat-value" id="stat-review">{ d.review_waiting }</span>
                    <span class="stat-label">{ "waiting for review →" }</span>
                </button>
            </div>
            <div class="panels">
                <section class="panel wide-panel">
                    <h3>{ "Attendance per day" }</h3>
                    <AttendanceChart daily={d.overall.daily.clone()} />
                </section>
                <section class="panel">
                    <h3>{ "By division" }</h3>
                    <ul id="division-bars" class="bars">
                        { for d.divisions.iter().map(|div| {
                            let width = div.percentage.unwrap_or(0.0).clamp(0.0, 100.0);
                            html! {
                                <li>
                                    <span class="bar-label">{ &div.code }</span>
                                    <svg class="bar-track" viewBox="0 0 100 10" preserveAspectRatio="none"
                                        role="img" aria-label={format!("{}: {}", div.code, percent(div.percentage))}>
                                        <rect class="track" width="100" height="10" rx="5" />
                                        <rect class="fill" width={format!("{width:.1}")} height="10" rx="5" />
                                    </svg>
                                    <span class="bar-value">{ percent(div.percentage) }</span>
                                </li>
                            }
                        }) }
                    </ul>
                </section>
                <section class="panel">
                    <h3>{ "Classes today" }</h3>
                    if d.sessions.is_empty() {
                        <p class="muted">{ "No classes on today's timetable." }</p>
                    } else {
                        <ul id="today-sessions" class="plain-list">
                            { for d.sessions.iter().map(|s| html! {
                                <li>
                                    <span class="class-time small">{ clock(s.scheduled_start.unix(), offset) }</span>
                                    <span>{ s.subject_name.clone().unwrap_or_else(|| "Class".into()) }{ " · " }{ &s.division_code }{ " · " }{ &s.room_name }</span>
                                    <span class={classes!("chip", match s.status { SessionStatus::Running => "running", SessionStatus::Ended => "ended", SessionStatus::Planned => "planned" })}>
                                        { match s.status { SessionStatus::Running => "Running", SessionStatus::Ended => "Ended", SessionStatus::Planned => "Planned" } }
                                    </span>
                                </li>
                            }) }
                        </ul>
                    }
                </section>
                <section class="panel">
                    <h3>{ "Students at risk" }</h3>
                    if at_risk.is_empty() {
                        <p class="muted">{ "Nobody is below the threshold. " }</p>
                    } else {
                        <ul id="at-risk" class="plain-list">
                            { for at_risk.iter().take(10).map(|r| html! {
                                <li>
                                    <span>{ &r.student_name }</span>
                                    <span class="muted small">{ r.student_no.clone().unwrap_or_default() }</span>
                                    <span class="chip absent">{ percent(r.percentage) }</span>
                                </li>
                            }) }
                        </ul>
                    }
                </section>
            </div>
        </>
    }
}
