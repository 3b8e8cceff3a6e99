use std::rc::Rc;

use uuid::Uuid;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::desk_handle::DeskHandle;
use super::mark_dialog::MarkDialog;
use super::presentation_panel::PresentationPanel;
use super::roster_panel::RosterPanel;
use super::state::{Busy, DeskAction, Notice};
use crate::client::{self, LiveConnection, SessionStatus, SheetFormat};

/// What the classroom screen needs.
#[derive(Properties, PartialEq)]
pub struct ClassroomScreenProps {
    /// The class on screen.
    pub session_id: Uuid,
}

/// One class: the rotating QR and code beside the live roster, with end, export
/// and presentation mode.
#[component]
pub fn ClassroomScreen(props: &ClassroomScreenProps) -> Html {
    let handle = use_context::<DeskHandle>();
    let confirming_end = use_state(|| false);
    let screen = use_node_ref();
    {
        // Follow the live roster while this screen is open.
        let handle = handle.clone();
        use_effect_with(props.session_id, move |id| {
            let id = *id;
            let listener = handle.map(|handle| {
                let desk = handle.desk;
                Rc::new(client::listen_live_roster(move |event| {
                    desk.dispatch(DeskAction::Live(event));
                }))
            });
            spawn_local(async move {
                let _ = client::watch_roster(id).await;
            });
            move || {
                drop(listener);
                spawn_local(async {
                    let _ = client::stop_watching_roster().await;
                    client::set_fullscreen(false).await;
                });
            }
        });
    }
    let Some(handle) = handle else {
        return html! {};
    };
    let desk = &*handle.desk;
    let Some(class) = desk.open_class().cloned() else {
        return html! { <section class="screen wide"><p class="muted">{ "Loading the class…" }</p></section> };
    };
    let id = class.id;
    let title = class
        .subject_name
        .clone()
        .unwrap_or_else(|| "Class".to_owned());
    let running = class.status == SessionStatus::Running;
    let busy = desk.busy;

    let back = {
        let handle = handle.clone();
        Callback::from(move |_| handle.desk.dispatch(DeskAction::Back))
    };
    let present = {
        let handle = handle.clone();
        let screen = screen.clone();
        let on = !desk.presenting;
        Callback::from(move |_| {
            handle.desk.dispatch(DeskAction::Present(on));
            // The buttons hide in presentation mode; the screen keeps the focus so Esc works.
            if let Some(element) = screen.cast::<web_sys::HtmlElement>() {
                let _ = element.focus();
            }
            spawn_local(client::set_fullscreen(on));
        })
    };
    let leave = {
        let handle = handle.clone();
        Callback::from(move |_| {
            handle.desk.dispatch(DeskAction::Present(false));
            spawn_local(client::set_fullscreen(false));
        })
    };
    let onkeydown = {
        let handle = handle.clone();
        let presenting = desk.presenting;
        Callback::from(move |e: KeyboardEvent| {
            if presenting && e.key() == "Escape" {
                handle.desk.dispatch(DeskAction::Present(false));
                spawn_local(client::set_fullscreen(false));
            }
        })
    };
    let end = {
        let handle = handle.clone();
        let confirming_end = confirming_end.clone();
        Callback::from(move |_| {
            confirming_end.set(false);
            handle.desk.dispatch(DeskAction::EndRequested);
            let handle = handle.clone();
            spawn_local(async move {
                let result = client::end_class(id).await;
                handle.settle(result, DeskAction::Ended);
            });
        })
    };
    let export = |format: SheetFormat| {
        let handle = handle.clone();
        Callback::from(move |_| {
            handle.desk.dispatch(DeskAction::ExportRequested(format));
            let handle = handle.clone();
            spawn_local(async move {
                let result = client::export_class_sheet(id, format).await;
                handle.settle(result, DeskAction::Exported);
            });
        })
    };
    let exporting = |format| busy == Some(Busy::Exporting(format));

    let connection = desk.live.as_ref().map(|l| &l.connection);
    let live_state = match connection {
        None | Some(LiveConnection::Connecting) => {
            html! { <span id="live-state" class="chip planned">{ "Connecting…" }</span> }
        }
        Some(LiveConnection::Live) => {
            html! { <span id="live-state" class="chip running">{ "Live" }</span> }
        }
        Some(LiveConnection::Offline {
            retry_in_s,
            problem,
        }) => html! {
            <span id="live-state" class="chip offline" title={problem.clone()}>
                { format!("Offline · retrying in {retry_in_s} s") }
            </span>
        },
        Some(LiveConnection::SignedOut) => {
            html! { <span id="live-state" class="chip offline">{ "Signed out" }</span> }
        }
    };
    let offline = matches!(connection, Some(LiveConnection::Offline { .. }));
    let notice = match &desk.notice {
        Some(Notice::Done(text)) => {
            html! { <p id="desk-notice" class="notice done" role="status">{ text }</p> }
        }
        Some(Notice::Problem(text)) => {
            html! { <p id="desk-notice" class="notice problem" role="alert">{ text }</p> }
        }
        None => html! {},
    };
    let end_controls = if !running {
        html! {}
    } else if *confirming_end {
        let cancel = Callback::from(move |_| confirming_end.set(false));
        html! {
            <span class="confirm" role="group" aria-label="End the class?">
                <span>{ "End the class? Everyone unmarked becomes absent." }</span>
                <button id="confirm-end" class="button danger" type="button" onclick={end}>{ "End class" }</button>
                <button class="button secondary" type="button" onclick={cancel}>{ "Keep running" }</button>
            </span>
        }
    } else {
        let ask = Callback::from(move |_| confirming_end.set(true));
        html! {
            <button id="end-class" class="button secondary" type="button" disabled={busy.is_some()} onclick={ask}>
                if busy == Some(Busy::Ending) { <span class="spinner dark" aria-hidden="true" />{ "Ending…" } } else { { "End class" } }
            </button>
        }
    };

    html! {
        <section ref={screen} class={classes!("classroom", desk.presenting.then_some("presenting"))} tabindex="-1" {onkeydown}>
            if desk.presenting {
                <button id="leave-presentation" class="button link leave" type="button" onclick={leave}>
                    { "Leave full screen" }
                </button>
            }
            <header class="classroom-head">
                <button id="back-to-today" class="button link" type="button" onclick={back}>{ "← Today" }</button>
                <div class="classroom-title">
                    <h2 id="class-title">{ &title }</h2>
                    <p class="muted">{ &class.division_code }{ " · " }{ &class.room_name }</p>
                </div>
                { live_state }
                <div class="classroom-actions">
                    if running {
                        <button id="present" class="button primary" type="button" onclick={present}>
                            { if desk.presenting { "Leave full screen" } else { "Present full screen" } }
                        </button>
                    }
                    <button id="export-csv" class="button secondary" type="button" disabled={busy.is_some()} onclick={export(SheetFormat::Csv)}>
                        if exporting(SheetFormat::Csv) { <span class="spinner dark" aria-hidden="true" />{ "Saving…" } } else { { "Export CSV" } }
                    </button>
                    <button id="export-pdf" class="button secondary" type="button" disabled={busy.is_some()} onclick={export(SheetFormat::Pdf)}>
                        if exporting(SheetFormat::Pdf) { <span class="spinner dark" aria-hidden="true" />{ "Saving…" } } else { { "Export PDF" } }
                    </button>
                    { end_controls }
                </div>
            </header>
            { notice }
            <div class={classes!("classroom-body", (!running).then_some("ended"))}>
                if running {
                    <PresentationPanel session_id={id} title={title.clone()} room={class.room_name.clone()}
                        division={class.division_code.clone()} presenting={desk.presenting} {offline}
                        present={desk.roster().map(|r| (r.present, r.expected))} />
                }
                <RosterPanel session_id={id} editable={true} />
            </div>
            if desk.marking.is_some() { <MarkDialog session_id={id} /> }
        </section>
    }
}
