use uuid::Uuid;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::desk_handle::DeskHandle;
use super::state::{Busy, DeskAction};
use crate::client::{self, AttendanceStatus, MarkForm};
use crate::shared::labels::status_label;

/// What the mark dialog needs.
#[derive(Properties, PartialEq)]
pub struct MarkDialogProps {
    /// The class.
    pub session_id: Uuid,
}

const STATUSES: [AttendanceStatus; 4] = [
    AttendanceStatus::Present,
    AttendanceStatus::Late,
    AttendanceStatus::Absent,
    AttendanceStatus::Excused,
];

/// Correct one student's mark: a status and a reason (kept in the audit log).
#[component]
pub fn MarkDialog(props: &MarkDialogProps) -> Html {
    let handle = use_context::<DeskHandle>();
    let status = use_node_ref();
    let reason = use_node_ref();
    let missing_reason = use_state(|| false);
    {
        let reason = reason.clone();
        use_effect_with((), move |()| {
            if let Some(input) = reason.cast::<HtmlInputElement>() {
                let _ = input.focus();
            }
        });
    }
    let Some(handle) = handle else {
        return html! {};
    };
    let Some(student) = handle.desk.marking else {
        return html! {};
    };
    let entry = handle
        .desk
        .roster()
        .and_then(|r| r.entries.iter().find(|e| e.student_id == student))
        .cloned();
    let name = entry
        .as_ref()
        .map_or_else(|| "this student".to_owned(), |e| e.display_name.clone());
    let current = entry.and_then(|e| e.status);
    let saving = handle.desk.busy == Some(Busy::Marking);
    let session_id = props.session_id;

    let onsubmit = {
        let (handle, status, reason, missing_reason) = (
            handle.clone(),
            status.clone(),
            reason.clone(),
            missing_reason.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = reason
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            if text.trim().is_empty() {
                missing_reason.set(true);
                return;
            }
            let chosen = status
                .cast::<HtmlSelectElement>()
                .and_then(|s| AttendanceStatus::parse(&s.value()))
                .unwrap_or(AttendanceStatus::Present);
            handle.desk.dispatch(DeskAction::MarkRequested);
            let handle = handle.clone();
            let form = MarkForm {
                session_id,
                student_id: student,
                status: chosen,
                reason: text.trim().to_owned(),
            };
            spawn_local(async move {
                let result = client::mark_student(form).await;
                handle.settle(result, DeskAction::Marked);
            });
        })
    };
    let cancel = {
        let handle = handle.clone();
        Callback::from(move |_| handle.desk.dispatch(DeskAction::MarkCancelled))
    };
    let onkeydown = {
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                handle.desk.dispatch(DeskAction::MarkCancelled);
            }
        })
    };
    html! {
        <div class="scrim" {onkeydown}>
            <form id="mark-dialog" class="dialog" role="dialog" aria-modal="true"
                aria-labelledby="mark-title" {onsubmit}>
                <h3 id="mark-title">{ format!("Correct the mark of {name}") }</h3>
                <div class="field">
                    <label for="mark-status">{ "Status" }</label>
                    <select id="mark-status" ref={status} disabled={saving}>
                        { for STATUSES.iter().map(|s| html! {
                            <option value={s.as_str()} selected={current == Some(*s) || (current.is_none() && *s == AttendanceStatus::Present)}>
                                { status_label(Some(*s)).0 }
                            </option>
                        }) }
                    </select>
                </div>
                <div class="field">
                    <label for="mark-reason">{ "Reason (kept in the audit log)" }</label>
                    <input id="mark-reason" ref={reason} type="text" maxlength="500"
                        placeholder="e.g. Phone battery was flat" disabled={saving}
                        aria-invalid={(*missing_reason).to_string()} />
                    if *missing_reason {
                        <p id="mark-reason-error" class="field-error" role="alert">{ "Say why you are changing the mark." }</p>
                    }
                </div>
                <div class="dialog-actions">
                    <button id="mark-cancel" class="button secondary" type="button" onclick={cancel} disabled={saving}>{ "Cancel" }</button>
                    <button id="mark-save" class="button primary" type="submit" disabled={saving}>
                        if saving { <span class="spinner" aria-hidden="true" />{ "Saving…" } } else { { "Save mark" } }
                    </button>
                </div>
            </form>
        </div>
    }
}
