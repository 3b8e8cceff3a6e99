use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::changes::use_changes;
use super::csv_preview::{preview, problems_by_line, CsvPreview};
use crate::client;

/// What the CSV import needs.
#[derive(Properties, PartialEq)]
pub struct CsvImportProps {
    /// Called after accounts were imported.
    pub on_imported: Callback<()>,
}

/// Where the import is.
#[derive(Debug, Clone, PartialEq)]
enum Stage {
    /// No file chosen.
    Empty,
    /// A file read and previewed, not sent.
    Previewed { text: String, preview: CsvPreview },
    /// Importing, or how it went (or why the file could not be read): as the
    /// changes say, a refusal with its bad lines.
    Outcome,
}

/// Import accounts from a CSV file: a preview of the first rows first, then all or
/// nothing, every bad line explained.
#[component]
pub fn CsvImport(props: &CsvImportProps) -> Html {
    let changes = use_changes();
    let stage = use_state(|| Stage::Empty);
    let onchange = {
        let (stage, changes) = (stage.clone(), changes.clone());
        Callback::from(move |e: Event| {
            let Some(file) = e
                .target_dyn_into::<HtmlInputElement>()
                .and_then(|i| i.files())
                .and_then(|files| files.get(0))
            else {
                return;
            };
            let (stage, changes) = (stage.clone(), changes.clone());
            spawn_local(async move {
                let text = JsFuture::from(file.text())
                    .await
                    .ok()
                    .and_then(|v| v.as_string());
                match text.as_deref().and_then(|t| preview(t).map(|p| (t, p))) {
                    Some((text, preview)) => stage.set(Stage::Previewed {
                        text: text.to_owned(),
                        preview,
                    }),
                    None => {
                        changes.refuse(
                            "That file has no header line; it does not look like a CSV file.",
                        );
                        stage.set(Stage::Outcome);
                    }
                }
            });
        })
    };
    let import = {
        let (changes, stage, on_imported) =
            (changes.clone(), stage.clone(), props.on_imported.clone());
        Callback::from(move |_: MouseEvent| {
            let Stage::Previewed { text, .. } = &*stage else {
                return;
            };
            let text = text.clone();
            stage.set(Stage::Outcome);
            let on_imported = on_imported.clone();
            changes.submit(client::import_users(text), move |report| {
                on_imported.emit(());
                format!("Imported {} account(s).", report.imported)
            });
        })
    };
    let body = match &*stage {
        Stage::Empty => html! {
            <p class="muted small">{ "Columns: username, email, display_name, role, student_no, password (in any order, after a header line)." }</p>
        },
        Stage::Previewed { preview, .. } => html! {
            <>
                <p id="import-summary">{ format!("{} row(s) in the file; the first {} are shown. Nothing is written until you import.", preview.total, preview.rows.len()) }</p>
                <div class="table-wrap">
                    <table id="import-preview" class="table">
                        <thead><tr>{ for preview.columns.iter().map(|c| html! { <th scope="col">{ c }</th> }) }</tr></thead>
                        <tbody>{ for preview.rows.iter().map(|r| html! { <tr>{ for r.iter().map(|c| html! { <td>{ c }</td> }) }</tr> }) }</tbody>
                    </table>
                </div>
                <button id="import-go" class="button primary" type="button" onclick={import}>{ format!("Import {} row(s)", preview.total) }</button>
            </>
        },
        Stage::Outcome if changes.busy() => {
            html! { <p aria-busy="true"><span class="spinner dark" aria-hidden="true" />{ " Importing…" }</p> }
        }
        Stage::Outcome => match changes.outcome() {
            Some(Err(message)) => {
                let lines = problems_by_line(changes.problems());
                html! {
                    <div id="import-outcome" class="notice problem" role="alert">
                        <p>{ message }</p>
                        if !lines.is_empty() {
                            <ul id="import-errors">{ for lines.iter().map(|(n, m)| html! { <li>{ format!("Line {n}: {m}") }</li> }) }</ul>
                        }
                    </div>
                }
            }
            _ => changes.outcome_line("import-outcome"),
        },
    };
    html! {
        <section id="csv-import" class="panel">
            <h3>{ "Import from a CSV file" }</h3>
            <div class="field">
                <label for="import-file">{ "File" }</label>
                <input id="import-file" type="file" accept=".csv,text/csv" {onchange} />
            </div>
            { body }
        </section>
    }
}
