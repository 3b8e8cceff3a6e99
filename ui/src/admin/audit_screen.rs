//! The audit log: every change an admin or teacher made, newest first, by
//! what, who and when, fifty to a page, each with what changed before and after.

use std::collections::BTreeSet;

use rollcall_core::api::{AuditEntry, AuditFilter, Role};
use serde_json::Value;
use uuid::Uuid;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::review_queue_screen::page_count;
use crate::client::{self, Page, UserQuery};
use crate::shared::sign_in_guard::{failed, loading, Loadable, SignInGuard};

/// What the log can be filtered to, as people name it.
const WHAT: [(&str, &str); 11] = [
    ("user", "Accounts"),
    ("division", "Divisions"),
    ("subject", "Subjects"),
    ("room", "Rooms"),
    ("timetable_slot", "Timetable"),
    ("device", "Phones"),
    ("kiosk", "Kiosks"),
    ("face_template", "Face enrolments"),
    ("claim", "Check-ins reviewed"),
    ("attendance_record", "Marks corrected"),
    ("settings", "School settings"),
];

/// One field that differs between before and after, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// The field.
    pub field: String,
    /// Its value before, if it had one.
    pub before: Option<String>,
    /// Its value after, if it has one.
    pub after: Option<String>,
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The fields that differ between `before` and `after` (JSON objects; any
/// other value counts as a single field `value`), in name order.
#[must_use]
pub fn changed_fields(before: Option<&Value>, after: Option<&Value>) -> Vec<Changed> {
    let as_object = |v: Option<&Value>| match v {
        Some(Value::Object(map)) => map.clone(),
        Some(other) => [("value".to_owned(), other.clone())].into_iter().collect(),
        None => serde_json::Map::new(),
    };
    let (old, new) = (as_object(before), as_object(after));
    let fields: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    fields
        .into_iter()
        .filter(|f| old.get(*f) != new.get(*f))
        .map(|f| Changed {
            field: f.clone(),
            before: old.get(f).map(text),
            after: new.get(f).map(text),
        })
        .collect()
}

/// The audit log with its filters and pages.
#[component]
pub fn AuditScreen() -> Html {
    let guard = use_context::<SignInGuard>().unwrap_or_default();
    let filter = use_state(AuditFilter::default);
    let page_number = use_state(|| 1_u32);
    let log = use_state(|| Loadable::<Page<AuditEntry>>::Loading);
    let people = use_state(Vec::<(Uuid, String)>::new);
    let (what, who, from, to) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    {
        let (guard, people) = (guard.clone(), people.clone());
        use_effect_with((), move |()| {
            spawn_local(async move {
                let mut found = Vec::new();
                for role in [Role::Admin, Role::Teacher] {
                    let query = UserQuery {
                        role: Some(role),
                        per_page: 200,
                        page: 1,
                        ..UserQuery::default()
                    };
                    if let Some(Ok(page)) = guard.pass(client::list_users(query).await) {
                        found.extend(page.items.into_iter().map(|u| (u.id, u.display_name)));
                    }
                }
                people.set(found);
            });
        });
    }
    {
        let log = log.clone();
        use_effect_with(
            ((*filter).clone(), *page_number),
            move |(filter, number)| {
                let (filter, number) = (filter.clone(), *number);
                log.set(Loadable::Loading);
                spawn_local(async move {
                    if let Some(result) = guard.pass(client::audit_log(number, filter).await) {
                        log.set(result.into());
                    }
                });
            },
        );
    }
    let apply = {
        let (filter, page_number) = (filter.clone(), page_number.clone());
        let (what, who, from, to) = (what.clone(), who.clone(), from.clone(), to.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let select = |r: &NodeRef| {
                r.cast::<HtmlSelectElement>()
                    .map(|s| s.value())
                    .filter(|v| !v.is_empty())
            };
            let day = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .filter(|v| !v.is_empty())
            };
            page_number.set(1);
            filter.set(AuditFilter {
                entity: select(&what),
                actor_id: select(&who).and_then(|v| v.parse().ok()),
                from: day(&from),
                to: day(&to),
            });
        })
    };
    let turn = |to: u32| {
        let page_number = page_number.clone();
        Callback::from(move |_: MouseEvent| page_number.set(to.max(1)))
    };
    let body = match &*log {
        Loadable::Loading => loading("the audit log"),
        Loadable::Failed(problem) => {
            let filter = filter.clone();
            failed(
                "The audit log",
                problem,
                Callback::from(move |_| filter.set((*filter).clone())),
            )
        }
        Loadable::Ready(page) if page.items.is_empty() => html! {
            <p id="audit-empty" class="muted">{ "Nothing was changed that matches." }</p>
        },
        Loadable::Ready(page) => {
            let pages = page_count(page.total, page.per_page);
            html! {
                <>
                    <p class="muted">{ format!("{} changes, newest first.", page.total) }</p>
                    <ul id="audit-list" class="history-list">
                        { for page.items.iter().map(entry) }
                    </ul>
                    <nav class="pager" aria-label="Pages of the audit log">
                        <button id="audit-prev" class="button secondary" type="button"
                            disabled={page.page <= 1} onclick={turn(page.page.saturating_sub(1))}>{ "‹ Newer" }</button>
                        <span id="audit-page" class="muted">{ format!("Page {} of {}", page.page, pages.max(1)) }</span>
                        <button id="audit-next" class="button secondary" type="button"
                            disabled={page.page >= pages} onclick={turn(page.page + 1)}>{ "Older ›" }</button>
                    </nav>
                </>
            }
        }
    };
    html! {
        <section class="screen wide" aria-labelledby="audit-title">
            <header class="screen-head">
                <p class="eyebrow">{ "Audit log" }</p>
                <h2 id="audit-title">{ "Who changed what, and when" }</h2>
            </header>
            <form id="audit-filters" class="filters" onsubmit={apply}>
                <div class="field"><label for="audit-what">{ "What" }</label>
                    <select id="audit-what" ref={what}>
                        <option value="" selected={filter.entity.is_none()}>{ "Everything" }</option>
                        { for WHAT.iter().map(|(value, label)| html! {
                            <option value={*value} selected={filter.entity.as_deref() == Some(*value)}>{ *label }</option>
                        }) }
                    </select></div>
                <div class="field"><label for="audit-who">{ "Who" }</label>
                    <select id="audit-who" ref={who}>
                        <option value="" selected={filter.actor_id.is_none()}>{ "Anyone" }</option>
                        { for people.iter().map(|(id, name)| html! {
                            <option value={id.to_string()} selected={filter.actor_id == Some(*id)}>{ name }</option>
                        }) }
                    </select></div>
                <div class="field"><label for="audit-from">{ "From" }</label><input id="audit-from" ref={from} type="date" /></div>
                <div class="field"><label for="audit-to">{ "To" }</label><input id="audit-to" ref={to} type="date" /></div>
                <button id="audit-apply" class="button primary" type="submit">{ "Show" }</button>
            </form>
            { body }
        </section>
    }
}

