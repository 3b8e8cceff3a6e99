use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::changes::use_changes;
use super::csv_import::CsvImport;
use crate::client::{self, NewUser, Page, Role, UserPatch, UserQuery, UserRecord};
use crate::shared::labels::role_label;
use crate::shared::sign_in_guard::{failed, loading, Loadable};

const PER_PAGE: u32 = 25;

/// The people: search, filters and pages; add one; deactivate or reactivate;
/// import many from CSV.
#[component]
pub fn PeopleScreen() -> Html {
    let changes = use_changes();
    let query = use_state(|| UserQuery {
        per_page: PER_PAGE,
        page: 1,
        ..UserQuery::default()
    });
    let list = use_state(|| Loadable::<Page<UserRecord>>::Loading);
    let (search, role, active) = (use_node_ref(), use_node_ref(), use_node_ref());
    {
        let (guard, list) = (changes.guard().clone(), list.clone());
        use_effect_with(((*query).clone(), changes.reloads()), move |(q, _)| {
            let q = q.clone();
            list.set(Loadable::Loading);
            spawn_local(async move {
                if let Some(result) = guard.pass(client::list_users(q).await) {
                    list.set(result.into());
                }
            });
        });
    }
    let onsubmit = {
        let (query, search, role, active) =
            (query.clone(), search.clone(), role.clone(), active.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let select = |r: &NodeRef| {
                r.cast::<HtmlSelectElement>()
                    .map(|s| s.value())
                    .unwrap_or_default()
            };
            query.set(UserQuery {
                search: search
                    .cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default(),
                role: Role::parse(&select(&role)),
                active: select(&active).parse().ok(),
                page: 1,
                per_page: PER_PAGE,
            });
        })
    };
    let go = |page: u32| {
        let query = query.clone();
        Callback::from(move |_: MouseEvent| {
            query.set(UserQuery {
                page,
                ..(*query).clone()
            });
        })
    };
    let toggle = |user: &UserRecord| {
        let changes = changes.clone();
        let (id, name, on) = (user.id, user.display_name.clone(), !user.active);
        Callback::from(move |_: MouseEvent| {
            let patch = UserPatch {
                active: Some(on),
                ..UserPatch::default()
            };
            let name = name.clone();
            changes.send(client::update_user(id, patch), move |_| {
                if on {
                    format!("{name} can sign in again.")
                } else {
                    format!("{name} is deactivated and can no longer sign in.")
                }
            });
        })
    };
    let table = match &*list {
        Loadable::Loading => loading("the people"),
        Loadable::Failed(problem) => failed("The people", problem, {
            let changes = changes.clone();
            Callback::from(move |_| changes.reload())
        }),
        Loadable::Ready(page) if page.items.is_empty() => html! {
            <p class="muted" id="people-empty">{ "Nobody matches. Change the search or the filters." }</p>
        },
        Loadable::Ready(page) => {
            let pages = u32::try_from(page.total.div_ceil(u64::from(page.per_page.max(1))))
                .unwrap_or(u32::MAX)
                .max(1);
            html! {
                <>
                    <div class="table-wrap">
                        <table id="people-table" class="table">
                            <thead><tr>
                                <th scope="col">{ "Name" }</th><th scope="col">{ "Username" }</th><th scope="col">{ "Role" }</th>
                                <th scope="col">{ "Roll no." }</th><th scope="col">{ "E-mail" }</th><th scope="col">{ "Status" }</th><th scope="col" />
                            </tr></thead>
                            <tbody>
                                { for page.items.iter().map(|u| html! {
                                    <tr data-username={u.username.clone()} class={classes!((!u.active).then_some("inactive"))}>
                                        <td>{ &u.display_name }</td><td>{ &u.username }</td>
                                        <td><span class={classes!("badge", u.role.as_str())}>{ role_label(u.role) }</span></td>
                                        <td>{ u.student_no.clone().unwrap_or_default() }</td>
                                        <td>{ u.email.clone().unwrap_or_default() }</td>
                                        <td>{ if u.active { "Active" } else { "Deactivated" } }</td>
                                        <td><button class="button link toggle-active" type="button" onclick={toggle(u)}>
                                            { if u.active { "Deactivate" } else { "Reactivate" } }
                                        </button></td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    </div>
                    <nav class="pager" aria-label="Pages">
                        <button id="people-prev" class="button secondary" type="button" disabled={page.page <= 1} onclick={go(page.page.saturating_sub(1))}>{ "← Previous" }</button>
                        <span id="people-page">{ format!("Page {} of {pages} · {} people", page.page, page.total) }</span>
                        <button id="people-next" class="button secondary" type="button" disabled={page.page >= pages} onclick={go(page.page + 1)}>{ "Next →" }</button>
                    </nav>
                </>
            }
        }
    };
    let on_changed = {
        let changes = changes.clone();
        Callback::from(move |()| changes.reload())
    };
    html! {
        <section class="screen wide" aria-labelledby="people-title">
            <header class="screen-head">
                <p class="eyebrow">{ "People" }</p>
                <h2 id="people-title">{ "Students, teachers and admins" }</h2>
            </header>
            <form class="filters" {onsubmit}>
                <div class="field"><label for="people-search">{ "Search" }</label>
                    <input id="people-search" ref={search} type="search" placeholder="Name, username, e-mail or roll no." /></div>
                <div class="field"><label for="people-role">{ "Role" }</label>
                    <select id="people-role" ref={role}>
                        <option value="">{ "Everyone" }</option>
                        { for [Role::Student, Role::Teacher, Role::Admin].iter().map(|r| html! { <option value={r.as_str()}>{ role_label(*r) }</option> }) }
                    </select></div>
                <div class="field"><label for="people-active">{ "Status" }</label>
                    <select id="people-active" ref={active}>
                        <option value="">{ "Any" }</option><option value="true">{ "Active" }</option><option value="false">{ "Deactivated" }</option>
                    </select></div>
                <button id="people-find" class="button primary" type="submit">{ "Search" }</button>
            </form>
            { changes.outcome_line("people-notice") }
            { table }
            <NewPersonForm on_added={on_changed.clone()} />
            <CsvImport on_imported={on_changed} />
        </section>
    }
}

/// What the new-person form needs.
#[derive(Properties, PartialEq)]
struct NewPersonFormProps {
    on_added: Callback<()>,
}

/// Adds one account; each refused field is named.
#[component]
fn NewPersonForm(props: &NewPersonFormProps) -> Html {
    let changes = use_changes();
    let refs = [
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    ];
    let onsubmit = {
        let (refs, changes, on_added) = (refs.clone(), changes.clone(), props.on_added.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = |i: usize| {
                refs[i]
                    .cast::<HtmlInputElement>()
                    .map(|x| x.value())
                    .or_else(|| refs[i].cast::<HtmlSelectElement>().map(|x| x.value()))
                    .unwrap_or_default()
                    .trim()
                    .to_owned()
            };
            let optional = |t: String| (!t.is_empty()).then_some(t);
            let Some(role) = Role::parse(&text(2)) else {
                changes.refuse("Choose a role.");
                return;
            };
            let user = NewUser {
                username: text(0),
                display_name: text(1),
                role,
                student_no: optional(text(3)),
                email: optional(text(4)),
                password: text(5),
            };
            let on_added = on_added.clone();
            changes.submit(
                async move { client::create_user(user).await.map_err(fields_in_message) },
                move |user| {
                    on_added.emit(());
                    format!("{} ({}) can now sign in.", user.display_name, user.username)
                },
            );
        })
    };
    html! {
        <form id="person-form" class="panel" {onsubmit}>
            <h3>{ "Add a person" }</h3>
            <div class="form-grid">
                <div class="field"><label for="person-username">{ "Username" }</label><input id="person-username" ref={refs[0].clone()} autocomplete="off" /></div>
                <div class="field"><label for="person-name">{ "Full name" }</label><input id="person-name" ref={refs[1].clone()} /></div>
                <div class="field"><label for="person-role">{ "Role" }</label>
                    <select id="person-role" ref={refs[2].clone()}>
                        { for [Role::Student, Role::Teacher, Role::Admin].iter().map(|r| html! { <option value={r.as_str()}>{ role_label(*r) }</option> }) }
                    </select></div>
                <div class="field"><label for="person-roll">{ "Roll no. (students)" }</label><input id="person-roll" ref={refs[3].clone()} /></div>
                <div class="field"><label for="person-email">{ "E-mail (optional)" }</label><input id="person-email" ref={refs[4].clone()} type="email" /></div>
                <div class="field"><label for="person-password">{ "First password" }</label><input id="person-password" ref={refs[5].clone()} type="password" autocomplete="new-password" /></div>
            </div>
            { changes.outcome_line("person-outcome") }
            <button id="person-save" class="button primary" type="submit" disabled={changes.busy()}>
                if changes.busy() { <span class="spinner" aria-hidden="true" />{ "Saving…" } } else { { "Add person" } }
            </button>
        </form>
    }
}

/// A refused account names each refused field in its sentence (`field: problem; …`),
/// when the server named any.
fn fields_in_message(mut error: client::CommandError) -> client::CommandError {
    if !error.details.is_empty() {
        let fields: Vec<String> = error
            .details
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        error.message = fields.join("; ");
    }
    error
}
