//! `GET /api/v1/docs`: a readable page rendered from the OpenAPI document on
//! the server, with nothing fetched from elsewhere.

use std::fmt::Write as _;

use utoipa::openapi::path::Operation;
use utoipa::openapi::{OpenApi, RefOr};

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn content_names<'a>(
    content: impl IntoIterator<Item = (&'a String, &'a utoipa::openapi::Content)>,
) -> String {
    content
        .into_iter()
        .map(|(mime, c)| {
            let schema = match &c.schema {
                Some(RefOr::Ref(r)) => r.ref_location.rsplit('/').next().unwrap_or("").to_owned(),
                Some(RefOr::T(_)) => "inline".to_owned(),
                None => String::new(),
            };
            format!("{schema} <small>({mime})</small>")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn operation(out: &mut String, method: &str, path: &str, op: &Operation) {
    let summary = op.summary.as_deref().unwrap_or("");
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let _ = write!(
        out,
        "<section class=op><h3><span class=\"m {m}\">{M}</span> <code>{p}</code>{lock}</h3><p>{s}</p>",
        m = method,
        M = method.to_uppercase(),
        p = escape(path),
        lock = if secured { " <span class=lock>bearer</span>" } else { "" },
        s = escape(summary)
    );
    if let Some(params) = op.parameters.as_ref().filter(|p| !p.is_empty()) {
        out.push_str("<p><b>Parameters:</b> ");
        let names: Vec<String> = params
            .iter()
            .map(|p| {
                let place = match p.parameter_in {
                    utoipa::openapi::path::ParameterIn::Path => "path",
                    utoipa::openapi::path::ParameterIn::Query => "query",
                    utoipa::openapi::path::ParameterIn::Header => "header",
                    utoipa::openapi::path::ParameterIn::Cookie => "cookie",
                };
                format!("<code>{}</code> <small>({place})</small>", escape(&p.name))
            })
            .collect();
        out.push_str(&names.join(", "));
        out.push_str("</p>");
    }
    if let Some(body) = &op.request_body {
        let _ = write!(out, "<p><b>Body:</b> {}</p>", content_names(&body.content));
    }
    out.push_str("<ul>");
    for (status, resp) in &op.responses.responses {
        if let RefOr::T(resp) = resp {
            let _ = write!(
                out,
                "<li><b>{}</b> {} {}</li>",
                escape(status),
                escape(&resp.description),
                content_names(&resp.content)
            );
        }
    }
    out.push_str("</ul></section>");
}

/// The page, rendered once at start.
#[must_use]
pub fn page(doc: &OpenApi) -> String {
    let mut out = String::from(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Rollcall API</title>\
         <style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;\
         padding:0 1rem;color:#1d2433}h1{margin-bottom:0}code{font-size:14px}\
         .op{border:1px solid #dde3ec;border-radius:8px;padding:.5rem 1rem;margin:.75rem 0}\
         .op h3{margin:.3rem 0;font-size:16px}.m{display:inline-block;min-width:4.2em;\
         text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:2px 6px}\
         .get{background:#2f7d4f}.post{background:#2c5fa8}.patch{background:#8a5a00}\
         .put{background:#6b3fa0}.delete{background:#a8322c}.lock{font-size:12px;color:#8a5a00}\
         small{color:#667}</style></head><body>",
    );
    let _ = write!(
        out,
        "<h1>{}</h1><p>{}</p><p>Machine-readable: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a> \
         (OpenAPI 3.1). Send <code>Authorization: Bearer &lt;access token&gt;</code> where marked.</p>",
        escape(&doc.info.title),
        escape(doc.info.description.as_deref().unwrap_or(""))
    );
    for (path, item) in &doc.paths.paths {
        let ops = [
            ("get", &item.get),
            ("post", &item.post),
            ("put", &item.put),
            ("patch", &item.patch),
            ("delete", &item.delete),
        ];
        for (method, op) in ops {
            if let Some(op) = op {
                operation(&mut out, method, path, op);
            }
        }
    }
    out.push_str("</body></html>");
    out
}
