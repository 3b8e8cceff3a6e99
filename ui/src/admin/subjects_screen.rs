use uuid::Uuid;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::changes::use_changes;
use crate::client::school::{self, NewSubject, SubjectPatch};
use crate::client::{self, SubjectRecord};
use crate::shared::sign_in_guard::{failed, loading, Loadable};

fn value(r: &NodeRef) -> String {
    r.cast::<HtmlInputElement>()
        .map(|i| i.value().trim().to_owned())
        .unwrap_or_default()
}

/// The subjects taught: add one, rename it or change its code, delete one the
/// timetable no longer uses (the server says which slots still use it).
#[component]
pub fn SubjectsScreen() -> Html {
    let changes = use_changes();
    let subjects = use_state(|| Loadable::<Vec<SubjectRecord>>::Loading);
    let editing = use_state(|| None::<Uuid>);
    let deleting = use_state(|| None::<Uuid>);
    let (code, name, edit_code, edit_name) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    {
        let (guard, subjects) = (changes.guard().clone(), subjects.clone());
        use_effect_with(changes.reloads(), move |_| {
            spawn_local(async move {
                if let Some(result) = guard.pass(client::list_subjects().await) {
                    subjects.set(result.into());
                }
            });
        });
    }
    // A row's change is done: it is no longer edited or about to be deleted.
    let row_done = {
        let (editing, deleting) = (editing.clone(), deleting.clone());
        move || {
            editing.set(None);
            deleting.set(None);
        }
    };
    let add = {
        let (changes, code, name) = (changes.clone(), code.clone(), name.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let subject = NewSubject {
                code: value(&code),
                name: value(&name),
            };
            let (code, name) = (code.clone(), name.clone());
            changes.send(
                async move { school::create_subject(&subject).await },
                move |made| {
                    for field in [&code, &name] {
                        if let Some(input) = field.cast::<HtmlInputElement>() {
                            input.set_value("");
                        }
                    }
                    format!("{} ({}) was added.", made.name, made.code)
                },
            );
        })
    };
    let body = match &*subjects {
        Loadable::Loading => loading("the subjects"),
        Loadable::Failed(problem) => failed("the subjects", problem, {
            let changes = changes.clone();
            Callback::from(move |_| changes.reload())
        }),
        Loadable::Ready(list) if list.is_empty() => html! {
            <div class="empty"><h3>{ "No subjects yet" }</h3>
                <p class="muted">{ "Add the first one above; the timetable's classes are of a subject." }</p></div>
        },
        Loadable::Ready(list) => html! {
            <div class="table-wrap"><table id="subjects-table" class="table">
                <thead><tr><th scope="col">{ "Code" }</th><th scope="col">{ "Name" }</th><th scope="col" class="actions-col">{ "" }</th></tr></thead>
                <tbody>{ for list.iter().map(|s| {
                    let id = s.id;
                    if *editing == Some(id) {
                        let save = {
                            let (changes, row_done, edit_code, edit_name, before) = (changes.clone(), row_done.clone(), edit_code.clone(), edit_name.clone(), s.clone());
                            Callback::from(move |_: MouseEvent| {
                                let (c, n) = (value(&edit_code), value(&edit_name));
                                let patch = SubjectPatch {
                                    code: (c != before.code).then_some(c),
                                    name: (n != before.name).then_some(n),
                                };
                                let row_done = row_done.clone();
                                changes.send(async move { school::update_subject(id, &patch).await }, move |saved| {
                                    row_done();
                                    format!("Saved {} ({}).", saved.name, saved.code)
                                });
                            })
                        };
                        let cancel = { let editing = editing.clone(); Callback::from(move |_: MouseEvent| editing.set(None)) };
                        html! {
                            <tr data-code={s.code.clone()}>
                                <td><input class="subject-edit-code" ref={edit_code.clone()} value={s.code.clone()} aria-label="Code" /></td>
                                <td><input class="subject-edit-name" ref={edit_name.clone()} value={s.name.clone()} aria-label="Name" /></td>
                                <td><div class="row-actions">
                                    <button class="button primary subject-save" type="button" onclick={save}>{ "Save" }</button>
                                    <button class="button secondary" type="button" onclick={cancel}>{ "Cancel" }</button>
                                </div></td>
                            </tr>
                        }
                    } else {
                        let edit = { let editing = editing.clone(); Callback::from(move |_: MouseEvent| editing.set(Some(id))) };
                        let remove = {
                            let (changes, row_done, deleting, shown) = (changes.clone(), row_done.clone(), deleting.clone(), s.clone());
                            Callback::from(move |_: MouseEvent| {
                                if *deleting != Some(id) {
                                    deleting.set(Some(id));
                                    return;
                                }
                                let (shown, row_done) = (shown.clone(), row_done.clone());
                                changes.send(school::delete_subject(id), move |()| {
                                    row_done();
                                    format!("{} ({}) was deleted.", shown.name, shown.code)
                                });
                            })
                        };
                        html! {
                            <tr data-code={s.code.clone()}>
                                <td><strong>{ &s.code }</strong></td>
                                <td>{ &s.name }</td>
                                <td><div class="row-actions">
                                    <button class="button secondary subject-edit" type="button" onclick={edit}>{ "Edit" }</button>
                                    <button class={classes!("button", "subject-delete", if *deleting == Some(id) { "danger" } else { "secondary" })} type="button" onclick={remove}>
                                        { if *deleting == Some(id) { "Yes, delete" } else { "Delete" } }
                                    </button>
                                </div></td>
                            </tr>
                        }
                    }
                }) }</tbody>
            </table></div>
        },
    };
    html! {
        <section class="screen wide" aria-labelledby="subjects-title">
            <header class="screen-head">
                <p class="eyebrow">{ "Structure" }</p>
                <h2 id="subjects-title">{ "Subjects" }</h2>
            </header>
            <form id="subject-form" class="panel filters" onsubmit={add}>
                <div class="field"><label for="subject-code">{ "Code" }</label>
                    <input id="subject-code" ref={code} placeholder="CS201" maxlength="20" /></div>
                <div class="field"><label for="subject-name">{ "Name" }</label>
                    <input id="subject-name" ref={name} placeholder="Data Structures" maxlength="80" /></div>
                <button id="subject-add" class="button primary" type="submit">{ "Add subject" }</button>
            </form>
            { changes.outcome_line("subjects-outcome") }
            { body }
        </section>
    }
}
