use yew::platform::spawn_local;
use yew::prelude::*;

use crate::client::{self, LoginForm};
use crate::shared::brand_panel::BrandPanel;
use crate::shared::login_screen::LoginScreen;
use crate::shared::session::{Phase, Session, SessionAction, FALLBACK_SERVER_URL};
use crate::workspace::Workspace;

/// The whole window: the brand panel beside the current screen.
#[component]
pub fn App() -> Html {
    let session = use_reducer(Session::default);

    {
        let dispatcher = session.dispatcher();
        use_effect_with((), move |()| {
            spawn_local(async move {
                // Outside the app (a plain browser) there is no Rust side; the form still works
                // and explains the failure on submit.
                let url = client::default_server_url()
                    .await
                    .unwrap_or_else(|_| FALLBACK_SERVER_URL.to_owned());
                dispatcher.dispatch(SessionAction::DefaultServerKnown(url));
            });
        });
    }

    let on_sign_in = {
        let dispatcher = session.dispatcher();
        Callback::from(move |form: LoginForm| {
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
        Phase::SignedOut { problem } => html! {
            <LoginScreen
                server_url={session.server_url.clone()}
                busy={false}
                problem={problem.clone()}
                {on_sign_in}
            />
        },
        Phase::SigningIn => html! {
            <LoginScreen
                server_url={session.server_url.clone()}
                busy={true}
                problem={None::<String>}
                {on_sign_in}
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
