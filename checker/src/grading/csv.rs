//! `grades.csv`: `submission,total,max,<one column per topic directory name>`.

use super::SubmissionResult;
use crate::report::points;

/// The CSV text (RFC 4180 quoting where needed, `\n` line ends).
pub fn grades(topics: &[String], results: &[SubmissionResult]) -> String {
    let mut out = String::new();
    let mut header = vec!["submission".to_owned(), "total".into(), "max".into()];
    header.extend(topics.iter().cloned());
    push_row(&mut out, &header);
    for result in results {
        let mut row = vec![
            result.id.clone(),
            points(result.points()),
            points(result.max_points()),
        ];
        for topic in topics {
            row.push(
                result
                    .report
                    .topics
                    .iter()
                    .find(|t| &t.topic == topic)
                    .map(|t| points(t.points()))
                    .unwrap_or_default(),
            );
        }
        push_row(&mut out, &row);
    }
    out
}

fn push_row(out: &mut String, fields: &[String]) {
    let line: Vec<String> = fields.iter().map(|f| field(f)).collect();
    out.push_str(&line.join(","));
    out.push('\n');
}

/// Quotes a field holding a comma, quote or line break.
pub fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Splits one CSV line into fields (the inverse of [`field`] for one line).
pub fn parse_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    fields.push(current);
    fields
}
