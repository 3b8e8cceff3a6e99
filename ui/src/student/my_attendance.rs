//! The student's own attendance per subject.

use yew::prelude::*;

use crate::client::MyAttendance;
use crate::shared::labels::percent;
use crate::shared::sign_in_guard::Loadable;

/// What the attendance panel shows.
#[derive(Properties, PartialEq)]
pub struct MyAttendanceProps {
    /// The student's attendance, once fetched.
    pub history: Loadable<MyAttendance>,
}

/// Held, attended and the percentage, per subject.
#[component]
pub fn MyAttendancePanel(props: &MyAttendanceProps) -> Html {
    let subjects = match &props.history {
        Loadable::Ready(h) if !h.subjects.is_empty() => html! {
            <div class="table-wrap"><table id="my-subjects" class="table">
                <thead><tr><th scope="col">{ "Subject" }</th><th scope="col" class="num">{ "Held" }</th><th scope="col" class="num">{ "Attended" }</th><th scope="col" class="num">{ "%" }</th></tr></thead>
                <tbody>{ for h.subjects.iter().map(|s| html! {
                    <tr><td>{ s.subject_name.clone().unwrap_or_else(|| "Other".into()) }</td><td class="num">{ s.held }</td><td class="num">{ s.attended }</td><td class="num">{ percent(s.percentage) }</td></tr>
                }) }</tbody>
            </table></div>
        },
        Loadable::Ready(_) => {
            html! { <p class="muted">{ "Your attendance per subject appears once classes have ended." }</p> }
        }
        _ => html! {},
    };
    html! {
        <section class="panel">
            <h3>{ "Your attendance" }</h3>
            { subjects }
        </section>
    }
}
