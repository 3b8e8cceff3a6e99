//! What every admin screen does to send a change: the sign-in guard, the busy
//! button, the outcome line, the field problems and the lists' reload, in one hook.
//!
//! A screen calls [`use_changes`], sends with [`Changes::submit`] (a form that shows
//! it is busy) or [`Changes::send`] (a button that does not), and shows
//! [`Changes::outcome_line`]; its load effects depend on [`Changes::reloads`].

use std::collections::BTreeMap;
use std::future::Future;
use std::rc::Rc;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::client::CommandError;
use crate::shared::sign_in_guard::{outcome_line, SignInGuard};

/// The state behind a screen's changes. Changed only through [`ChangeAction`]s.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChangeState {
    /// The last change's sentence, or its problem; nothing before any change.
    pub outcome: Option<Result<String, String>>,
    /// What is wrong with each field (by the server's or the screen's field name).
    pub problems: BTreeMap<String, String>,
    /// A form was sent and has no answer yet: its button waits.
    pub busy: bool,
    /// Bumped after each change, so the screen's lists are fetched again.
    pub reloads: u32,
}

/// What can happen to a screen's changes.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeAction {
    /// A form was sent: busy, its last outcome and field problems cleared.
    Begin,
    /// The change was made: its sentence (none when the screen shows the result its
    /// own way); the lists reload.
    Done(Option<String>),
    /// The change was refused: the sentence, and the problems by field.
    Failed {
        /// Why, in words.
        message: String,
        /// What is wrong with each field, when the server said.
        problems: BTreeMap<String, String>,
    },
    /// A problem found before anything was sent.
    Refused(String),
    /// Problems with fields found before anything was sent, each shown at its field.
    RefusedFields(BTreeMap<String, String>),
    /// The last outcome and problems are forgotten (the screen moved on).
    Clear,
    /// The lists are fetched again.
    Reload,
}

impl Reducible for ChangeState {
    type Action = ChangeAction;

    fn reduce(self: Rc<Self>, action: ChangeAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            ChangeAction::Begin => {
                next.busy = true;
                next.outcome = None;
                next.problems.clear();
            }
            ChangeAction::Done(sentence) => {
                next.busy = false;
                next.outcome = sentence.map(Ok);
                next.problems.clear();
                next.reloads = next.reloads.wrapping_add(1);
            }
            ChangeAction::Failed { message, problems } => {
                next.busy = false;
                next.outcome = Some(Err(message));
                next.problems = problems;
            }
            ChangeAction::Refused(problem) => {
                next.outcome = Some(Err(problem));
                next.problems.clear();
            }
            ChangeAction::RefusedFields(problems) => {
                next.outcome = None;
                next.problems = problems;
            }
            ChangeAction::Clear => {
                next.outcome = None;
                next.problems.clear();
            }
            ChangeAction::Reload => next.reloads = next.reloads.wrapping_add(1),
        }
        Rc::new(next)
    }
}

/// A screen's changes: how to send one and what the last one came to.
#[derive(Clone, PartialEq)]
pub struct Changes {
    guard: SignInGuard,
    state: UseReducerHandle<ChangeState>,
}

/// The changes of one screen (or one form with its own outcome line), with the
/// [`SignInGuard`] from the context.
#[hook]
pub fn use_changes() -> Changes {
    Changes {
        guard: use_context::<SignInGuard>().unwrap_or_default(),
        state: use_reducer(ChangeState::default),
    }
}

