use std::collections::BTreeMap;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::changes::use_changes;
use crate::client::school::{self, SchoolSettings};
use crate::shared::sign_in_guard::{failed, loading, Loadable};
use rollcall_core::evaluate::LateSync;

/// One number field with its help and the problem the rule found, if any.
fn number_field(
    id: &'static str,
    label: &'static str,
    help: &'static str,
    node: &NodeRef,
    problem: Option<&String>,
) -> Html {
    html! {
        <div class={classes!("field", problem.is_some().then_some("invalid"))}>
            <label for={id}>{ label }</label>
            <input id={id} ref={node.clone()} type="number" inputmode="decimal" aria-invalid={problem.is_some().to_string()} />
            <p class="muted small">{ help }</p>
            if let Some(p) = problem { <p class="field-problem" role="alert">{ p }</p> }
        </div>
    }
}

fn set(node: &NodeRef, value: &str) {
    if let Some(input) = node.cast::<HtmlInputElement>() {
        input.set_value(value);
    } else if let Some(select) = node.cast::<HtmlSelectElement>() {
        select.set_value(value);
    }
}

fn read(node: &NodeRef) -> String {
    node.cast::<HtmlInputElement>()
        .map(|i| i.value().trim().to_owned())
        .or_else(|| node.cast::<HtmlSelectElement>().map(|s| s.value()))
        .unwrap_or_default()
}

/// What a check-in synced late with an expired code needs: the choice and why.
fn late_sync_field(node: &NodeRef) -> Html {
    html! {
        <div class="field">
            <label for="settings-late-sync">{ "Check-ins synced late with an expired code" }</label>
            <select id="settings-late-sync" ref={node.clone()}>
                <option value={LateSync::Review.as_str()}>{ "Go to the review queue (recommended)" }</option>
                <option value={LateSync::Reject.as_str()}>{ "Are refused" }</option>
            </select>
            <p class="muted small">{ "A phone that was offline sends its check-in later. By then the QR code or OTP has expired, so when it was scanned is only the phone's word: a photo of the screen sent to a friend would look the same. The teacher sees these as \"Synced late, unverified\"." }</p>
        </div>
    }
}

