use yew::platform::spawn_local;
use yew::prelude::*;

use super::classroom_screen::ClassroomScreen;
use super::todays_classes::TodaysClasses;
use crate::client::{self, CommandError, ErrorCode};
use crate::desk::{Desk, DeskAction, DeskRoute};

/// The desk's state and what to do when the sign-in expires, shared with every
/// screen of the desk through context.
#[derive(Clone, PartialEq)]
pub struct DeskHandle {
    /// The state and its dispatcher.
    pub desk: UseReducerHandle<Desk>,
    /// Called with a sentence when the sign-in is gone.
    pub on_expired: Callback<String>,
}

impl DeskHandle {
    /// Dispatches the outcome of a command, or leaves for the login screen when it
    /// failed because the sign-in is gone.
    pub fn settle<T>(
        &self,
        result: Result<T, CommandError>,
        action: impl FnOnce(Result<T, CommandError>) -> DeskAction,
    ) {
        if let Err(error) = &result {
            if matches!(error.code, ErrorCode::SignInAgain | ErrorCode::NotSignedIn) {
                self.on_expired.emit(error.message.clone());
                return;
            }
        }
        self.desk.dispatch(action(result));
    }

    /// Loads today's classes again.
    pub fn reload(&self) {
        let handle = self.clone();
        spawn_local(async move {
            let result = client::today_classes().await;
            handle.settle(result, DeskAction::ClassesLoaded);
        });
    }
}

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