impl Changes {
    /// Sends a form's change: the form is busy and its last outcome and field
    /// problems go at once. Made, `done(value)` gives the sentence shown (and may
    /// run the screen's own after-effects: clear inputs, pick the new row…) and the
    /// lists reload; refused, its message shows and the server's field problems are
    /// kept; when the sign-in expired the app goes to the login screen.
    pub fn submit<T: 'static, S: Into<Option<String>>>(
        &self,
        change: impl Future<Output = Result<T, CommandError>> + 'static,
        done: impl FnOnce(T) -> S + 'static,
    ) {
        self.state.dispatch(ChangeAction::Begin);
        self.answer(change, done, false);
    }

    /// Sends a change from a button (a row's Save, Delete, Approve…): nothing goes
    /// busy and the last outcome stays until the answer. Then as [`Self::submit`],
    /// except that the lists reload after a refusal too: it may mean they are stale.
    /// `done` may give `None::<String>` when the screen shows the result its own way.
    pub fn send<T: 'static, S: Into<Option<String>>>(
        &self,
        change: impl Future<Output = Result<T, CommandError>> + 'static,
        done: impl FnOnce(T) -> S + 'static,
    ) {
        self.answer(change, done, true);
    }

    /// Waits for the change's answer and shows it.
    fn answer<T: 'static, S: Into<Option<String>>>(
        &self,
        change: impl Future<Output = Result<T, CommandError>> + 'static,
        done: impl FnOnce(T) -> S + 'static,
        reload_after_refusal: bool,
    ) {
        let (guard, state) = (self.guard.clone(), self.state.clone());
        spawn_local(async move {
            let Some(result) = guard.pass(change.await) else {
                return;
            };
            match result {
                Ok(value) => state.dispatch(ChangeAction::Done(done(value).into())),
                Err(error) => {
                    state.dispatch(ChangeAction::Failed {
                        message: error.message,
                        problems: error.details,
                    });
                    if reload_after_refusal {
                        state.dispatch(ChangeAction::Reload);
                    }
                }
            }
        });
    }

    /// Shows a problem found before sending anything.
    pub fn refuse(&self, problem: impl Into<String>) {
        self.state.dispatch(ChangeAction::Refused(problem.into()));
    }

    /// Shows problems with fields found before sending anything, each at its field.
    pub fn refuse_fields(&self, problems: BTreeMap<String, String>) {
        self.state.dispatch(ChangeAction::RefusedFields(problems));
    }

    /// Shows the sentence of a change made elsewhere (a dialog's own), and reloads.
    pub fn announce(&self, sentence: String) {
        self.state.dispatch(ChangeAction::Done(Some(sentence)));
    }

    /// Forgets the last outcome and field problems: the screen moved on.
    pub fn clear(&self) {
        self.state.dispatch(ChangeAction::Clear);
    }

    /// Fetches the screen's lists again (Try again, or a change made by a child form).
    pub fn reload(&self) {
        self.state.dispatch(ChangeAction::Reload);
    }

    /// Bumped after each change: the dependency of the screen's load effects.
    #[must_use]
    pub fn reloads(&self) -> u32 {
        self.state.reloads
    }

    /// A form was submitted and has no answer yet.
    #[must_use]
    pub fn busy(&self) -> bool {
        self.state.busy
    }

    /// The last change's sentence, or its problem.
    #[must_use]
    pub fn outcome(&self) -> Option<&Result<String, String>> {
        self.state.outcome.as_ref()
    }

    /// What is wrong with each field, by field name.
    #[must_use]
    pub fn problems(&self) -> &BTreeMap<String, String> {
        &self.state.problems
    }

    /// The last outcome as a line with `id`: good news as a status, a problem as an
    /// alert; nothing before any change.
    pub fn outcome_line(&self, id: &'static str) -> Html {
        outcome_line(id, &self.state.outcome)
    }

    /// The sign-in guard, for the screen's loads.
    #[must_use]
    pub fn guard(&self) -> &SignInGuard {
        &self.guard
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reduce(state: ChangeState, action: ChangeAction) -> ChangeState {
        (*Rc::new(state).reduce(action)).clone()
    }

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn shown(outcome: Result<&str, &str>) -> ChangeState {
        ChangeState {
            outcome: Some(outcome.map(str::to_owned).map_err(str::to_owned)),
            problems: fields(&[("code", "is taken")]),
            ..ChangeState::default()
        }
    }

    #[test]
    fn a_form_goes_busy_then_is_done_says_so_and_reloads() {
        let state = reduce(shown(Err("Old problem.")), ChangeAction::Begin);
        assert!(state.busy);
        assert_eq!(state.outcome, None, "the last outcome goes at once");
        assert!(state.problems.is_empty());

        let state = reduce(state, ChangeAction::Done(Some("Saved.".into())));
        assert!(!state.busy);
        assert_eq!(state.outcome, Some(Ok("Saved.".into())));
        assert!(state.problems.is_empty());
        assert_eq!(state.reloads, 1);
    }

    #[test]
    fn a_refused_change_shows_its_message_keeps_the_fields_and_does_not_reload() {
        let state = reduce(ChangeState::default(), ChangeAction::Begin);
        let state = reduce(
            state,
            ChangeAction::Failed {
                message: "Check the fields.".into(),
                problems: fields(&[("late_after_min", "0 to 240 minutes")]),
            },
        );
        assert!(!state.busy);
        assert_eq!(state.outcome, Some(Err("Check the fields.".into())));
        assert_eq!(
            state.problems,
            fields(&[("late_after_min", "0 to 240 minutes")])
        );
        assert_eq!(state.reloads, 0);
    }

    #[test]
    fn a_change_done_without_a_sentence_clears_the_line_and_reloads() {
        let state = reduce(shown(Err("Choose a room.")), ChangeAction::Done(None));
        assert_eq!(state.outcome, None);
        assert_eq!(state.reloads, 1);
    }

    #[test]
    fn problems_found_before_sending_are_shown_without_going_busy() {
        let state = reduce(
            shown(Ok("Saved.")),
            ChangeAction::Refused("Choose a role.".into()),
        );
        assert_eq!(state.outcome, Some(Err("Choose a role.".into())));
        assert!(state.problems.is_empty());
        assert!(!state.busy);

        let wrong = fields(&[("qr_period_s", "the QR period is a whole number")]);
        let state = reduce(state, ChangeAction::RefusedFields(wrong.clone()));
        assert_eq!(state.outcome, None, "each problem is at its field");
        assert_eq!(state.problems, wrong);
        assert!(!state.busy);
        assert_eq!(state.reloads, 0);
    }

    #[test]
    fn two_quick_changes_both_reload_and_clear_forgets_the_outcome() {
        let state = reduce(
            ChangeState::default(),
            ChangeAction::Done(Some("One.".into())),
        );
        let state = reduce(state, ChangeAction::Reload);
        assert_eq!(state.reloads, 2);
        assert_eq!(
            state.outcome,
            Some(Ok("One.".into())),
            "a reload keeps the line"
        );

        let state = reduce(shown(Ok("One.")), ChangeAction::Clear);
        assert_eq!(state.outcome, None);
        assert!(state.problems.is_empty());
    }
}
