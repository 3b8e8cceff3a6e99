use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::csv_preview::{preview, problems_by_line, CsvPreview};
use crate::client;
use crate::shared::sign_in_guard::SignInGuard;

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
    /// Being imported.
    Importing,
    /// Imported this many.
    Imported(u32),
    /// Refused: a sentence, and the bad lines.
    Refused {
        message: String,
        lines: Vec<(u32, String)>,
    },
}

/// Import accounts from a CSV file: a preview of the first rows first, then all or
/// nothing, every bad line explained.
#[component]
pub fn CsvImport(props: &CsvImportProps) -> Html {
    let guard = use_context::<SignInGuard>().unwrap_or_default();
    let stage = use_state(|| Stage::Empty);
    let onchange = {
        let stage = stage.clone();
        Callback::from(move |e: Event| {
            let Some(file) = e
                .target_dyn_into::<HtmlInputElement>()
                .and_then(|i| i.files())
                .and_then(|files| files.get(0))
            else {
                return;
            };
            let stage = stage.clone();
            spawn_local(async move {
                let text = JsFuture::from(file.text())
                    .await
                    .ok()
                    .and_then(|v| v.as_string());
                stage.set(
                    match text.as_deref().and_then(|t| preview(t).map(|p| (t, p))) {
                        Some((text, preview)) => Stage::Previewed {
                            text: text.to_owned(),
                            preview,
                        },
                        None => Stage::Refused {
                            message:
                                "That file has no header line; it does not look like a CSV file."
                                    .to_owned(),
                            lines: Vec::new(),
                        },
                    },
                );
            });
        })
    };
    let import = {
        let (guard, stage, on_imported) = (guard, stage.clone(), props.on_imported.clone());
        Callback::from(move |_: MouseEvent| {
            let Stage::Previewed { text, .. } = &*stage else {
                return;
            };
            let text = text.clone();
            stage.set(Stage::Importing);
            let (guard, stage, on_imported) = (guard.clone(), stage.clone(), on_imported.clone());
            spawn_local(async move {
                let Some(result) = guard.pass(client::import_users(text).await) else {
                    return;
                };
                match result {
                    Ok(report) => {
                        stage.set(Stage::Imported(report.imported));
                        on_imported.emit(());
                    }
                    Err(error) => stage.set(Stage::Refused {
                        lines: problems_by_line(&error.details),
                        message: error.message,
                    }),
                }
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
        Stage::Importing => {
            html! { <p aria-busy="true"><span class="spinner dark" aria-hidden="true" />{ " Importing…" }</p> }
        }
        Stage::Imported(n) => {
            html! { <p id="import-outcome" class="notice done" role="status">{ format!("Imported {n} account(s).") }</p> }
        }
        Stage::Refused { message, lines } => html! {
            <div id="import-outcome" class="notice problem" role="alert">
                <p>{ message }</p>
                if !lines.is_empty() {
                    <ul id="import-errors">{ for lines.iter().map(|(n, m)| html! { <li>{ format!("Line {n}: {m}") }</li> }) }</ul>
                }
            </div>
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
