use yew::prelude::*;

use super::classroom_screen::ClassroomScreen;
use super::desk_handle::DeskHandle;
use super::state::{Desk, DeskAction, DeskRoute};
use super::todays_classes::TodaysClasses;
use crate::admin::review_queue_screen::ReviewQueueScreen;
use crate::shared::sign_in_guard::SignInGuard;

/// What the teacher's desk needs.
#[derive(Properties, PartialEq)]
pub struct TeacherDeskProps {
    /// Called with a sentence when the sign-in has expired.
    pub on_expired: Callback<String>,
}

/// The teacher's desk: today's classes, the open class, or the review queue
/// of their own classes.
#[component]
pub fn TeacherDesk(props: &TeacherDeskProps) -> Html {
    let desk = use_reducer(Desk::default);
    let handle = DeskHandle {
        desk: desk.clone(),
        on_expired: props.on_expired.clone(),
    };
    {
        let handle = handle.clone();
        use_effect_with((), move |()| handle.reload());
    }
    let screen = match desk.route {
        DeskRoute::Today => html! { <TodaysClasses /> },
        DeskRoute::Classroom(id) => {
            html! { <ClassroomScreen key={id.to_string()} session_id={id} /> }
        }
        DeskRoute::Review => {
            // The same queue as the admin's; the server gives a teacher only their classes'.
            let back = {
                let desk = desk.dispatcher();
                Callback::from(move |_: MouseEvent| desk.dispatch(DeskAction::Back))
            };
            html! {
                <ContextProvider<SignInGuard> context={SignInGuard(props.on_expired.clone())}>
                    <div class="back-bar">
                        <button id="review-back" class="button link" type="button" onclick={back}>{ "‹ Today's classes" }</button>
                    </div>
                    <ReviewQueueScreen />
                </ContextProvider<SignInGuard>>
            }
        }
    };
    html! {
        <ContextProvider<DeskHandle> context={handle}>
            { screen }
        </ContextProvider<DeskHandle>>
    }
}
