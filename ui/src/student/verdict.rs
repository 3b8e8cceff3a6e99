//! The answer to the student's last check-in: saved for later, or the server's
//! verdict with each factor and the reasons.

use yew::prelude::*;

use crate::client::CheckInAnswer;
use crate::shared::labels::{factor_label, status_class, status_mark};
use rollcall_core::verdict::Outcome;

/// What the check-in verdict shows.
#[derive(Properties, PartialEq)]
pub struct VerdictProps {
    /// The last attempt's answer, or a problem in words; nothing before any.
    pub answer: Option<Result<CheckInAnswer, String>>,
}

/// The verdict under the check-in form.
#[component]
pub fn Verdict(props: &VerdictProps) -> Html {
    match &props.answer {
        None => html! {},
        Some(Err(problem)) => {
            html! { <p id="checkin-verdict" class="notice problem" role="alert">{ problem }</p> }
        }
        Some(Ok(a)) => match &a.result {
            None => html! {
                <p id="checkin-verdict" class="notice done" role="status" data-claim={a.claim_id.to_string()}>
                    { format!("Saved on this device; it will be sent when the network is back ({} waiting).", a.pending) }
                </p>
            },
            Some(r) => {
                let (title, class) = match r.outcome {
                    Outcome::Accepted => ("You are checked in.", "done"),
                    Outcome::Review => (
                        "Your check-in waits for a teacher or admin to confirm it.",
                        "done",
                    ),
                    Outcome::Rejected => ("Your check-in was refused.", "problem"),
                };
                html! {
                    <div id="checkin-verdict" class={classes!("notice", class)} data-outcome={r.outcome.as_str()} data-claim={a.claim_id.to_string()} role="status">
                        <p><strong>{ title }</strong></p>
                        <div class="factors">
                            { for r.factors.iter().map(|f| html! {
                                <span class={classes!("chip", status_class(f.status))}>{ format!("{} {}", factor_label(f.factor), status_mark(f.status)) }</span>
                            }) }
                        </div>
                        <ul class="reasons">{ for r.reasons.iter().map(|x| html! { <li>{ &x.message }</li> }) }</ul>
                    </div>
                }
            }
        },
    }
}
