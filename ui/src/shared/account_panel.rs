//! The signed-in person's account: change the password. The server ends every
//! other sign-in of theirs and keeps this one.

use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::new_password::{new_password_problem, NewPasswordFields};
use super::sign_in_guard::{outcome_line, SignInGuard};
use crate::client::{self, ErrorCode};

/// What the account panel needs.
#[derive(Properties, PartialEq)]
pub struct AccountPanelProps {
    /// The account's username.
    pub username: String,
    /// Closes the panel.
    pub on_close: Callback<()>,
    /// Sends the app back to the login screen when the sign-in is gone.
    pub guard: SignInGuard,
}

/// Where the form stands.
#[derive(Debug, Clone, Default, PartialEq)]
struct Form {
    current: String,
    new: String,
    confirm: String,
    busy: bool,
    /// The server refused the current password.
    wrong_current: bool,
    /// The server refused the new password (its sentence).
    refused: Option<String>,
    outcome: Option<Result<String, String>>,
}

/// Current password, new password twice, and Change password.
#[component]
pub fn AccountPanel(props: &AccountPanelProps) -> Html {
    let form = use_state(Form::default);
    let on_current = {
        let form = form.clone();
        Callback::from(move |e: InputEvent| {
            let current = e.target_unchecked_into::<HtmlInputElement>().value();
            form.set(Form {
                current,
                wrong_current: false,
                ..(*form).clone()
            });
        })
    };
    let on_new = {
        let form = form.clone();
        Callback::from(move |(new, confirm): (String, String)| {
            form.set(Form {
                new,
                confirm,
                refused: None,
                ..(*form).clone()
            });
        })
    };
    let onsubmit = {
        let (form, guard, username) = (form.clone(), props.guard.clone(), props.username.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let now = (*form).clone();
            if now.busy {
                return;
            }
            if now.current.is_empty() {
                form.set(Form {
                    wrong_current: true,
                    ..now
                });
                return;
            }
            if new_password_problem(&now.new, &now.confirm, &username).is_some() {
                form.set(Form {
                    outcome: Some(Err(
                        "Choose a new password that follows the rule.".to_owned()
                    )),
                    ..now
                });
                return;
            }
            form.set(Form {
                busy: true,
                outcome: None,
                ..now.clone()
            });
            let (form, guard) = (form.clone(), guard.clone());
            spawn_local(async move {
                let Some(result) =
                    guard.pass(client::change_password(&now.current, &now.new).await)
                else {
                    return;
                };
                form.set(match result {
                    Ok(()) => Form {
                        outcome: Some(Ok(
                            "Your password is changed. Your other devices were signed out."
                                .to_owned(),
                        )),
                        ..Form::default()
                    },
                    Err(e) if e.code == ErrorCode::InvalidCredentials => Form {
                        wrong_current: true,
                        ..now
                    },
                    Err(e)
                        if e.code
                            == ErrorCode::Api(rollcall_core::api::ErrorCode::WeakPassword) =>
                    {
                        Form {
                            refused: Some(e.message),
                            ..now
                        }
                    }
                    Err(e) => Form {
                        outcome: Some(Err(e.message)),
                        ..now
                    },
                });
            });
        })
    };
    let close = props.on_close.reform(|_: MouseEvent| ());
    let f = &*form;
    html! {
        <section id="account-panel" class="panel account" aria-labelledby="account-title">
            <div class="panel-head">
                <h3 id="account-title">{ "Your account" }</h3>
                <button id="account-close" class="button secondary" type="button" onclick={close}>{ "Close" }</button>
            </div>
            <form class="form" {onsubmit} novalidate=true>
                <h4>{ "Change your password" }</h4>
                <div class="field">
                    <label for="current-password">{ "Current password" }</label>
                    <input id="current-password" type="password" autocomplete="current-password"
                        value={f.current.clone()} oninput={on_current} disabled={f.busy}
                        aria-invalid={f.wrong_current.to_string()} />
                    if f.wrong_current {
                        <p id="current-password-error" class="field-error" role="alert">{ "That is not your current password." }</p>
                    }
                </div>
                <NewPasswordFields username={props.username.clone()} value={f.new.clone()}
                    confirm={f.confirm.clone()} on_change={on_new} refused={f.refused.clone()} busy={f.busy} />
                <button id="change-password" class="button primary" type="submit" disabled={f.busy}>
                    { if f.busy { "Changing…" } else { "Change password" } }
                </button>
            </form>
            { outcome_line("account-outcome", &f.outcome) }
        </section>
    }
}
