use uuid::Uuid;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::review_card::ReviewCard;
use crate::client::{self, Page, ReviewItem};
use crate::shared::sign_in_guard::{failed, loading, Loadable, SignInGuard};

/// The review queue: each doubtful claim with its evidence, to approve or reject.
#[component]
pub fn ReviewQueueScreen() -> Html {
    let guard = use_context::<SignInGuard>().unwrap_or_default();
    let queue = use_state(|| Loadable::<Page<ReviewItem>>::Loading);
    let notice = use_state(|| None::<String>);
    let load = {
        let queue = queue.clone();
        Callback::from(move |()| {
            let (guard, queue) = (guard.clone(), queue.clone());
            queue.set(Loadable::Loading);
            spawn_local(async move {
                let result = client::review_queue(1).await;
                if let Some(result) = guard.pass(result) {
                    queue.set(result.into());
                }
            });
        })
    };
    {
        let load = load.clone();
        use_effect_with((), move |()| load.emit(()));
    }
    let on_decided = {
        let (queue, notice) = (queue.clone(), notice.clone());
        Callback::from(move |(claim, sentence): (Uuid, String)| {
            if let Loadable::Ready(page) = &*queue {
                let mut page = page.clone();
                page.items.retain(|i| i.claim_id != claim);
                page.total = page.total.saturating_sub(1);
                queue.set(Loadable::Ready(page));
            }
            notice.set(Some(sentence));
        })
    };
    let body = match &*queue {
        Loadable::Loading => loading("the review queue"),
        Loadable::Failed(problem) => failed("The review queue", problem, load.reform(|_| ())),
        Loadable::Ready(page) if page.items.is_empty() => html! {
            <div class="empty" id="review-empty">
                <h3>{ "Nothing to review" }</h3>
                <p class="muted">{ "Doubtful check-ins (a vague location, a weak face match, a new phone) appear here for a decision." }</p>
            </div>
        },
        Loadable::Ready(page) => html! {
            <>
                <p class="muted">{ format!("{} waiting, oldest first.", page.total) }</p>
                <ul id="review-list" class="review-list">
                    { for page.items.iter().map(|item| html! {
                        <ReviewCard key={item.claim_id.to_string()} item={item.clone()} on_decided={on_decided.clone()} />
                    }) }
                </ul>
            </>
        },
    };
    html! {
        <section class="screen wide" aria-labelledby="review-title">
            <header class="screen-head">
                <p class="eyebrow">{ "Review queue" }</p>
                <h2 id="review-title">{ "Doubtful check-ins" }</h2>
            </header>
            if let Some(text) = &*notice {
                <p id="review-notice" class="notice done" role="status">{ text }</p>
            }
            { body }
        </section>
    }
}
