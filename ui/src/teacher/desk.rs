use yew::prelude::*;

use super::classroom_screen::ClassroomScreen;
use super::desk_handle::DeskHandle;
use super::state::{Desk, DeskRoute};
use super::todays_classes::TodaysClasses;

/// What the teacher's desk needs.
#[derive(Properties, PartialEq)]
pub struct TeacherDeskProps {
    /// Called with a sentence when the sign-in has expired.
    pub on_expired: Callback<String>,
}

/// The teacher's desk: today's classes, or the open class.
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
    };
    html! {
        <ContextProvider<DeskHandle> context={handle}>
            { screen }
        </ContextProvider<DeskHandle>>
    }
}
