//! One kiosk in the admin's list: whether it is online (its heartbeat), the
//! settings it runs with and their form, a new credential shown once, and
//! disabling or enabling it.

use rollcall_core::api::{KioskConfig, KioskPatch, KioskRecord, KIOSK_OFFLINE_AFTER_S};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::changes::Changes;
use crate::client;
use crate::shared::clock::{ago, clock, local_offset_minutes, now_unix};

/// Where a kiosk stands, in words, with the chip's CSS class.
#[must_use]
pub fn presence(kiosk: &KioskRecord, now: i64, offset_minutes: i64) -> (String, &'static str) {
    if !kiosk.active {
        return ("Disabled".to_owned(), "absent");
    }
    match kiosk.last_seen_at {
        None => ("Never seen".to_owned(), "waiting"),
        Some(seen) if now - seen <= KIOSK_OFFLINE_AFTER_S => ("Online".to_owned(), "present"),
        Some(seen) => (
            format!("Offline since {}", clock(seen, offset_minutes)),
            "late",
        ),
    }
}

/// The settings in words.
fn settings_line(config: &KioskConfig) -> String {
    format!(
        "{} agreeing frames, {} min apart",
        config.agreement_frames, config.cooldown_minutes
    )
}

/// What a kiosk row needs.
#[derive(Properties, PartialEq)]
pub struct KioskRowProps {
    /// The kiosk.
    pub kiosk: KioskRecord,
    /// Its room's code.
    pub room: String,
    /// The screen's changes.
    pub changes: Changes,
    /// Called with (login, secret) when a new credential was issued.
    pub on_secret: Callback<(String, String)>,
}

