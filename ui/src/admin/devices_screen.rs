use std::collections::HashMap;

use uuid::Uuid;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::changes::use_changes;
use super::kiosk_row::KioskRow;
use crate::client::{self, DeviceRecord, KioskRecord, NewKiosk, RoomRecord, UserQuery};
use crate::shared::sign_in_guard::{failed, loading, Loadable};

/// Everything the devices screen shows.
#[derive(Debug, Clone, PartialEq)]
struct Fleet {
    devices: Vec<DeviceRecord>,
    owners: HashMap<Uuid, String>,
    kiosks: Vec<KioskRecord>,
    rooms: Vec<RoomRecord>,
}

/// Students' phones (a second phone waits here for approval) and the kiosks at
/// the doors: online or offline since their last heartbeat, their settings, a
/// new credential, disabling, and a way to add one.
#[component]
pub fn DevicesScreen() -> Html {
    let changes = use_changes();
    let fleet = use_state(|| Loadable::<Fleet>::Loading);
    let secret = use_state(|| None::<(String, String)>);
    let (kiosk_name, kiosk_room) = (use_node_ref(), use_node_ref());
    {
        let (guard, fleet) = (changes.guard().clone(), fleet.clone());
        use_effect_with(changes.reloads(), move |_| {
            spawn_local(async move {
                let students = UserQuery {
                    per_page: 200,
                    page: 1,
                    ..UserQuery::default()
                };
                let (d, u, k, r) = (
                    client::list_devices().await,
                    client::list_users(students).await,
                    client::list_kiosks().await,
                    client::list_rooms().await,
                );
                let (Some(d), Some(u), Some(k), Some(r)) =
                    (guard.pass(d), guard.pass(u), guard.pass(k), guard.pass(r))
                else {
                    return;
                };
                fleet.set(match (d, k, r) {
                    (Ok(devices), Ok(kiosks), Ok(rooms)) => Loadable::Ready(Fleet {
                        devices,
                        owners: u
                            .map(|p| {
                                p.items
                                    .into_iter()
                                    .map(|u| (u.id, u.display_name))
                                    .collect()
                            })
                            .unwrap_or_default(),
                        kiosks,
                        rooms,
                    }),
                    (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => Loadable::Failed(e.message),
                });
            });
        });
    }
    let act = |device: &DeviceRecord, approve: bool| {
        let changes = changes.clone();
        let (id, label) = (device.id, device.label.clone());
        Callback::from(move |_: MouseEvent| {
            let label = label.clone();
            if approve {
                changes.send(client::approve_device(id), move |_| {
                    format!("{label} is approved; the student's previous phone no longer counts.")
                });
            } else {
                changes.send(client::revoke_device(id), move |_| {
                    format!("{label} is revoked; its claims are refused from now on.")
                });
            }
        })
    };
    // The new kiosk's credential is the news: it shows once, instead of a sentence.
    let add_kiosk = {
        let (changes, secret) = (changes.clone(), secret.clone());
        let (kiosk_name, kiosk_room) = (kiosk_name.clone(), kiosk_room.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let name = kiosk_name
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            let Some(room_id) = kiosk_room
                .cast::<HtmlSelectElement>()
                .and_then(|s| s.value().parse().ok())
            else {
                changes.refuse("Choose the kiosk's room.");
                return;
            };
            let kiosk = NewKiosk {
                name: name.trim().to_owned(),
                room_id,
                config: None,
            };
            let secret = secret.clone();
            changes.send(client::create_kiosk(kiosk), move |credential| {
                secret.set(Some((credential.kiosk.username, credential.secret)));
                None::<String>
            });
        })
    };
    let on_secret = {
        let secret = secret.clone();
        Callback::from(move |shown: (String, String)| secret.set(Some(shown)))
    };
    let body = match &*fleet {
        Loadable::Loading => loading("the devices"),
        Loadable::Failed(problem) => failed("The devices", problem, {
            let changes = changes.clone();
            Callback::from(move |_| changes.reload())
        }),
        Loadable::Ready(f) => {
            let room_name = |id: Uuid| {
                f.rooms
                    .iter()
                    .find(|r| r.id == id)
                    .map_or_else(|| "—".to_owned(), |r| r.code.clone())
            };
            html! {
                <>
                    <section class="panel">
                        <h3>{ "Students' phones" }</h3>
                        if f.devices.is_empty() {
                            <p class="muted">{ "No phones are registered yet. A student's first phone is bound when they sign in; a second one waits here." }</p>
                        } else {
                            <div class="table-wrap"><table id="devices-table" class="table">
                                <thead><tr><th scope="col">{ "Student" }</th><th scope="col">{ "Phone" }</th><th scope="col">{ "Platform" }</th><th scope="col">{ "Status" }</th><th scope="col" /></tr></thead>
                                <tbody>
                                    { for f.devices.iter().map(|d| html! {
                                        <tr data-device={d.id.to_string()} data-status={d.status.as_str()}>
                                            <td>{ f.owners.get(&d.user_id).cloned().unwrap_or_else(|| "another account".to_owned()) }</td>
                                            <td>{ &d.label }</td><td>{ d.platform.as_str() }</td>
                                            <td><span class={classes!("chip", match d.status.as_str() { "pending" => "late", "active" => "present", _ => "absent" })}>{ d.status.as_str() }</span></td>
                                            <td>
                                                if d.status.as_str() == "pending" {
                                                    <button class="button link approve-device" type="button" onclick={act(d, true)}>{ "Approve" }</button>
                                                }
                                                if d.status.as_str() != "revoked" {
                                                    <button class="button link revoke-device" type="button" onclick={act(d, false)}>{ "Revoke" }</button>
                                                }
                                            </td>
                                        </tr>
                                    }) }
                                </tbody>
                            </table></div>
                        }
                    </section>
                    <section class="panel">
                        <h3>{ "Kiosks" }</h3>
                        if f.kiosks.is_empty() {
                            <p class="muted">{ "No kiosks yet. Add one for a room below; its PC signs in with the credential shown once." }</p>
                        } else {
                            <div class="table-wrap"><table id="kiosks-table" class="table">
                                <thead><tr><th scope="col">{ "Name" }</th><th scope="col">{ "Room" }</th><th scope="col">{ "Login" }</th><th scope="col">{ "Heartbeat" }</th><th scope="col">{ "Settings" }</th><th scope="col" /></tr></thead>
                                <tbody>
                                    { for f.kiosks.iter().map(|k| html! {
                                        <KioskRow key={k.id.to_string()} kiosk={k.clone()} room={room_name(k.room_id)}
                                            changes={changes.clone()} on_secret={on_secret.clone()} />
                                    }) }
                                </tbody>
                            </table></div>
                        }
                        <form id="kiosk-form" class="filters" onsubmit={add_kiosk}>
                            <div class="field"><label for="kiosk-name">{ "Kiosk name" }</label><input id="kiosk-name" ref={kiosk_name} placeholder="Main door" /></div>
                            <div class="field"><label for="kiosk-room">{ "Room" }</label>
                                <select id="kiosk-room" ref={kiosk_room}>
                                    { for f.rooms.iter().map(|r| html! { <option value={r.id.to_string()}>{ format!("{} · {}", r.code, r.name) }</option> }) }
                                </select></div>
                            <button id="kiosk-save" class="button primary" type="submit">{ "Add kiosk" }</button>
                        </form>
                        if let Some((username, secret)) = &*secret {
                            <div id="kiosk-secret" class="notice done" role="status">
                                <p>{ "Enter this on the kiosk PC now; it is shown only once:" }</p>
                                <p><code>{ format!("{username} / {secret}") }</code></p>
                            </div>
                        }
                    </section>
                </>
            }
        }
    };
    html! {
        <section class="screen wide" aria-labelledby="devices-title">
            <header class="screen-head">
                <p class="eyebrow">{ "Devices" }</p>
                <h2 id="devices-title">{ "Phones and kiosks" }</h2>
            </header>
            { changes.outcome_line("devices-notice") }
            { body }
        </section>
    }
}