/// The school-wide settings: the QR period and late threshold new classes get, the
/// reports' at-risk line and how long location evidence and thumbnails are kept.
/// Checked with the server's own rule before saving; each problem shown at its field.
/// (Each room's check-in rule and tolerance are on the Rooms screen.)
#[component]
pub fn SettingsScreen() -> Html {
    let changes = use_changes();
    let loaded = use_state(|| Loadable::<SchoolSettings>::Loading);
    let (qr, late, risk, keep) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let (late_sync, late_hours) = (use_node_ref(), use_node_ref());
    {
        let (guard, loaded) = (changes.guard().clone(), loaded.clone());
        use_effect_with(changes.reloads(), move |_| {
            spawn_local(async move {
                if let Some(result) = guard.pass(school::school_settings().await) {
                    loaded.set(result.into());
                }
            });
        });
    }
    {
        // The fields are the admin's once filled: set them only when settings load.
        let (qr, late, risk, keep) = (qr.clone(), late.clone(), risk.clone(), keep.clone());
        let (late_sync, late_hours) = (late_sync.clone(), late_hours.clone());
        use_effect_with((*loaded).clone(), move |loaded| {
            if let Loadable::Ready(s) = loaded {
                set(&qr, &s.qr_period_s.to_string());
                set(&late, &s.late_after_min.to_string());
                set(&risk, &s.at_risk_below.to_string());
                set(&keep, &s.retention_days.to_string());
                set(&late_sync, s.late_sync.as_str());
                set(&late_hours, &s.late_sync_max_hours.to_string());
            }
        });
    }
    let onsubmit = {
        let (changes, loaded) = (changes.clone(), loaded.clone());
        let (qr, late, risk, keep) = (qr.clone(), late.clone(), risk.clone(), keep.clone());
        let (late_sync, late_hours) = (late_sync.clone(), late_hours.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut found = BTreeMap::new();
            let mut whole = |node: &NodeRef, field: &str, what: &str| {
                read(node).parse::<u32>().unwrap_or_else(|_| {
                    found.insert(field.to_owned(), format!("{what} is a whole number"));
                    0
                })
            };
            let qr_period_s = whole(&qr, "qr_period_s", "the QR period");
            let late_after_min = whole(&late, "late_after_min", "the late threshold");
            let retention_days = whole(&keep, "retention_days", "the retention");
            let late_sync_max_hours =
                whole(&late_hours, "late_sync_max_hours", "the late-sync window");
            let at_risk_below = read(&risk).parse::<f64>().unwrap_or(f64::NAN);
            let wanted = SchoolSettings {
                qr_period_s: u16::try_from(qr_period_s).unwrap_or(u16::MAX),
                late_after_min: u16::try_from(late_after_min).unwrap_or(u16::MAX),
                at_risk_below,
                retention_days,
                late_sync: LateSync::parse(&read(&late_sync)).unwrap_or_default(),
                late_sync_max_hours: u16::try_from(late_sync_max_hours).unwrap_or(u16::MAX),
            };
            for (field, problem) in wanted.problems() {
                found.entry(field.to_owned()).or_insert(problem);
            }
            if !found.is_empty() {
                changes.refuse_fields(found);
                return;
            }
            let loaded = loaded.clone();
            changes.submit(
                async move { school::save_school_settings(&wanted).await },
                move |saved| {
                    loaded.set(Loadable::Ready(saved));
                    "Saved. Classes started from now on use these; running ones keep theirs."
                        .to_owned()
                },
            );
        })
    };
    let form = match &*loaded {
        Loadable::Loading => loading("the settings"),
        Loadable::Failed(problem) => failed("the settings", problem, {
            let changes = changes.clone();
            Callback::from(move |_| changes.reload())
        }),
        Loadable::Ready(_) => html! {},
    };
    let shown = matches!(&*loaded, Loadable::Ready(_));
    html! {
        <section class="screen" aria-labelledby="settings-title">
            <header class="screen-head">
                <p class="eyebrow">{ "Administration" }</p>
                <h2 id="settings-title">{ "Settings" }</h2>
                <p class="muted">{ "Each room's check-in rule and location tolerance are set on the Rooms screen." }</p>
            </header>
            { form }
            <form id="settings-form" class={classes!("panel", (!shown).then_some("hidden"))} {onsubmit}>
                { number_field("settings-qr-period", "QR period (seconds)", "How long each QR code is shown before the next; 10 to 60. Shorter makes a shared photo useless sooner.", &qr, changes.problems().get("qr_period_s")) }
                { number_field("settings-late-after", "Late after (minutes)", "Check-ins this long after the start count as late; 0 to 240.", &late, changes.problems().get("late_after_min")) }
                { number_field("settings-at-risk", "At risk below (%)", "Reports and the dashboard flag students whose attendance is below this.", &risk, changes.problems().get("at_risk_below")) }
                { number_field("settings-retention", "Keep location evidence and thumbnails (days)", "Older ones are deleted every hour; 1 to 3650.", &keep, changes.problems().get("retention_days")) }
                { late_sync_field(&late_sync) }
                { number_field("settings-late-sync-hours", "Check-ins made offline may arrive within (hours)", "Later ones are refused; 1 to 72.", &late_hours, changes.problems().get("late_sync_max_hours")) }
                <div class="actions">
                    <button id="settings-save" class="button primary" type="submit" disabled={changes.busy()}>
                        if changes.busy() { <span class="spinner" aria-hidden="true" />{ "Saving…" } } else { { "Save settings" } }
                    </button>
                </div>
                { changes.outcome_line("settings-outcome") }
            </form>
        </section>
    }
}
