use yew::platform::spawn_local;
use yew::prelude::*;

use crate::client::school::{self, NearbyWifi};

/// What the picker needs.
#[derive(Properties, PartialEq)]
pub struct NearbyWifiProps {
    /// Called with the access point the admin picked.
    pub on_pick: Callback<NearbyWifi>,
}

/// "Scan nearby": the access points this computer hears, strongest first, each a
/// button that fills in the room's BSSID. Standing in the room while adding it is the
/// easy way to get the right ones.
#[component]
pub fn NearbyWifiPicker(props: &NearbyWifiProps) -> Html {
    let found = use_state(|| None::<Result<Vec<NearbyWifi>, String>>);
    let busy = use_state(|| false);
    let scan = {
        let (found, busy) = (found.clone(), busy.clone());
        Callback::from(move |_: MouseEvent| {
            busy.set(true);
            let (found, busy) = (found.clone(), busy.clone());
            spawn_local(async move {
                let result = school::scan_nearby_wifi().await.map_err(|e| e.message);
                busy.set(false);
                found.set(Some(result));
            });
        })
    };
    let list = match &*found {
        None => html! {},
        Some(Err(problem)) => {
            html! { <p id="wifi-scan-problem" class="muted small" role="status">{ problem }</p> }
        }
        Some(Ok(aps)) if aps.is_empty() => {
            html! { <p class="muted small" role="status">{ "No access point heard here." }</p> }
        }
        Some(Ok(aps)) => html! {
            <ul id="wifi-nearby" class="pick-list">
                { for aps.iter().map(|ap| {
                    let pick = { let (on_pick, ap) = (props.on_pick.clone(), ap.clone()); Callback::from(move |_: MouseEvent| on_pick.emit(ap.clone())) };
                    let name = if ap.ssid.is_empty() { "(hidden)" } else { ap.ssid.as_str() };
                    html! {
                        <li data-bssid={ap.bssid.clone()}>
                            <button class="button secondary" type="button" onclick={pick}>
                                { name }<span class="muted">{ format!(" · {} · {} dBm", ap.bssid, ap.rssi_dbm) }</span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
        },
    };
    html! {
        <div class="nearby-wifi">
            <button id="wifi-scan" class="button secondary" type="button" onclick={scan} disabled={*busy}>
                if *busy { <span class="spinner" aria-hidden="true" />{ "Scanning…" } } else { { "Scan nearby" } }
            </button>
            { list }
        </div>
    }
}
