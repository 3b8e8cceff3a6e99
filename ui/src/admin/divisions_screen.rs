use uuid::Uuid;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::changes::use_changes;
use crate::client::{
    self, DivisionPatch, DivisionRecord, DivisionStudent, NewDivision, Role, UserQuery,
};
use crate::shared::sign_in_guard::{loading, Loadable};

/// Usernames typed with commas, spaces or new lines between them.
fn usernames(text: &str) -> Vec<String> {
    text.split([',', ' ', '\n', ';'])
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The divisions: add one, and for the chosen one its students, with adding by
/// username (unknown names are named, nothing is added then) and removing.
#[component]
pub fn DivisionsScreen() -> Html {
    let changes = use_changes();
    let divisions = use_state(|| Loadable::<Vec<DivisionRecord>>::Loading);
    let chosen = use_state(|| None::<Uuid>);
    let members = use_state(|| Loadable::<Vec<DivisionStudent>>::Loading);
    let (code, name, names) = (use_node_ref(), use_node_ref(), use_node_ref());
    // The chosen division's new name as typed, and the delete's second click.
    let renamed = use_state(String::new);
    let confirm_delete = use_state(|| false);
    {
        let (renamed, confirm_delete) = (renamed.clone(), confirm_delete.clone());
        let current = match &*divisions {
            Loadable::Ready(list) => list
                .iter()
                .find(|d| Some(d.id) == *chosen)
                .map(|d| d.name.clone()),
            _ => None,
        };
        use_effect_with(current, move |current| {
            renamed.set(current.clone().unwrap_or_default());
            confirm_delete.set(false);
        });
    }
    let type_name = {
        let renamed = renamed.clone();
        Callback::from(move |e: InputEvent| {
            renamed.set(e.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    let rename = {
        let (changes, chosen, renamed) = (changes.clone(), chosen.clone(), renamed.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(id) = *chosen else { return };
            let name = renamed.trim().to_owned();
            if name.is_empty() {
                changes.refuse_fields(
                    [("name".to_owned(), "Give the division a name.".to_owned())].into(),
                );
                return;
            }
            let patch = DivisionPatch {
                code: None,
                name: Some(name),
            };
            changes.submit(client::update_division(id, patch), |d| {
                format!("Division {} is now called {}.", d.code, d.name)
            });
        })
    };
    let delete = {
        let (changes, chosen, confirm_delete, divisions) = (
            changes.clone(),
            chosen.clone(),
            confirm_delete.clone(),
            divisions.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let Some(id) = *chosen else { return };
            if !*confirm_delete {
                confirm_delete.set(true);
                return;
            }
            confirm_delete.set(false);
            let code = match &*divisions {
                Loadable::Ready(list) => list
                    .iter()
                    .find(|d| d.id == id)
                    .map_or_else(String::new, |d| d.code.clone()),
                _ => String::new(),
            };
            let chosen = chosen.clone();
            changes.send(client::delete_division(id), move |()| {
                chosen.set(None);
                format!("Division {code} was deleted.")
            });
        })
    };
    {
        let (guard, divisions, chosen) =
            (changes.guard().clone(), divisions.clone(), chosen.clone());
        use_effect_with(changes.reloads(), move |_| {
            spawn_local(async move {
                if let Some(result) = guard.pass(client::list_divisions().await) {
                    if chosen.is_none() {
                        if let Ok(list) = &result {
                            chosen.set(list.first().map(|d| d.id));
                        }
                    }
                    divisions.set(result.into());
                }
            });
        });
    }
    {
        let (guard, members) = (changes.guard().clone(), members.clone());
        use_effect_with((*chosen, changes.reloads()), move |(chosen, _)| {
            if let Some(id) = *chosen {
                spawn_local(async move {
                    if let Some(result) = guard.pass(client::division_students(id).await) {
                        members.set(result.into());
                    }
                });
            }
        });
    }
    let create = {
        let (changes, chosen, code, name) =
            (changes.clone(), chosen.clone(), code.clone(), name.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value().trim().to_owned())
                    .unwrap_or_default()
            };
            let division = NewDivision {
                code: text(&code),
                name: text(&name),
            };
            let chosen = chosen.clone();
            changes.send(client::create_division(division), move |d| {
                chosen.set(Some(d.id));
                format!("Division {} was added.", d.code)
            });
        })
    };
    // The usernames are looked up first; any unknown one and nobody is added.
    let add = {
        let (changes, chosen, names) = (changes.clone(), chosen.clone(), names.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(division) = *chosen else { return };
            let wanted = usernames(
                &names
                    .cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default(),
            );
            if wanted.is_empty() {
                changes.refuse("Type one or more usernames.");
                return;
            }
            let changes = changes.clone();
            spawn_local(async move {
                let mut ids = Vec::new();
                let mut unknown = Vec::new();
                for username in &wanted {
                    let query = UserQuery {
                        search: username.clone(),
                        role: Some(Role::Student),
                        per_page: 50,
                        page: 1,
                        ..UserQuery::default()
                    };
                    let Some(found) = changes.guard().pass(client::list_users(query).await) else {
                        return;
                    };
                    match found
                        .ok()
                        .and_then(|p| p.items.into_iter().find(|u| &u.username == username))
                    {
                        Some(user) => ids.push(user.id),
                        None => unknown.push(username.clone()),
                    }
                }
                if !unknown.is_empty() {
                    changes.refuse(format!(
                        "No student is called {}; nobody was added.",
                        unknown.join(", ")
                    ));
                    return;
                }
                changes.send(client::add_division_students(division, ids), |change| {
                    format!(
                        "Added {} ({} already in the division).",
                        change.added, change.already_members
                    )
                });
            });
        })
    };
    let remove = |student: &DivisionStudent| {
        let (changes, chosen) = (changes.clone(), chosen.clone());
        let (id, name) = (student.id, student.display_name.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(division) = *chosen else { return };
            let name = name.clone();
            changes.send(client::remove_division_student(division, id), move |()| {
                format!("{name} left the division.")
            });
        })
    };
    let list = match &*divisions {
        Loadable::Loading => loading("the divisions"),
        Loadable::Failed(problem) => html! { <p class="alert" role="alert">{ problem }</p> },
        Loadable::Ready(list) => html! {
            <div class="division-tabs" role="tablist">
                { for list.iter().map(|d| {
                    let pick = { let chosen = chosen.clone(); let id = d.id; Callback::from(move |_| chosen.set(Some(id))) };
                    let current = *chosen == Some(d.id);
                    html! {
                        <button type="button" role="tab" aria-selected={current.to_string()} data-division={d.code.clone()}
                            class={classes!("nav-item", current.then_some("current"))} onclick={pick}>
                            { format!("{} · {} students", d.code, d.student_count) }
                        </button>
                    }
                }) }
            </div>
        },
    };
    let roster = match &*members {
        Loadable::Loading => loading("the students"),
        Loadable::Failed(problem) => html! { <p class="alert" role="alert">{ problem }</p> },
        Loadable::Ready(students) if students.is_empty() => html! {
            <p class="muted" id="division-empty">{ "No students yet. Add them by username below." }</p>
        },
        Loadable::Ready(students) => html! {
            <div class="table-wrap"><table id="division-students" class="table">
                <thead><tr><th scope="col">{ "Name" }</th><th scope="col">{ "Username" }</th><th scope="col">{ "Roll no." }</th><th scope="col" /></tr></thead>
                <tbody>{ for students.iter().map(|s| html! {
                    <tr data-username={s.username.clone()}>
                        <td>{ &s.display_name }</td><td>{ &s.username }</td><td>{ s.student_no.clone().unwrap_or_default() }</td>
                        <td><button class="button link remove-student" type="button" onclick={remove(s)}>{ "Remove" }</button></td>
                    </tr>
                }) }</tbody>
            </table></div>
        },
    };
    html! {
        <section class="screen wide" aria-labelledby="divisions-title">
            <header class="screen-head">
                <p class="eyebrow">{ "Structure" }</p>
                <h2 id="divisions-title">{ "Divisions" }</h2>
            </header>
            { list }
            if chosen.is_some() {
                <form id="division-edit" class="filters" onsubmit={rename} novalidate=true>
                    <div class="field"><label for="division-rename">{ "Name of this division" }</label>
                        <input id="division-rename" value={(*renamed).clone()} oninput={type_name} />
                        if let Some(problem) = changes.problems().get("name") {
                            <p id="division-rename-error" class="field-error" role="alert">{ problem }</p>
                        }
                    </div>
                    <button id="division-rename-save" class="button secondary" type="submit" disabled={changes.busy()}>{ "Rename" }</button>
                    <button id="division-delete" class="button danger" type="button" onclick={delete}>
                        { if *confirm_delete { "Yes, delete this division" } else { "Delete division" } }
                    </button>
                </form>
            }
            { changes.outcome_line("division-outcome") }
            { roster }
            <form id="members-form" class="filters" onsubmit={add}>
                <div class="field"><label for="member-usernames">{ "Add students by username (several: commas)" }</label>
                    <input id="member-usernames" ref={names} placeholder="student17, student18" /></div>
                <button id="members-add" class="button primary" type="submit" disabled={chosen.is_none()}>{ "Add" }</button>
            </form>
            <form id="division-form" class="filters" onsubmit={create}>
                <div class="field"><label for="division-code">{ "New division code" }</label><input id="division-code" ref={code} placeholder="SE-C" /></div>
                <div class="field"><label for="division-name">{ "Name" }</label><input id="division-name" ref={name} placeholder="Second Year, division C" /></div>
                <button id="division-save" class="button secondary" type="submit">{ "Add division" }</button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::usernames;

    #[test]
    fn usernames_are_split_on_commas_spaces_and_lines() {
        assert_eq!(
            usernames(" Student17, student18\nstudent19;; "),
            ["student17", "student18", "student19"]
        );
        assert!(usernames(" , ").is_empty());
    }
}
