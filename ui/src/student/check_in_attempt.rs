//! One check-in attempt on the student's screen, whichever way the code came
//! (typed, a photo, the phone's scanner, the webcam): what it shows while it runs
//! and when it has an answer.

use yew::prelude::*;

use super::sign_in_guard::SignInGuard;
use crate::client::{CheckInAnswer, CommandError};

/// The screen state an attempt touches.
#[derive(Clone)]
pub struct Attempt {
    /// Sends an expired sign-in back to the sign-in screen.
    pub guard: SignInGuard,
    /// The verdict shown, or a problem in words.
    pub answer: UseStateHandle<Option<Result<CheckInAnswer, String>>>,
    /// An attempt is under way: the buttons wait.
    pub busy: UseStateHandle<bool>,
    /// Bumped to reload the classes and the history.
    pub refresh: UseStateHandle<u32>,
    /// Selfies chosen for the face check, sent with the next attempt.
    pub selfies: UseStateHandle<Vec<String>>,
}

impl Attempt {
    /// Starts an attempt: busy, the old answer cleared; the selfies to send.
    #[must_use]
    pub fn begin(&self) -> Vec<String> {
        self.busy.set(true);
        self.answer.set(None);
        (*self.selfies).clone()
    }

    /// Shows a problem found before anything was sent.
    pub fn fail(&self, problem: String) {
        self.busy.set(false);
        self.answer.set(Some(Err(problem)));
    }

    /// Shows what the check-in came to and reloads the lists; an expired sign-in
    /// goes back to the sign-in screen instead.
    pub fn finish(&self, result: Result<CheckInAnswer, CommandError>) {
        let Some(result) = self.guard.pass(result) else {
            return;
        };
        self.busy.set(false);
        if result.is_ok() {
            self.selfies.set(Vec::new());
        }
        self.answer.set(Some(result.map_err(|e| e.message)));
        self.refresh.set(*self.refresh + 1);
    }
}