/// One change: when, who, what, and the fields before and after.
fn entry(e: &AuditEntry) -> Html {
    let changed = changed_fields(e.before.as_ref(), e.after.as_ref());
    html! {
        <li class="history-entry audit-entry" data-action={e.action.clone()} data-entity-id={e.entity_id.clone().unwrap_or_default()}>
            <div class="history-head">
                <strong>{ &e.action }</strong>
                <span class="muted small">{ format!(" {} · {}", e.at.replace('T', " ").chars().take(19).collect::<String>(),
                    e.actor_name.clone().unwrap_or_else(|| "an account since deleted".to_owned())) }</span>
            </div>
            if !changed.is_empty() {
                <table class="table compact changes">
                    <thead><tr><th scope="col">{ "Field" }</th><th scope="col">{ "Before" }</th><th scope="col">{ "After" }</th></tr></thead>
                    <tbody>{ for changed.iter().map(|c| html! {
                        <tr data-field={c.field.clone()}>
                            <td>{ &c.field }</td>
                            <td>{ c.before.clone().unwrap_or_else(|| "—".to_owned()) }</td>
                            <td>{ c.after.clone().unwrap_or_else(|| "—".to_owned()) }</td>
                        </tr>
                    }) }</tbody>
                </table>
            }
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_fields_that_differ_are_shown_with_before_and_after() {
        let before = json!({"name": "Old", "code": "TE-A", "active": true});
        let after = json!({"name": "New", "code": "TE-A", "active": false, "room": "B-204"});
        let changed = changed_fields(Some(&before), Some(&after));
        let fields: Vec<&str> = changed.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["active", "name", "room"]);
        assert_eq!(changed[1].before.as_deref(), Some("Old"));
        assert_eq!(changed[1].after.as_deref(), Some("New"));
        assert_eq!(changed[2].before, None);
        let created = changed_fields(None, Some(&json!({"code": "X"})));
        assert_eq!(created[0].after.as_deref(), Some("X"));
        assert!(changed_fields(Some(&before), Some(&before)).is_empty());
        assert_eq!(changed_fields(None, Some(&json!(5)))[0].field, "value");
    }
}
