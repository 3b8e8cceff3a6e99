use yew::prelude::*;

use crate::client::{CommandError, ErrorCode};

/// Passes command results to a screen, except failures that mean the sign-in is
/// gone: those take the app back to the login screen with the sentence.
#[derive(Clone, PartialEq, Default)]
pub struct SignInGuard(pub Callback<String>);

impl SignInGuard {
    /// The result, or `None` when it failed because the sign-in is gone.
    #[must_use]
    pub fn pass<T>(&self, result: Result<T, CommandError>) -> Option<Result<T, CommandError>> {
        match result {
            Err(error) if matches!(error.code, ErrorCode::SignInAgain | ErrorCode::NotSignedIn) => {
                self.0.emit(error.message);
                None
            }
            other => Some(other),
        }
    }
}

/// Something the screen asked the Rust side for.
#[derive(Debug, Clone, PartialEq)]
pub enum Loadable<T> {
    /// Asked, no answer yet.
    Loading,
    /// Here it is.
    Ready(T),
    /// Why not, as a sentence.
    Failed(String),
}

impl<T> From<Result<T, CommandError>> for Loadable<T> {
    fn from(result: Result<T, CommandError>) -> Self {
        match result {
            Ok(value) => Self::Ready(value),
            Err(error) => Self::Failed(error.message),
        }
    }
}

/// A line saying something is loading.
pub fn loading(what: &str) -> Html {
    html! {
        <p class="muted" aria-busy="true">
            <span class="spinner dark" aria-hidden="true" />{ format!(" Loading {what}…") }
        </p>
    }
}

/// A problem loading something, with Try again.
pub fn failed(what: &str, problem: &str, retry: Callback<MouseEvent>) -> Html {
    html! {
        <div class="alert" role="alert">
            <p>{ format!("{what} could not be loaded. {problem}") }</p>
            <button class="button secondary" type="button" onclick={retry}>{ "Try again" }</button>
        </div>
    }
}

/// The outcome of the last action as a line with `id`: good news as a status,
/// a problem as an alert; nothing before any action.
pub fn outcome_line(id: &'static str, outcome: &Option<Result<String, String>>) -> Html {
    match outcome {
        Some(Ok(text)) => html! { <p {id} class="notice done" role="status">{ text }</p> },
        Some(Err(text)) => html! { <p {id} class="notice problem" role="alert">{ text }</p> },
        None => html! {},
    }
}
