use yew::prelude::*;

/// The product's mark: a tick in a rounded square, as in the app icon.
#[component]
pub fn Logo() -> Html {
    html! {
        <svg class="logo" viewBox="0 0 48 48" aria-hidden="true">
            <rect x="2" y="2" width="44" height="44" rx="11" />
            <path d="M14 25 L21 32 L34 18" />
        </svg>
    }
}

/// The left-hand panel: what Rollcall is, in a few words.
#[component]
pub fn BrandPanel() -> Html {
    html! {
        <aside class="brand">
            <div class="brand-name">
                <Logo />
                <span>{ "Rollcall" }</span>
            </div>
            <div class="brand-pitch">
                <h1>{ "Attendance your school can trust." }</h1>
                <p>{ "Students check in with a rotating QR code, their location and a quick face check. Teachers see who is in the room, and why." }</p>
                <ul>
                    <li>{ "Every record comes with its reasons" }</li>
                    <li>{ "Keeps working when the network drops" }</li>
                    <li>{ "Nothing is trusted that the server has not checked" }</li>
                </ul>
            </div>
            <p class="brand-foot">{ "Rollcall " }{ env!("CARGO_PKG_VERSION") }</p>
        </aside>
    }
}
