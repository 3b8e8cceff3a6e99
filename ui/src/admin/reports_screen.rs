use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::attendance_chart::AttendanceChart;
use crate::client::{self, AttendanceReport, DivisionRecord, ReportFilterForm, SheetFormat};
use crate::shared::labels::percent;
use crate::shared::sign_in_guard::{failed, loading, outcome_line, Loadable, SignInGuard};

/// Attendance reports: filters, a chart, the table, and CSV/PDF export.
#[component]
pub fn ReportsScreen() -> Html {
    let guard = use_context::<SignInGuard>().unwrap_or_default();
    let divisions = use_state(Vec::<DivisionRecord>::new);
    let chosen = use_state(|| None::<uuid::Uuid>);
    let report = use_state(|| Loadable::<AttendanceReport>::Loading);
    let exporting = use_state(|| None::<SheetFormat>);
    let notice = use_state(|| None::<Result<String, String>>);
    let (division, from, to) = (use_node_ref(), use_node_ref(), use_node_ref());

    let filter = {
        let (division, from, to) = (division.clone(), from.clone(), to.clone());
        move || ReportFilterForm {
            division_id: division
                .cast::<HtmlSelectElement>()
                .and_then(|s| s.value().parse().ok()),
            from: from
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .filter(|v| !v.is_empty()),
            to: to
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .filter(|v| !v.is_empty()),
        }
    };
    let show = {
        let (guard, report, filter) = (guard.clone(), report.clone(), filter.clone());
        Callback::from(move |()| {
            let (guard, report) = (guard.clone(), report.clone());
            let filter = filter();
            report.set(Loadable::Loading);
            spawn_local(async move {
                if let Some(result) = guard.pass(client::attendance_report(filter).await) {
                    report.set(result.into());
                }
            });
        })
    };
    {
        let (guard, divisions, show) = (guard.clone(), divisions.clone(), show.clone());
        use_effect_with((), move |()| {
            show.emit(());
            spawn_local(async move {
                if let Some(Ok(list)) = guard.pass(client::list_divisions().await) {
                    divisions.set(list);
                }
            });
        });
    }
    let export = |format: SheetFormat| {
        let (guard, exporting, notice, filter) = (
            guard.clone(),
            exporting.clone(),
            notice.clone(),
            filter.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (guard, exporting, notice) = (guard.clone(), exporting.clone(), notice.clone());
            let filter = filter();
            exporting.set(Some(format));
            notice.set(None);
            spawn_local(async move {
                let Some(result) = guard.pass(client::export_report(filter, format).await) else {
                    return;
                };
                exporting.set(None);
                notice.set(Some(match result {
                    Ok(saved) => Ok(crate::shared::exports::saved_sentence(saved.as_ref())),
                    Err(error) => Err(error.message),
                }));
            });
        })
    };
    let onsubmit = {
        let show = show.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            show.emit(());
        })
    };
    let busy = exporting.is_some();
    let body = match &*report {
        Loadable::Loading => loading("the report"),
        Loadable::Failed(problem) => failed("The report", problem, show.reform(|_| ())),
        Loadable::Ready(r) => table(r),
    };
    html! {
        <section class="screen wide" aria-labelledby="reports-title">
            <header class="screen-head">
                <p class="eyebrow">{ "Reports" }</p>
                <h2 id="reports-title">{ "Attendance" }</h2>
            </header>
            <form class="filters" {onsubmit}>
                <div class="field">
                    <label for="report-division">{ "Division" }</label>
                    <select id="report-division" ref={division} onchange={
                        let chosen = chosen.clone();
                        Callback::from(move |e: Event| {
                            let value = e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value());
                            chosen.set(value.and_then(|v| v.parse().ok()));
                        })
                    }>
                        <option value="" selected={chosen.is_none()}>{ "All divisions" }</option>
                        { for divisions.iter().map(|d| html! {
                            <option value={d.id.to_string()} selected={*chosen == Some(d.id)}>
                                { format!("{} · {}", d.code, d.name) }
                            </option>
                        }) }
                    </select>
                </div>
                <div class="field">
                    <label for="report-from">{ "From" }</label>
                    <input id="report-from" ref={from} type="date" />
                </div>
                <div class="field">
                    <label for="report-to">{ "To" }</label>
                    <input id="report-to" ref={to} type="date" />
                </div>
                <button id="report-show" class="button primary" type="submit">{ "Show" }</button>
                <button id="report-csv" class="button secondary" type="button" disabled={busy} onclick={export(SheetFormat::Csv)}>
                    if *exporting == Some(SheetFormat::Csv) { <span class="spinner dark" aria-hidden="true" />{ "Saving…" } } else { { "Export CSV" } }
                </button>
                <button id="report-pdf" class="button secondary" type="button" disabled={busy} onclick={export(SheetFormat::Pdf)}>
                    if *exporting == Some(SheetFormat::Pdf) { <span class="spinner dark" aria-hidden="true" />{ "Saving…" } } else { { "Export PDF" } }
                </button>
            </form>
            { outcome_line("report-notice", &notice) }
            { body }
        </section>
    }
}

fn table(r: &AttendanceReport) -> Html {
    html! {
        <>
            <p class="muted" id="report-summary">
                { format!("{} · {} to {} · {} classes held · overall {}", r.title, r.from, r.to, r.sessions_held, percent(r.overall_percentage)) }
            </p>
            <section class="panel"><AttendanceChart daily={r.daily.clone()} /></section>
            if r.rows.is_empty() {
                <p class="muted">{ "No students match these filters." }</p>
            } else {
                <div class="table-wrap">
                    <table id="report-table" class="table">
                        <thead><tr>
                            <th scope="col">{ "Student" }</th><th scope="col">{ "Roll no." }</th>
                            <th scope="col" class="num">{ "Held" }</th><th scope="col" class="num">{ "Present" }</th>
                            <th scope="col" class="num">{ "Late" }</th><th scope="col" class="num">{ "Absent" }</th>
                            <th scope="col" class="num">{ "Excused" }</th><th scope="col" class="num">{ "%" }</th>
                        </tr></thead>
                        <tbody>
                            { for r.rows.iter().map(|row| html! {
                                <tr class={classes!(row.at_risk.then_some("at-risk"))}>
                                    <td>{ &row.student_name }</td>
                                    <td>{ row.student_no.clone().unwrap_or_default() }</td>
                                    <td class="num">{ row.held }</td><td class="num">{ row.present }</td>
                                    <td class="num">{ row.late }</td><td class="num">{ row.absent }</td>
                                    <td class="num">{ row.excused }</td><td class="num">{ percent(row.percentage) }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            }
        </>
    }
}
