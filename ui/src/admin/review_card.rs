use uuid::Uuid;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::changes::use_changes;
use crate::client::{self, ReviewDecision, ReviewForm, ReviewItem};
use crate::shared::clock::local_date_time;
use crate::shared::labels::{factor_label, status_class, status_mark};

/// What a review card needs.
#[derive(Properties, PartialEq)]
pub struct ReviewCardProps {
    /// The doubtful claim.
    pub item: ReviewItem,
    /// Called with the claim and a sentence once decided.
    pub on_decided: Callback<(Uuid, String)>,
}

/// One doubtful claim: who, which class, each factor's state, the reasons in
/// words, the kiosk's face thumbnail, and Approve / Reject with a note.
#[component]
pub fn ReviewCard(props: &ReviewCardProps) -> Html {
    let changes = use_changes();
    let note = use_node_ref();
    let thumbnail = use_state(|| None::<String>);
    {
        let (guard, thumbnail) = (changes.guard().clone(), thumbnail.clone());
        let (claim, has) = (props.item.claim_id, props.item.has_thumbnail);
        use_effect_with(claim, move |_| {
            if has {
                spawn_local(async move {
                    if let Some(Ok(url)) = guard.pass(client::review_thumbnail(claim).await) {
                        thumbnail.set(Some(url));
                    }
                });
            }
        });
    }
    let item = &props.item;
    // Decided, the queue drops the card and says so; a problem shows on the card.
    let decide = |decision: ReviewDecision| {
        let (changes, note) = (changes.clone(), note.clone());
        let on_decided = props.on_decided.clone();
        let (claim, name) = (item.claim_id, item.student_name.clone());
        Callback::from(move |_: MouseEvent| {
            let text = note
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            if text.trim().is_empty() {
                changes.refuse("Write a note: it is kept with the decision.");
                return;
            }
            let form = ReviewForm {
                claim_id: claim,
                decision,
                note: text.trim().to_owned(),
            };
            let (on_decided, name) = (on_decided.clone(), name.clone());
            changes.submit(client::decide_review(form), move |line| {
                let sentence = match decision {
                    ReviewDecision::Approve => format!(
                        "Approved: {name} is {}.",
                        line.status.map_or("marked", |s| s.as_str())
                    ),
                    ReviewDecision::Reject => {
                        format!("Rejected: the check-in of {name} marks nobody.")
                    }
                };
                on_decided.emit((claim, sentence));
                None::<String>
            });
        })
    };
    let when = local_date_time(item.scanned_at.unix());
    html! {
        <li class="review-card" data-claim={item.claim_id.to_string()}>
            <div class="review-main">
                <h3>{ &item.student_name }</h3>
                <p class="muted">
                    { item.subject_name.clone().unwrap_or_else(|| "Class".into()) }{ " · " }{ &item.room_name }{ " · " }{ when }
                </p>
                <div class="factors">
                    { for item.factors.iter().map(|f| html! {
                        <span class={classes!("chip", status_class(f.status))}>
                            { format!("{} {}", factor_label(f.factor), status_mark(f.status)) }
                        </span>
                    }) }
                </div>
                <ul class="reasons">
                    { for item.reasons.iter().map(|r| html! { <li>{ &r.message }</li> }) }
                </ul>
                <div class="decide">
                    <input ref={note.clone()} class="note" type="text" maxlength="500" disabled={changes.busy()}
                        placeholder="Note (kept with the decision)" aria-label={format!("Note about {}", item.student_name)} />
                    <button class="button primary approve" type="button" disabled={changes.busy()} onclick={decide(ReviewDecision::Approve)}>{ "Approve" }</button>
                    <button class="button secondary reject" type="button" disabled={changes.busy()} onclick={decide(ReviewDecision::Reject)}>{ "Reject" }</button>
                </div>
                if let Some(Err(text)) = changes.outcome() {
                    <p class="field-error" role="alert">{ text }</p>
                }
            </div>
            if let Some(url) = &*thumbnail {
                <img class="thumbnail" src={url.clone()} alt={format!("Face seen by the kiosk for {}", item.student_name)} />
            }
        </li>
    }
}
