use yew::platform::spawn_local;
use yew::prelude::*;

use crate::client::{self, LoginForm};
use crate::shared::brand_panel::BrandPanel;
use crate::shared::forgot_password::ForgotPassword;
use crate::shared::login_screen::LoginScreen;
use crate::shared::session::{Phase, Session, SessionAction, FALLBACK_SERVER_URL};
use crate::workspace::Workspace;

/// The whole window: the brand panel beside the current screen.
#[component]
pub fn App() -> Html {
    let session = use_reducer(Session::default);
    // "Forgot password?" shows instead of the login form, from this address.
    let forgetting = use_state(|| None::<String>);
    let notice = use_state(|| None::<String>);

    {
        let dispatcher = session.dispatcher();
        use_effect_with((), move |()| {
            spawn_local(async move {
                // Outside the app (a plain browser) there is no Rust side; the form still works
                // and explains the failure on submit.
                let url = client::default_server_url()
                    .await
                    .unwrap_or_else(|_| FALLBACK_SERVER_URL.to_owned());
                // The sign-in kept from the last run, if there is one and it still works.
                let resumed = client::resume_sign_in().await;
                dispatcher.dispatch(SessionAction::DefaultServerKnown(url));
                match resumed {
                    Ok(Some(signed_in)) => dispatcher.dispatch(SessionAction::SignedIn(signed_in)),
                    Ok(None) => {}
                    Err(error) => dispatcher.dispatch(SessionAction::SignInFailed(error)),
                }
            });
        });
    }

    let on_forgot = {
        let (forgetting, notice) = (forgetting.clone(), notice.clone());
        Callback::from(move |server_url: String| {
            notice.set(None);
            forgetting.set(Some(server_url));
        })
    };
    let on_reset_done = {
        let (forgetting, notice) = (forgetting.clone(), notice.clone());
        Callback::from(move |said: Option<String>| {
            notice.set(said);
            forgetting.set(None);
        })
    };

    let on_sign_in = {
        let dispatcher = session.dispatcher();
        let notice = notice.clone();
        Callback::from(move |form: LoginForm| {
            notice.set(None);
            dispatcher.dispatch(SessionAction::SignInStarted {
                server_url: form.server_url.clone(),
            });
            let dispatcher = dispatcher.clone();
            spawn_local(async move {
                match client::login(&form).await {
                    Ok(signed_in) => dispatcher.dispatch(SessionAction::SignedIn(signed_in)),
                    Err(error) => dispatcher.dispatch(SessionAction::SignInFailed(error)),
                }
            });
        })
    };

    let on_sign_out = {
        let dispatcher = session.dispatcher();
        Callback::from(move |()| {
            let dispatcher = dispatcher.clone();
            spawn_local(async move {
                // Signing out only forgets state; if the Rust side could not be reached there
                // is nothing to undo, so the screen changes either way.
                let _ = client::sign_out().await;
                dispatcher.dispatch(SessionAction::SignedOut);
            });
        })
    };

    let screen = match &session.phase {
        Phase::Starting => html! { <section class="screen screen-starting" aria-busy="true" /> },
        Phase::SignedOut { .. } if forgetting.is_some() => html! {
            <ForgotPassword
                server_url={(*forgetting).clone().unwrap_or_default()}
                on_done={on_reset_done}
            />
        },
        Phase::SignedOut { problem } => html! {
            <LoginScreen
                server_url={session.server_url.clone()}
                busy={false}
                problem={problem.clone()}
                notice={(*notice).clone()}
                {on_sign_in}
                {on_forgot}
            />
        },
        Phase::SigningIn => html! {
            <LoginScreen
                server_url={session.server_url.clone()}
                busy={true}
                problem={None::<String>}
                {on_sign_in}
                {on_forgot}
            />
        },
        Phase::SignedIn(signed_in) => {
            let on_expired = {
                let dispatcher = session.dispatcher();
                Callback::from(move |problem: String| {
                    dispatcher.dispatch(SessionAction::Expired(problem));
                })
            };
            return html! {
                <Workspace signed_in={signed_in.clone()} {on_sign_out} {on_expired} />
            };
        }
    };

    html! {
        <div class="shell">
            <BrandPanel />
            <main class="content">{ screen }</main>
        </div>
    }
}
