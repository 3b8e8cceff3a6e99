//! What an admin sees of a CSV file before importing it, and the server's
//! per-line problems in line order. Passwords are never shown.

use std::collections::BTreeMap;

/// The first rows of a CSV file, as a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvPreview {
    /// The header line's names.
    pub columns: Vec<String>,
    /// Up to [`PREVIEW_ROWS`] rows, passwords masked.
    pub rows: Vec<Vec<String>>,
    /// Rows in the whole file (without the header and blank lines).
    pub total: usize,
}

/// How many rows the preview shows.
pub const PREVIEW_ROWS: usize = 10;

/// Splits one CSV line into fields: commas separate, double quotes group, `""`
/// inside quotes is a quote.
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    out.push(field);
    out.into_iter().map(|f| f.trim().to_owned()).collect()
}

/// The preview of `text`, or `None` for a file without a header line.
#[must_use]
pub fn preview(text: &str) -> Option<CsvPreview> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let columns = fields(lines.next()?);
    let secret = columns
        .iter()
        .position(|c| c.eq_ignore_ascii_case("password"));
    let mut rows = Vec::new();
    let mut total = 0;
    for line in lines {
        total += 1;
        if rows.len() < PREVIEW_ROWS {
            let mut row = fields(line);
            if let Some(cell) = secret.and_then(|i| row.get_mut(i)) {
                *cell = "•".repeat(cell.chars().count().min(8));
            }
            rows.push(row);
        }
    }
    Some(CsvPreview {
        columns,
        rows,
        total,
    })
}

/// The server's `details` of a refused import (`"line 3" → "…"`) in line order.
#[must_use]
pub fn problems_by_line(details: &BTreeMap<String, String>) -> Vec<(u32, String)> {
    let mut lines: Vec<(u32, String)> = details
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("line ")
                .and_then(|n| n.parse().ok())
                .map(|n| (n, v.clone()))
        })
        .collect();
    lines.sort_by_key(|(n, _)| *n);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preview_reads_quotes_and_masks_passwords() {
        let text = "username,display_name,role,password\n\
                    ada,\"Lovelace, Ada\",teacher,secret-pass\n\n\
                    bob,\"Bob \"\"B\"\" Jones\",student,x\n";
        let p = preview(text).unwrap();
        assert_eq!(p.columns, ["username", "display_name", "role", "password"]);
        assert_eq!(p.total, 2);
        assert_eq!(p.rows[0], ["ada", "Lovelace, Ada", "teacher", "••••••••"]);
        assert_eq!(p.rows[1][1], "Bob \"B\" Jones");
        assert_eq!(preview("\n\n"), None);
    }

    #[test]
    fn problems_come_in_line_order() {
        let details: BTreeMap<String, String> = [
            ("line 10".to_owned(), "role: unknown".to_owned()),
            ("line 3".to_owned(), "username: taken".to_owned()),
            ("field".to_owned(), "ignored".to_owned()),
        ]
        .into();
        assert_eq!(
            problems_by_line(&details),
            [
                (3, "username: taken".to_owned()),
                (10, "role: unknown".to_owned())
            ]
        );
    }
}
