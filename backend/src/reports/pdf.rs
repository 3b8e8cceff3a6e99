//! A small PDF writer for report tables: A4 pages, the standard Helvetica
//! fonts (nothing embedded, nothing fetched), a title, the period, a table
//! that continues over pages, totals, and page numbers.

use std::fmt::Write as _;

use rollcall_core::api::AttendanceReport;

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 48.0;
const ROW: f32 = 16.0;

/// Text in a PDF string literal: WinAnsi (Latin-1) characters as they are,
/// anything else as `?`, and `(`, `)`, `\` escaped.
fn literal(text: &str) -> String {
    let mut out = String::from("(");
    for c in text.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if (' '..='~').contains(&c) => out.push(c),
            c if u32::from(c) >= 0xA0 && u32::from(c) <= 0xFF => {
                let _ = write!(out, "\\{:03o}", u32::from(c));
            }
            _ => out.push('?'),
        }
    }
    out.push(')');
    out
}

struct Page {
    content: String,
    y: f32,
}

impl Page {
    fn new() -> Self {
        Self {
            content: String::new(),
            y: HEIGHT - MARGIN,
        }
    }

    fn text(&mut self, x: f32, y: f32, bold: bool, size: f32, text: &str) {
        let font = if bold { "F2" } else { "F1" };
        let _ = writeln!(
            self.content,
            "BT /{font} {size} Tf {x:.1} {y:.1} Td {} Tj ET",
            literal(text)
        );
    }

    fn rule(&mut self, y: f32) {
        let _ = writeln!(
            self.content,
            "0.6 w {MARGIN:.1} {y:.1} m {:.1} {y:.1} l S",
            WIDTH - MARGIN
        );
    }

    fn shade(&mut self, y: f32) {
        let _ = writeln!(
            self.content,
            "0.95 g {MARGIN:.1} {:.1} {:.1} {ROW:.1} re f 0 g",
            y - 4.0,
            WIDTH - 2.0 * MARGIN
        );
    }
}

/// A table document: a title, a line under it, the table continued over
/// pages with its header repeated, an optional bold totals line and a note.
#[derive(Debug)]
pub struct Table<'a> {
    /// The heading of the first page.
    pub title: &'a str,
    /// One line under the title (period, room, counts).
    pub subtitle: &'a str,
    /// What every page's footer calls the document.
    pub footer: &'a str,
    /// Each column's x position and header.
    pub columns: &'a [(f32, &'a str)],
    /// The lines, one cell per column.
    pub rows: Vec<TableRow>,
    /// A bold line under a rule after the last row.
    pub totals: Option<Vec<String>>,
    /// A small-print line at the end.
    pub note: Option<String>,
}

/// One line of a [`Table`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    /// One text per column.
    pub cells: Vec<String>,
    /// The first cell in bold (a student at risk, a flagged mark).
    pub emphasis: bool,
}

fn header(page: &mut Page, columns: &[(f32, &str)]) {
    for (x, name) in columns {
        page.text(*x, page.y, true, 9.0, name);
    }
    page.rule(page.y - 5.0);
    page.y -= ROW + 2.0;
}

/// Renders a table document as PDF.
#[must_use]
pub fn table(doc: &Table<'_>) -> Vec<u8> {
    let mut first = Page::new();
    first.text(MARGIN, first.y, true, 16.0, doc.title);
    first.y -= 22.0;
    first.text(MARGIN, first.y, false, 10.0, doc.subtitle);
    first.y -= 26.0;
    header(&mut first, doc.columns);
    let mut pages = vec![first];
    for (i, row) in doc.rows.iter().enumerate() {
        if pages.last().is_some_and(|p| p.y < MARGIN + 2.0 * ROW) {
            let mut next = Page::new();
            header(&mut next, doc.columns);
            pages.push(next);
        }
        let Some(page) = pages.last_mut() else { break };
        if i % 2 == 1 {
            page.shade(page.y);
        }
        for (n, ((x, _), cell)) in doc.columns.iter().zip(&row.cells).enumerate() {
            page.text(*x, page.y, row.emphasis && n == 0, 9.0, cell);
        }
        page.y -= ROW;
    }
    if pages.last().is_some_and(|p| p.y < MARGIN + 3.0 * ROW) {
        pages.push(Page::new());
    }
    if let Some(last) = pages.last_mut() {
        last.rule(last.y + ROW - 5.0);
        if let Some(totals) = &doc.totals {
            for ((x, _), cell) in doc.columns.iter().zip(totals) {
                last.text(*x, last.y - 4.0, true, 9.0, cell);
            }
        }
        if let Some(note) = &doc.note {
            last.text(MARGIN, last.y - 26.0, false, 8.0, note);
        }
    }
    assemble(&mut pages, doc.footer)
}