/// A kiosk's row, and its settings form under it while open.
#[component]
pub fn KioskRow(props: &KioskRowProps) -> Html {
    let editing = use_state(|| false);
    let k = &props.kiosk;
    let config = KioskConfig::read(&k.config);
    // As typed, so a refused value stays on screen to be corrected.
    let frames = use_state(|| config.agreement_frames.to_string());
    let cooldown = use_state(|| config.cooldown_minutes.to_string());
    let typed = |field: &UseStateHandle<String>| {
        let field = field.clone();
        Callback::from(move |e: InputEvent| {
            field.set(e.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    let (status, class) = presence(k, now_unix(), local_offset_minutes());
    let seen = k
        .last_seen_at
        .map_or_else(String::new, |s| format!(" · {}", ago(s)));
    let toggle_edit = {
        let (editing, frames, cooldown) = (editing.clone(), frames.clone(), cooldown.clone());
        Callback::from(move |_: MouseEvent| {
            if !*editing {
                // The form opens on the settings in use.
                frames.set(config.agreement_frames.to_string());
                cooldown.set(config.cooldown_minutes.to_string());
            }
            editing.set(!*editing);
        })
    };
    let rotate = {
        let (changes, on_secret, id, name) = (
            props.changes.clone(),
            props.on_secret.clone(),
            k.id,
            k.name.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (on_secret, name) = (on_secret.clone(), name.clone());
            changes.send(client::rotate_kiosk_credential(id), move |credential| {
                on_secret.emit((credential.kiosk.username, credential.secret));
                format!("{name} has a new credential; the old one no longer signs in.")
            });
        })
    };
    let switch = {
        let (changes, id, name, active) = (props.changes.clone(), k.id, k.name.clone(), k.active);
        Callback::from(move |_: MouseEvent| {
            let name = name.clone();
            let patch = KioskPatch {
                active: Some(!active),
                ..KioskPatch::default()
            };
            changes.send(client::update_kiosk(id, patch), move |_| {
                if active {
                    format!(
                        "{name} is disabled: it is signed out and its credential no longer works."
                    )
                } else {
                    format!("{name} is enabled again.")
                }
            });
        })
    };
    let save = {
        let (changes, editing, id, name) =
            (props.changes.clone(), editing.clone(), k.id, k.name.clone());
        let (frames, cooldown) = (frames.clone(), cooldown.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let number = |field: &UseStateHandle<String>| field.trim().parse::<u32>().ok();
            let mut problems = std::collections::BTreeMap::new();
            let agreement = number(&frames).filter(|n| KioskConfig::AGREEMENT_FRAMES.contains(n));
            let minutes = number(&cooldown).filter(|n| KioskConfig::COOLDOWN_MINUTES.contains(n));
            if agreement.is_none() {
                problems.insert(
                    "agreement_frames".to_owned(),
                    "Agreeing frames is a whole number from 1 to 10.".to_owned(),
                );
            }
            if minutes.is_none() {
                problems.insert(
                    "cooldown_minutes".to_owned(),
                    "Minutes between marks is a whole number from 1 to 240.".to_owned(),
                );
            }
            let (Some(agreement_frames), Some(cooldown_minutes)) = (agreement, minutes) else {
                changes.refuse_fields(problems);
                return;
            };
            let config = KioskConfig {
                agreement_frames,
                cooldown_minutes,
            };
            let patch = KioskPatch {
                config: Some(config.to_text()),
                ..KioskPatch::default()
            };
            let (editing, name) = (editing.clone(), name.clone());
            changes.submit(client::update_kiosk(id, patch), move |_| {
                editing.set(false);
                format!(
                    "{name} now runs with {}; it applies them at its next heartbeat.",
                    settings_line(&config)
                )
            });
        })
    };
    let problem = |field: &str| {
        props.changes.problems().get(field).map(|p| {
            html! { <p id={format!("kiosk-{field}-error")} class="field-error" role="alert">{ p }</p> }
        })
    };
    html! {
        <>
            <tr data-kiosk={k.name.clone()} data-presence={class}>
                <td>{ &k.name }</td><td>{ &props.room }</td><td><code>{ &k.username }</code></td>
                <td><span class={classes!("chip", "status", class, "kiosk-presence")}>{ status }</span>
                    <span class="muted small">{ seen }</span></td>
                <td class="kiosk-settings">{ settings_line(&config) }</td>
                <td class="row-actions">
                    <button class="button link kiosk-edit" type="button" onclick={toggle_edit} aria-expanded={editing.to_string()}>{ "Settings" }</button>
                    <button class="button link kiosk-rotate" type="button" onclick={rotate}>{ "New credential" }</button>
                    <button class="button link kiosk-switch" type="button" onclick={switch}>{ if k.active { "Disable" } else { "Enable" } }</button>
                </td>
            </tr>
            if *editing {
                <tr class="edit-row"><td colspan="6">
                    <form class="filters kiosk-settings-form" onsubmit={save} novalidate=true>
                        <div class="field"><label for="kiosk-frames">{ "Agreeing frames (1–10)" }</label>
                            <input id="kiosk-frames" type="number" min="1" max="10" value={(*frames).clone()} oninput={typed(&frames)} />
                            { problem("agreement_frames") }</div>
                        <div class="field"><label for="kiosk-cooldown">{ "Minutes between marks (1–240)" }</label>
                            <input id="kiosk-cooldown" type="number" min="1" max="240" value={(*cooldown).clone()} oninput={typed(&cooldown)} />
                            { problem("cooldown_minutes") }</div>
                        <button id="kiosk-settings-save" class="button primary" type="submit" disabled={props.changes.busy()}>{ "Save settings" }</button>
                    </form>
                </td></tr>
            }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn kiosk(active: bool, last_seen_at: Option<i64>) -> KioskRecord {
        KioskRecord {
            id: Uuid::nil(),
            name: "Door".into(),
            room_id: Uuid::nil(),
            username: "kiosk-door".into(),
            config: "{}".into(),
            active,
            last_seen_at,
        }
    }

    #[test]
    fn a_kiosk_is_online_within_three_missed_heartbeats_then_offline_since_its_last() {
        let now = 1_000_000;
        assert_eq!(presence(&kiosk(true, None), now, 0).0, "Never seen");
        assert_eq!(presence(&kiosk(true, Some(now - 30)), now, 0).0, "Online");
        assert_eq!(
            presence(&kiosk(true, Some(now - KIOSK_OFFLINE_AFTER_S)), now, 0).0,
            "Online"
        );
        // 1_000_000 - 600 s is 13:36 UTC, 15:36 two hours east.
        assert_eq!(
            presence(&kiosk(true, Some(now - 600)), now, 120),
            ("Offline since 15:36".to_owned(), "late")
        );
        assert_eq!(presence(&kiosk(false, Some(now)), now, 0).0, "Disabled");
    }
}
