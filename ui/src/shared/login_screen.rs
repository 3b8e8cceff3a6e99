use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::client::LoginForm;

/// What the login screen needs from the app.
#[derive(Properties, PartialEq)]
pub struct LoginScreenProps {
    /// The server address to start with.
    pub server_url: String,
    /// A login is under way: the form is locked.
    pub busy: bool,
    /// Why the last attempt failed.
    pub problem: Option<String>,
    /// Called with the filled-in form.
    pub on_sign_in: Callback<LoginForm>,
    /// "Forgot password?", with the server address as typed.
    pub on_forgot: Callback<String>,
    /// Good news to show above the form (a password just reset).
    #[prop_or_default]
    pub notice: Option<String>,
}

/// Server address, username and password, and the Sign in button.
#[component]
pub fn LoginScreen(props: &LoginScreenProps) -> Html {
    let server_url = use_node_ref();
    let login = use_node_ref();
    let password = use_node_ref();
    let remember = use_node_ref();

    {
        // `autofocus` is not honoured for fields inserted after the page loaded.
        let login = login.clone();
        use_effect_with((), move |()| {
            if let Some(input) = login.cast::<HtmlInputElement>() {
                let _ = input.focus();
            }
        });
    }

    // The fields are read when the form is submitted, so whatever put the text there
    // (typing, pasting, autofill, a WebDriver) counts.
    let onsubmit = {
        let (server_url, login, password, remember) = (
            server_url.clone(),
            login.clone(),
            password.clone(),
            remember.clone(),
        );
        let on_sign_in = props.on_sign_in.clone();
        let busy = props.busy;
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if busy {
                return;
            }
            on_sign_in.emit(LoginForm {
                server_url: value_of(&server_url),
                login: value_of(&login),
                password: value_of(&password),
                remember: remember
                    .cast::<HtmlInputElement>()
                    .is_some_and(|b| b.checked()),
            });
        })
    };

    let forgot = {
        let (server_url, on_forgot) = (server_url.clone(), props.on_forgot.clone());
        Callback::from(move |_: MouseEvent| on_forgot.emit(value_of(&server_url)))
    };

    html! {
        <section class="screen">
            <header class="screen-head">
                <h2>{ "Sign in" }</h2>
                <p class="muted">{ "Use the account your school gave you." }</p>
            </header>
            if let Some(problem) = &props.problem {
                <div class="alert" role="alert">
                    <svg class="alert-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <circle cx="12" cy="12" r="10" />
                        <path d="M12 7v6M12 16.5v.5" />
                    </svg>
                    <p id="login-error">{ problem }</p>
                </div>
            }
            if let Some(notice) = &props.notice {
                <p id="login-notice" class="notice done" role="status">{ notice }</p>
            }
            <form class="form" {onsubmit} novalidate=true>
                <div class="field">
                    <label for="server-url">{ "School server" }</label>
                    <input
                        id="server-url"
                        ref={server_url}
                        type="url"
                        inputmode="url"
                        autocomplete="url"
                        spellcheck="false"
                        value={props.server_url.clone()}
                        disabled={props.busy}
                    />
                </div>
                <div class="field">
                    <label for="login">{ "Username or e-mail" }</label>
                    <input
                        id="login"
                        ref={login}
                        type="text"
                        autocomplete="username"
                        autocapitalize="none"
                        spellcheck="false"
                        disabled={props.busy}
                    />
                </div>
                <div class="field">
                    <label for="password">{ "Password" }</label>
                    <input
                        id="password"
                        ref={password}
                        type="password"
                        autocomplete="current-password"
                        disabled={props.busy}
                    />
                </div>
                <label class="check">
                    <input id="remember" ref={remember} type="checkbox" checked=true disabled={props.busy} />
                    { "Keep me signed in on this device" }
                </label>
                <button id="sign-in" class="button primary" type="submit" disabled={props.busy}>
                    if props.busy {
                        <span class="spinner" aria-hidden="true" />
                        { "Signing in…" }
                    } else {
                        { "Sign in" }
                    }
                </button>
            </form>
            <button id="forgot-password" class="button link" type="button" onclick={forgot} disabled={props.busy}>
                { "Forgot password?" }
            </button>
        </section>
    }
}

/// The text in the input behind `field` (empty when it is not mounted).
pub fn value_of(field: &NodeRef) -> String {
    field
        .cast::<HtmlInputElement>()
        .map(|input| input.value())
        .unwrap_or_default()
}
