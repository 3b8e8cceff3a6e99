//! The teacher's desk as its screens hold it: the state with its dispatcher, and
//! what to do when the sign-in expires.

use yew::platform::spawn_local;
use yew::prelude::*;

use super::state::{Desk, DeskAction};
use crate::client::{self, CommandError, ErrorCode};

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
            if self.signed_out(error) {
                return;
            }
        }
        self.desk.dispatch(action(result));
    }

    /// Leaves for the login screen when `error` says the sign-in is gone; whether
    /// it did.
    pub fn signed_out(&self, error: &CommandError) -> bool {
        let gone = matches!(error.code, ErrorCode::SignInAgain | ErrorCode::NotSignedIn);
        if gone {
            self.on_expired.emit(error.message.clone());
        }
        gone
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
