use rollcall_core::api::Role;
use yew::prelude::*;

use crate::client::SignedIn;

/// What the signed-in screen shows.
#[derive(Properties, PartialEq)]
pub struct SignedInScreenProps {
    /// Who is signed in, and where.
    pub signed_in: SignedIn,
    /// Called when the user signs out.
    pub on_sign_out: Callback<()>,
}

/// Who is signed in, to which server, and the Sign out button.
#[component]
pub fn SignedInScreen(props: &SignedInScreenProps) -> Html {
    let SignedIn {
        user,
        server,
        server_address,
    } = &props.signed_in;
    let onclick = props.on_sign_out.reform(|_: MouseEvent| ());

    html! {
        <section class="screen">
            <header class="screen-head">
                <p class="eyebrow">{ "Signed in" }</p>
                <div class="identity">
                    <span class="avatar" aria-hidden="true">{ initials(&user.display_name) }</span>
                    <div>
                        <h2 id="signed-in-user">{ &user.display_name }</h2>
                        <span id="signed-in-role" class={classes!("badge", user.role.as_str())}>
                            { role_label(user.role) }
                        </span>
                    </div>
                </div>
            </header>
            <dl class="facts">
                <div>
                    <dt>{ "Username" }</dt>
                    <dd>{ &user.username }</dd>
                </div>
                <div>
                    <dt>{ "Server" }</dt>
                    <dd>{ server_address }</dd>
                </div>
                <div>
                    <dt>{ "Server version" }</dt>
                    <dd id="server-version">{ &server.version }</dd>
                </div>
            </dl>
            <p class="muted">{ "Your classes and check-ins will appear here." }</p>
            <button id="sign-out" class="button secondary" type="button" {onclick}>
                { "Sign out" }
            </button>
        </section>
    }
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Student => "Student",
        Role::Teacher => "Teacher",
        Role::Admin => "Administrator",
        Role::Kiosk => "Kiosk",
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
