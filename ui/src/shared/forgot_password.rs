//! "Forgot password?": the account's name, then the code the server mails and
//! a new password with core's rule shown as it is typed.

use yew::platform::spawn_local;
use yew::prelude::*;

use super::login_screen::value_of;
use super::new_password::{new_password_problem, NewPasswordFields};
use crate::client::{self, CommandError, ErrorCode};

/// What the screen needs.
#[derive(Properties, PartialEq)]
pub struct ForgotPasswordProps {
    /// The server address from the login screen.
    pub server_url: String,
    /// Back to the login screen, with a sentence when the password was reset.
    pub on_done: Callback<Option<String>>,
}

/// Where the reset stands. The address, the name and the code are read from
/// their fields when the form is sent (whatever put the text there counts).
#[derive(Debug, Clone, Default, PartialEq)]
struct Reset {
    server_url: String,
    login: String,
    /// The code was asked for: the second step shows.
    asked: bool,
    new: String,
    confirm: String,
    busy: bool,
    /// A problem with the code or the first step's fields.
    problem: Option<String>,
    /// The server refused the new password (its sentence).
    refused: Option<String>,
}

/// The sentence for a refusal of the first step.
fn ask_problem(error: &CommandError) -> String {
    match error.code {
        ErrorCode::MissingCredentials => "Enter your username or e-mail.".to_owned(),
        ErrorCode::BadServerUrl => "That is not a server address.".to_owned(),
        _ => error.message.clone(),
    }
}

/// The two steps of a password reset.
#[component]
pub fn ForgotPassword(props: &ForgotPasswordProps) -> Html {
    let reset = use_state(|| Reset {
        server_url: props.server_url.clone(),
        ..Reset::default()
    });
    let (server_field, login_field, code_field) = (use_node_ref(), use_node_ref(), use_node_ref());
    let on_new = {
        let reset = reset.clone();
        Callback::from(move |(new, confirm): (String, String)| {
            reset.set(Reset {
                new,
                confirm,
                refused: None,
                ..(*reset).clone()
            });
        })
    };
    let ask = {
        let (reset, server_field, login_field) =
            (reset.clone(), server_field.clone(), login_field.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if reset.busy {
                return;
            }
            let now = Reset {
                server_url: value_of(&server_field),
                login: value_of(&login_field),
                problem: None,
                ..(*reset).clone()
            };
            reset.set(Reset {
                busy: true,
                ..now.clone()
            });
            let reset = reset.clone();
            spawn_local(async move {
                let result = client::forgot_password(&now.server_url, &now.login).await;
                reset.set(match result {
                    Ok(()) => Reset { asked: true, ..now },
                    Err(e) => Reset {
                        problem: Some(ask_problem(&e)),
                        ..now
                    },
                });
            });
        })
    };
    let username = if reset.login.contains('@') {
        String::new()
    } else {
        reset.login.trim().to_owned()
    };
    let set = {
        let (reset, on_done, username, code_field) = (
            reset.clone(),
            props.on_done.clone(),
            username.clone(),
            code_field.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if reset.busy {
                return;
            }
            let code = value_of(&code_field);
            let now = Reset {
                problem: None,
                ..(*reset).clone()
            };
            if code.trim().is_empty() {
                reset.set(Reset {
                    problem: Some("Enter the code from the e-mail.".to_owned()),
                    ..now
                });
                return;
            }
            if let Some(problem) = new_password_problem(&now.new, &now.confirm, &username) {
                reset.set(Reset {
                    refused: Some(problem),
                    ..now
                });
                return;
            }
            reset.set(Reset {
                busy: true,
                ..now.clone()
            });
            let (reset, on_done) = (reset.clone(), on_done.clone());
            spawn_local(async move {
                match client::reset_password(&now.server_url, &code, &now.new).await {
                    Ok(()) => on_done.emit(Some(
                        "Your password is changed. Sign in with the new one.".to_owned(),
                    )),
                    Err(e)
                        if e.code
                            == ErrorCode::Api(rollcall_core::api::ErrorCode::InvalidResetToken) =>
                    {
                        reset.set(Reset {
                            problem: Some(
                                "This code is wrong, used or expired. Ask for a new one."
                                    .to_owned(),
                            ),
                            ..now
                        });
                    }
                    Err(e)
                        if e.code
                            == ErrorCode::Api(rollcall_core::api::ErrorCode::WeakPassword) =>
                    {
                        reset.set(Reset {
                            refused: Some(e.message),
                            ..now
                        });
                    }
                    Err(e) => reset.set(Reset {
                        problem: Some(e.message),
                        ..now
                    }),
                }
            });
        })
    };
    let back = props.on_done.reform(|_: MouseEvent| None);
    let r = &*reset;
    let body = if r.asked {
        html! {
            // Keyed: the two steps' fields are different elements (a reused
            // input keeps the other step's value bookkeeping in Yew).
            <form key="code" class="form" onsubmit={set} novalidate=true>
                <p id="reset-sent" class="notice done" role="status">
                    { "If an account with that name has an e-mail address, a code was sent to it. It works once, within 30 minutes." }
                </p>
                <div class="field">
                    <label for="reset-code">{ "Code from the e-mail" }</label>
                    <input id="reset-code" ref={code_field} type="text" autocomplete="one-time-code"
                        spellcheck="false" disabled={r.busy} />
                    if let Some(p) = &r.problem {
                        <p id="reset-problem" class="field-error" role="alert">{ p }</p>
                    }
                </div>
                <NewPasswordFields username={username} value={r.new.clone()} confirm={r.confirm.clone()}
                    on_change={on_new} refused={r.refused.clone()} busy={r.busy} />
                <button id="reset-go" class="button primary" type="submit" disabled={r.busy}>
                    { if r.busy { "Setting…" } else { "Set the new password" } }
                </button>
            </form>
        }
    } else {
        html! {
            <form key="ask" class="form" onsubmit={ask} novalidate=true>
                <div class="field">
                    <label for="reset-server">{ "School server" }</label>
                    <input id="reset-server" ref={server_field} type="url" inputmode="url" spellcheck="false"
                        value={r.server_url.clone()} disabled={r.busy} />
                </div>
                <div class="field">
                    <label for="reset-login">{ "Username or e-mail" }</label>
                    <input id="reset-login" ref={login_field} type="text" autocomplete="username"
                        autocapitalize="none" spellcheck="false" value={r.login.clone()} disabled={r.busy} />
                    if let Some(p) = &r.problem {
                        <p id="reset-problem" class="field-error" role="alert">{ p }</p>
                    }
                </div>
                <button id="reset-ask" class="button primary" type="submit" disabled={r.busy}>
                    { if r.busy { "Sending…" } else { "E-mail me a code" } }
                </button>
            </form>
        }
    };
    html! {
        <section class="screen">
            <header class="screen-head">
                <h2>{ "Forgot your password?" }</h2>
                <p class="muted">{ "We e-mail a one-time code to the address your school has for you." }</p>
            </header>
            { body }
            <button id="reset-back" class="button link" type="button" onclick={back}>{ "Back to sign in" }</button>
        </section>
    }
}
