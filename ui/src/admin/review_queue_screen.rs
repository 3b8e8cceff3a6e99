use uuid::Uuid;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::review_card::ReviewCard;
use crate::client::{self, Page, ReviewItem};
use crate::shared::sign_in_guard::{failed, loading, Loadable, SignInGuard};

/// How many pages `total` items make at `per_page` a page.
#[must_use]
pub fn page_count(total: u64, per_page: u32) -> u32 {
    let per_page = u64::from(per_page.max(1));
    u32::try_from(total.div_ceil(per_page)).unwrap_or(u32::MAX)
}

/// The review queue: each doubtful claim with its evidence, to approve or
/// reject, fifty to a page. The admin's covers the school; a teacher's (the
/// same screen on their desk) their own classes.
#[component]
pub fn ReviewQueueScreen() -> Html {
    let guard = use_context::<SignInGuard>().unwrap_or_default();
    let queue = use_state(|| Loadable::<Page<ReviewItem>>::Loading);
    let notice = use_state(|| None::<String>);
    let page_number = use_state(|| 1_u32);
    let load = {
        let queue = queue.clone();
        Callback::from(move |number: u32| {
            let (guard, queue) = (guard.clone(), queue.clone());
            queue.set(Loadable::Loading);
            spawn_local(async move {
                let result = client::review_queue(number).await;
                if let Some(result) = guard.pass(result) {
                    queue.set(result.into());
                }
            });
        })
    };
    {
        let load = load.clone();
        use_effect_with(*page_number, move |number| load.emit(*number));
    }
    let turn = |to: u32| {
        let page_number = page_number.clone();
        Callback::from(move |_: MouseEvent| page_number.set(to.max(1)))
    };
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
        Loadable::Failed(problem) => {
            let number = *page_number;
            failed("The review queue", problem, load.reform(move |_| number))
        }
        Loadable::Ready(page) if page.items.is_empty() => html! {
            <div class="empty" id="review-empty">
                <h3>{ "Nothing to review" }</h3>
                <p class="muted">{ "Doubtful check-ins (a vague location, a weak face match, a new phone) appear here for a decision." }</p>
            </div>
        },
        Loadable::Ready(page) => {
            let pages = page_count(page.total, page.per_page);
            html! {
                <>
                    <p class="muted">{ format!("{} waiting, oldest first.", page.total) }</p>
                    <ul id="review-list" class="review-list">
                        { for page.items.iter().map(|item| html! {
                            <ReviewCard key={item.claim_id.to_string()} item={item.clone()} on_decided={on_decided.clone()} />
                        }) }
                    </ul>
                    if pages > 1 {
                        <nav class="pager" aria-label="Pages of the review queue">
                            <button id="review-prev" class="button secondary" type="button"
                                disabled={page.page <= 1} onclick={turn(page.page.saturating_sub(1))}>{ "‹ Older" }</button>
                            <span id="review-page" class="muted">{ format!("Page {} of {pages}", page.page) }</span>
                            <button id="review-next" class="button secondary" type="button"
                                disabled={page.page >= pages} onclick={turn(page.page + 1)}>{ "Newer ›" }</button>
                        </nav>
                    }
                </>
            }
        }
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

#[cfg(test)]
mod tests {
    use super::page_count;

    #[test]
    fn pages_round_up_and_an_empty_queue_has_none() {
        assert_eq!(page_count(0, 50), 0);
        assert_eq!(page_count(50, 50), 1);
        assert_eq!(page_count(51, 50), 2);
        assert_eq!(page_count(3, 0), 3, "a zero page size counts one a page");
    }
}
