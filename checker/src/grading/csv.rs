//! `grades.csv`: `submission,total,max,<one column per topic directory name>`.
//!
//! Written with the `csv` crate (RFC 4180: a field is quoted when it holds a
//! comma, a quote or a line break; `\n` line ends). The submission id is the
//! one field a student may choose; an id a spreadsheet would take for a formula
//! gets a leading `'` (see [`id_cell`]).

use std::borrow::Cow;

use super::SubmissionResult;
use crate::report::points;

/// The CSV text.
pub fn grades(topics: &[String], results: &[SubmissionResult]) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let mut rows = Vec::with_capacity(results.len() + 1);
    let mut header = vec!["submission".to_owned(), "total".into(), "max".into()];
    header.extend(topics.iter().cloned());
    rows.push(header);
    for result in results {
        let mut row = vec![
            id_cell(&result.id).into_owned(),
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
        rows.push(row);
    }
    for row in rows {
        writer
            .write_record(&row)
            .expect("writing CSV to memory cannot fail");
    }
    let bytes = writer
        .into_inner()
        .expect("writing CSV to memory cannot fail");
    String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8")
}

/// An id as a spreadsheet shows it: one starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return would be run as a formula on import (CSV
/// injection), so it is kept as text with a leading `'` (OWASP's advice).
pub fn id_cell(id: &str) -> Cow<'_, str> {
    if id.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{id}"))
    } else {
        Cow::Borrowed(id)
    }
}

/// Splits one CSV line into its fields (quotes removed, `""` read as `"`).
pub fn parse_line(line: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(line.as_bytes());
    match reader.records().next() {
        Some(Ok(record)) => record.iter().map(str::to_owned).collect(),
        // An empty line is one empty field; a line that is not CSV, its text.
        _ => vec![line.to_owned()],
    }
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    /// The bytes of grades.csv for the sample class: as they were before the
    /// `csv` crate wrote them, but for the formula id.
    #[test]
    fn grades_csv_golden() {
        let expected = concat!(
            "submission,total,max,01_thread_basics,02_join_all\n",
            "alice,2.5,15.5,2.5,0\n",
            "\"bob \"\"the builder\"\", jr\",2.5,15.5,2.5,0\n",
            // The one change since: a formula id is kept as text (see `id_cell`).
            "\"'=HYPERLINK(\"\"http://x\"\";\"\"y\"\")\",2.5,15.5,2.5,0\n",
            "\"carol\n",
            "line two\",2.5,8.5,2.5,\n",
        );
        assert_eq!(grades(&sample::topics(), &sample::class()), expected);
    }

    /// Every hostile id reads back as itself (a formula id with its `'`), one
    /// record per submission.
    #[test]
    fn hostile_ids_read_back_whole() {
        let class = sample::class();
        let text = grades(&sample::topics(), &class);
        let records: Vec<Vec<String>> = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| r.expect("valid CSV").iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(records.len(), class.len() + 1);
        for (record, result) in records[1..].iter().zip(&class) {
            assert_eq!(record.len(), 5, "{record:?}");
            assert_eq!(record[0], id_cell(&result.id));
        }
        assert_eq!(
            parse_line(text.lines().nth(2).unwrap_or_default())[0],
            class[1].id
        );
        assert_eq!(records[3][0], format!("'{}", class[2].id));
    }

    /// The row of a submission with this id (no topic columns).
    fn row(id: &str) -> String {
        let mut result = sample::class().swap_remove(0);
        result.id = id.to_owned();
        let text = grades(&[], &[result]);
        text.split_once('\n').unwrap_or_default().1.to_owned()
    }

    #[test]
    fn ids_are_quoted_only_where_needed() {
        assert_eq!(row("plain id"), "plain id,2.5,15.5\n");
        assert_eq!(row("a,b"), "\"a,b\",2.5,15.5\n");
        assert_eq!(row("say \"hi\""), "\"say \"\"hi\"\"\",2.5,15.5\n");
        assert_eq!(row("two\nlines"), "\"two\nlines\",2.5,15.5\n");
        assert_eq!(row("cr\rhere"), "\"cr\rhere\",2.5,15.5\n");
        assert_eq!(row(""), ",2.5,15.5\n");
    }

    /// Ids a spreadsheet would run as formulas are kept as text.
    #[test]
    fn formula_ids_are_neutralised() {
        for id in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"] {
            assert_eq!(id_cell(id), format!("'{id}"));
            assert!(
                row(id).starts_with("'") || row(id).starts_with("\"'"),
                "{id:?}"
            );
        }
        assert_eq!(row("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0,2.5,15.5\n");
        for id in ["alice", "1=1", "a-b", "o'neil"] {
            assert_eq!(id_cell(id), id);
        }
    }

    #[test]
    fn parse_line_reads_quoted_fields() {
        assert_eq!(parse_line("a,\"b,c\",\"d\"\"e\""), ["a", "b,c", "d\"e"]);
        assert_eq!(parse_line("x,,y"), ["x", "", "y"]);
        assert_eq!(parse_line(""), [""]);
    }
}
