//! One check-in attempt on the student's screen, whichever way the code came
//! (typed, a photo, the phone's scanner, the webcam): what it shows while it runs
//! and when it has an answer.

use yew::prelude::*;

use super::state::{StudentAction, StudentState};
use crate::client::{CheckInAnswer, CommandError};
use crate::shared::sign_in_guard::SignInGuard;

/// The student's desk as an attempt touches it.
#[derive(Clone, PartialEq)]
pub struct Attempt {
    /// Sends an expired sign-in back to the sign-in screen.
    pub guard: SignInGuard,
    /// The desk's state and its dispatcher.
    pub desk: UseReducerHandle<StudentState>,
}

impl Attempt {
    /// Starts an attempt: busy, the old answer cleared; the selfies to send.
    #[must_use]
    pub fn begin(&self) -> Vec<String> {
        self.desk.dispatch(StudentAction::Begin);
        self.desk.selfies.clone()
    }

    /// Shows a problem found before anything was sent.
    pub fn fail(&self, problem: String) {
        self.desk.dispatch(StudentAction::Refused(problem));
    }

    /// Shows what the check-in came to and reloads the lists; an expired sign-in
    /// goes back to the sign-in screen instead.
    pub fn finish(&self, result: Result<CheckInAnswer, CommandError>) {
        if let Some(result) = self.guard.pass(result) {
            self.desk
                .dispatch(StudentAction::Answered(result.map_err(|e| e.message)));
        }
    }
}
