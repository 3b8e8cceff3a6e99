use rollcall_core::api::Role;
use yew::prelude::*;

use crate::admin::desk::AdminDesk;
use crate::client::SignedIn;
use crate::kiosk::desk::KioskDesk;
use crate::shared::account_panel::AccountPanel;
use crate::shared::labels::role_label;
use crate::shared::sign_in_guard::SignInGuard;
use crate::student::desk::StudentDesk;
use crate::teacher::desk::TeacherDesk;

/// What the signed-in workspace needs.
#[derive(Properties, PartialEq)]
pub struct WorkspaceProps {
    /// Who is signed in, and where.
    pub signed_in: SignedIn,
    /// Called when the user signs out.
    pub on_sign_out: Callback<()>,
    /// Called with a sentence when the sign-in has expired.
    pub on_expired: Callback<String>,
}

/// The signed-in window: a bar with who is signed in and Sign out, and the
/// screen of the user's role below it.
#[component]
pub fn Workspace(props: &WorkspaceProps) -> Html {
    let SignedIn {
        user,
        server,
        server_address,
    } = &props.signed_in;
    let onclick = props.on_sign_out.reform(|_: MouseEvent| ());
    let account_open = use_state(|| false);
    let toggle_account = {
        let account_open = account_open.clone();
        Callback::from(move |_: MouseEvent| account_open.set(!*account_open))
    };
    let close_account = {
        let account_open = account_open.clone();
        Callback::from(move |()| account_open.set(false))
    };
    // A kiosk has no password of its own: an administrator rotates its credential.
    let has_account = user.role != Role::Kiosk;

    let body = match user.role {
        Role::Teacher => html! { <TeacherDesk on_expired={props.on_expired.clone()} /> },
        Role::Admin => html! { <AdminDesk on_expired={props.on_expired.clone()} /> },
        Role::Student => html! { <StudentDesk on_expired={props.on_expired.clone()} /> },
        Role::Kiosk => html! { <KioskDesk on_expired={props.on_expired.clone()} /> },
    };

    html! {
        <div class="workspace">
            <header class="topbar">
                <div class="identity">
                    <span class="avatar" aria-hidden="true">{ initials(&user.display_name) }</span>
                    <div>
                        <h2 id="signed-in-user">{ &user.display_name }</h2>
                        <span id="signed-in-role" class={classes!("badge", user.role.as_str())}>
                            { role_label(user.role) }
                        </span>
                    </div>
                </div>
                <div class="topbar-end">
                    <span class="server" title={server_address.clone()}>
                        { server_address } { " · v" }
                        <span id="server-version">{ &server.version }</span>
                    </span>
                    if has_account {
                        <button id="account" class="button secondary" type="button" onclick={toggle_account}
                            aria-expanded={account_open.to_string()} aria-controls="account-panel">
                            { "Account" }
                        </button>
                    }
                    <button id="sign-out" class="button secondary" type="button" {onclick}>
                        { "Sign out" }
                    </button>
                </div>
            </header>
            <main class="workspace-body">
                if has_account && *account_open {
                    <AccountPanel username={user.username.clone()} on_close={close_account}
                        guard={SignInGuard(props.on_expired.clone())} />
                }
                { body }
            </main>
        </div>
    }
}

/// Up to two initials for the avatar: "Ada Lovelace" → "AL".
fn initials(display_name: &str) -> String {
    display_name
        .split_whitespace()
        .filter_map(|word| word.chars().next())
        .flat_map(char::to_uppercase)
        .take(2)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::initials;

    #[test]
    fn initials_take_the_first_letters_of_the_first_two_words() {
        assert_eq!(initials("Ada Lovelace"), "AL");
        assert_eq!(initials("  émile   zola  durand"), "ÉZ");
        assert_eq!(initials("Plato"), "P");
        assert_eq!(initials(""), "");
    }
}
