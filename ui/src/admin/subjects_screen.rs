use uuid::Uuid;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::client::school::{self, NewSubject, SubjectPatch};
use crate::client::{self, SubjectRecord};
use crate::shared::sign_in_guard::{failed, loading, outcome_line, Loadable, SignInGuard};

/// A change to make: the sentence to show when it is done.
type Change =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, client::CommandError>>>>;

fn value(r: &NodeRef) -> String {
    r.cast::<HtmlInputElement>()
        .map(|i| i.value().trim().to_owned())
        .unwrap_or_default()
}

/// The subjects taught: add one, rename it or change its code, delete one the
/// timetable no longer uses (the server says which slots still use it).
#[component]
pub fn SubjectsScreen() -> Html {
    let guard = use_context::<SignInGuard>().unwrap_or_default();
    let subjects = use_state(|| Loadable::<Vec<SubjectRecord>>::Loading);
    let reload = use_state(|| 0_u32);
    let outcome = use_state(|| None::<Result<String, String>>);
    let editing = use_state(|| None::<Uuid>);
    let deleting = use_state(|| None::<Uuid>);
    let (code, name, edit_code, edit_name) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    {
        let (guard, subjects) = (guard.clone(), subjects.clone());
        use_effect_with(*reload, move |_| {
            spawn_local(async move {
                if let Some(result) = guard.pass(client::list_subjects().await) {
                    subjects.set(result.into());
                }
            });
        });
    }
    // Runs a change, then says how it went and reloads the list.
    let run = {
        let (guard, outcome, reload, editing, deleting) = (
            guard,
            outcome.clone(),
            reload.clone(),
            editing.clone(),
            deleting.clone(),
        );
        Callback::from(move |(job, done): (Change, bool)| {
            let (guard, outcome, reload, editing, deleting) = (
                guard.clone(),
                outcome.clone(),
                reload.clone(),
                editing.clone(),
                deleting.clone(),
            );
            spawn_local(async move {
                let Some(result) = guard.pass(job.await) else {
                    return;
                };
                match result {
                    Ok(sentence) => {
                        outcome.set(Some(Ok(sentence)));
                        if done {
                            editing.set(None);
                            deleting.set(None);
                        }
                        reload.set(*reload + 1);
                    }
                    Err(error) => outcome.set(Some(Err(error.message))),
                }
            });
        })
    };
    let add = {
        let (run, code, name) = (run.clone(), code.clone(), name.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let subject = NewSubject {
                code: value(&code),
                name: value(&name),
            };
            let (code, name) = (code.clone(), name.clone());
            run.emit((
                Box::pin(async move {
                    let made = school::create_subject(&subject).await?;
                    for field in [&code, &name] {
                        if let Some(input) = field.cast::<HtmlInputElement>() {
                            input.set_value("");
                        }
                    }
                    Ok(format!("{} ({}) was added.", made.name, made.code))
                }),
                false,
            ));
        })
    };
    let body = match &*subjects {
        Loadable::Loading => loading("the subjects"),
        Loadable::Failed(problem) => failed(
            "the subjects",
            problem,
            Callback::from(move |_| reload.set(*reload + 1)),
        ),
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
                            let (run, edit_code, edit_name, before) = (run.clone(), edit_code.clone(), edit_name.clone(), s.clone());
                            Callback::from(move |_: MouseEvent| {
                                let (c, n) = (value(&edit_code), value(&edit_name));
                                let patch = SubjectPatch {
                                    code: (c != before.code).then_some(c),
                                    name: (n != before.name).then_some(n),
                                };
                                run.emit((Box::pin(async move {
                                    let saved = school::update_subject(id, &patch).await?;
                                    Ok(format!("Saved {} ({}).", saved.name, saved.code))
                                }), true));
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
                            let (run, deleting, shown) = (run.clone(), deleting.clone(), s.clone());
                            Callback::from(move |_: MouseEvent| {
                                if *deleting != Some(id) {
                                    deleting.set(Some(id));
                                    return;
                                }
                                let shown = shown.clone();
                                run.emit((Box::pin(async move {
                                    school::delete_subject(id).await?;
                                    Ok(format!("{} ({}) was deleted.", shown.name, shown.code))
                                }), true));
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
            { outcome_line("subjects-outcome", &outcome) }
            { body }
        </section>
    }
}