/// Column x positions and headers of the attendance report.
const REPORT_COLUMNS: [(f32, &str); 8] = [
    (MARGIN + 4.0, "Student"),
    (230.0, "Roll no."),
    (300.0, "Held"),
    (340.0, "Present"),
    (390.0, "Late"),
    (430.0, "Absent"),
    (475.0, "Excused"),
    (520.0, "%"),
];

/// Renders the attendance report as a PDF document.
#[must_use]
pub fn render(report: &AttendanceReport) -> Vec<u8> {
    let percent = |p: Option<f64>| p.map_or_else(|| "-".to_owned(), |p| format!("{p:.1}"));
    let rows = report
        .rows
        .iter()
        .map(|r| TableRow {
            cells: vec![
                if r.at_risk {
                    format!("{} *", r.student_name)
                } else {
                    r.student_name.clone()
                },
                r.student_no.clone().unwrap_or_default(),
                r.held.to_string(),
                r.present.to_string(),
                r.late.to_string(),
                r.absent.to_string(),
                r.excused.to_string(),
                percent(r.percentage),
            ],
            emphasis: r.at_risk,
        })
        .collect();
    let sum = |f: fn(&rollcall_core::api::ReportRow) -> u32| -> String {
        report.rows.iter().map(f).sum::<u32>().to_string()
    };
    let totals = vec![
        format!("Totals ({} students)", report.rows.len()),
        String::new(),
        String::new(),
        sum(|r| r.present),
        sum(|r| r.late),
        sum(|r| r.absent),
        sum(|r| r.excused),
        percent(report.overall_percentage),
    ];
    let at_risk = report.rows.iter().filter(|r| r.at_risk).count();
    let subtitle = format!(
        "Period {} to {}  |  {} sessions held  |  at risk below {:.0} %",
        report.from, report.to, report.sessions_held, report.at_risk_below
    );
    table(&Table {
        title: &report.title,
        subtitle: &subtitle,
        footer: "Rollcall attendance report",
        columns: &REPORT_COLUMNS,
        rows,
        totals: Some(totals),
        note: Some(format!(
            "* at risk: {at_risk} student(s) below {:.0} % attendance",
            report.at_risk_below
        )),
    })
}

fn assemble(pages: &mut [Page], footer: &str) -> Vec<u8> {
    let count = pages.len();
    for (n, page) in pages.iter_mut().enumerate() {
        page.text(
            WIDTH - MARGIN - 60.0,
            MARGIN - 20.0,
            false,
            8.0,
            &format!("Page {} of {count}", n + 1),
        );
        page.text(MARGIN, MARGIN - 20.0, false, 8.0, footer);
    }
    // Objects: 1 catalog, 2 pages, 3 Helvetica, 4 Helvetica-Bold, then a page
    // object and its content stream per page.
    let mut objects: Vec<String> = Vec::new();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".to_owned());
    let kids: Vec<String> = (0..count).map(|i| format!("{} 0 R", 5 + 2 * i)).collect();
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {count} >>",
        kids.join(" ")
    ));
    objects.push(
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_owned(),
    );
    objects.push(
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
            .to_owned(),
    );
    for (i, page) in pages.iter().enumerate() {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] \
             /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
            6 + 2 * i
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{}endstream",
            page.content.len(),
            page.content
        ));
    }
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        let _ = writeln!(table, "{offset:010} 00000 n ");
    }
    let _ = write!(
        table,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend_from_slice(table.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_what_pdf_needs_and_keep_latin_1() {
        assert_eq!(literal("a(b)c\\"), "(a\\(b\\)c\\\\)");
        assert_eq!(literal("Zoë"), "(Zo\\353)");
        assert_eq!(literal("狗"), "(?)");
    }
}
