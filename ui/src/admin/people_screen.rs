use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::csv_import::CsvImport;
use crate::client::{self, NewUser, Page, Role, UserPatch, UserQuery, UserRecord};
use crate::shared::labels::role_label;
use crate::shared::sign_in_guard::{failed, loading, outcome_line, Loadable, SignInGuard};

const PER_PAGE: u32 = 25;

/// The people: search, filters and pages; add one; deactivate or reactivate;
/// import many from CSV.
#[component]
pub fn PeopleScreen() -> Html {
    let guard = use_context::<SignInGuard>().unwrap_or_default();
    let query = use_state(|| UserQuery {
        per_page: PER_PAGE,
        page: 1,
        ..UserQuery::default()
    });
    let list = use_state(|| Loadable::<Page<UserRecord>>::Loading);
    let notice = use_state(|| None::<Result<String, String>>);
    let reload = use_state(|| 0_u32);
    let (search, role, active) = (use_node_ref(), use_node_ref(), use_node_ref());
    {
        let (guard, list) = (guard.clone(), list.clone());
        use_effect_with(((*query).clone(), *reload), move |(q, _)| {
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
        let (guard, notice, reload) = (guard.clone(), notice.clone(), reload.clone());
        let (id, name, on) = (user.id, user.display_name.clone(), !user.active);
        Callback::from(move |_: MouseEvent| {
            let (guard, notice, reload, name) =
                (guard.clone(), notice.clone(), reload.clone(), name.clone());
            spawn_local(async move {
                let patch = UserPatch {
                    active: Some(on),
                    ..UserPatch::default()
                };
                let Some(result) = guard.pass(client::update_user(id, patch).await) else {
                    return;
                };
                notice.set(Some(match result {
                    Ok(_) if on => Ok(format!("{name} can sign in again.")),
                    Ok(_) => Ok(format!("{name} is deactivated and can no longer sign in.")),
                    Err(error) => Err(error.message),
                }));
                reload.set(*reload + 1);
            });
        })
    };
    let table = match &*list {
        Loadable::Loading => loading("the people"),
        Loadable::Failed(problem) => failed("The people", problem, {
            let reload = reload.clone();
            Callback::from(move |_| reload.set(*reload + 1))
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
        let reload = reload.clone();
        Callback::from(move |()| reload.set(*reload + 1))
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
            { outcome_line("people-notice", &notice) }
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
    let guard = use_context::<SignInGuard>().unwrap_or_default();
    let refs = [
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    ];
    let outcome = use_state(|| None::<Result<String, String>>);
    let saving = use_state(|| false);
    let onsubmit = {
        let (refs, outcome, saving, on_added) = (
            refs.clone(),
            outcome.clone(),
            saving.clone(),
            props.on_added.clone(),
        );
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
                outcome.set(Some(Err("Choose a role.".to_owned())));
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
            saving.set(true);
            outcome.set(None);
            let (guard, outcome, saving, on_added) = (
                guard.clone(),
                outcome.clone(),
                saving.clone(),
                on_added.clone(),
            );
            spawn_local(async move {
                let Some(result) = guard.pass(client::create_user(user).await) else {
                    return;
                };
                saving.set(false);
                match result {
                    Ok(user) => {
                        outcome.set(Some(Ok(format!(
                            "{} ({}) can now sign in.",
                            user.display_name, user.username
                        ))));
                        on_added.emit(());
                    }
                    Err(error) => {
                        let fields: Vec<String> = error
                            .details
                            .iter()
                            .map(|(k, v)| format!("{k}: {v}"))
                            .collect();
                        outcome.set(Some(Err(if fields.is_empty() {
                            error.message
                        } else {
                            fields.join("; ")
                        })));
                    }
                }
            });
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
            { outcome_line("person-outcome", &outcome) }
            <button id="person-save" class="button primary" type="submit" disabled={*saving}>
                if *saving { <span class="spinner" aria-hidden="true" />{ "Saving…" } } else { { "Add person" } }
            </button>
        </form>
    }
}
