//! The new password and its confirmation, with core's password rule shown as
//! the person types (the server applies the same rule).

use rollcall_core::api::password_problem;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// What is wrong with the new password as typed, in words, or `None`.
#[must_use]
pub fn new_password_problem(new: &str, confirm: &str, username: &str) -> Option<String> {
    if let Some(problem) = password_problem(new, username) {
        let mut sentence = problem.to_owned();
        if let Some(first) = sentence.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        return Some(format!("{sentence}."));
    }
    (new != confirm).then(|| "The two passwords differ.".to_owned())
}

/// What the fields need.
#[derive(Properties, PartialEq)]
pub struct NewPasswordProps {
    /// The account's username (a password may not contain it); empty when unknown.
    pub username: String,
    /// The new password, as typed.
    pub value: String,
    /// The confirmation, as typed.
    pub confirm: String,
    /// Called with (new, confirmation) as either changes.
    pub on_change: Callback<(String, String)>,
    /// A refusal from the server about the new password.
    #[prop_or_default]
    pub refused: Option<String>,
    /// The form is being sent.
    pub busy: bool,
}

/// Two password fields and the rule's verdict under them.
#[component]
pub fn NewPasswordFields(props: &NewPasswordProps) -> Html {
    let typed = |which: u8| {
        let (on_change, value, confirm) = (
            props.on_change.clone(),
            props.value.clone(),
            props.confirm.clone(),
        );
        Callback::from(move |e: InputEvent| {
            let text = e.target_unchecked_into::<HtmlInputElement>().value();
            on_change.emit(if which == 0 {
                (text, confirm.clone())
            } else {
                (value.clone(), text)
            });
        })
    };
    let problem = if props.value.is_empty() {
        None
    } else {
        new_password_problem(&props.value, &props.confirm, &props.username)
    };
    let rule = match (&props.refused, &problem) {
        (Some(refused), _) => {
            html! { <p id="new-password-rule" class="field-error" role="alert">{ refused }</p> }
        }
        (None, Some(problem)) => {
            html! { <p id="new-password-rule" class="field-error" aria-live="polite">{ problem }</p> }
        }
        (None, None) if props.value.is_empty() => html! {
            <p id="new-password-rule" class="muted small">{ "At least 10 characters, 4 of them different, and not your username." }</p>
        },
        (None, None) => html! {
            <p id="new-password-rule" class="muted small ok" aria-live="polite">{ "This password can be used." }</p>
        },
    };
    html! {
        <>
            <div class="field">
                <label for="new-password">{ "New password" }</label>
                <input id="new-password" type="password" autocomplete="new-password"
                    value={props.value.clone()} oninput={typed(0)} disabled={props.busy}
                    aria-describedby="new-password-rule" />
            </div>
            <div class="field">
                <label for="confirm-password">{ "New password again" }</label>
                <input id="confirm-password" type="password" autocomplete="new-password"
                    value={props.confirm.clone()} oninput={typed(1)} disabled={props.busy} />
            </div>
            { rule }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_and_the_confirmation_are_told_in_sentences() {
        assert_eq!(
            new_password_problem("short", "short", "ada").as_deref(),
            Some("A password needs at least 10 characters.")
        );
        assert_eq!(
            new_password_problem("xx-ada-lovelace", "xx-ada-lovelace", "ada").as_deref(),
            Some("A password must not contain the username.")
        );
        assert_eq!(
            new_password_problem("correct horse battery", "correct horse", "ada").as_deref(),
            Some("The two passwords differ.")
        );
        assert_eq!(
            new_password_problem("correct horse battery", "correct horse battery", "ada"),
            None
        );
    }
}
