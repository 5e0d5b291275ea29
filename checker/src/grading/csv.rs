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

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    /// The bytes of grades.csv for the sample class, as they were before the
    /// `csv` crate wrote them.
    #[test]
    fn grades_csv_golden() {
        let expected = concat!(
            "submission,total,max,01_thread_basics,02_join_all\n",
            "alice,2.5,15.5,2.5,0\n",
            "\"bob \"\"the builder\"\", jr\",2.5,15.5,2.5,0\n",
            "\"=HYPERLINK(\"\"http://x\"\";\"\"y\"\")\",2.5,15.5,2.5,0\n",
            "\"carol\n",
            "line two\",2.5,8.5,2.5,\n",
        );
        assert_eq!(grades(&sample::topics(), &sample::class()), expected);
    }

    /// Every hostile id reads back as itself, one record per submission.
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
            assert_eq!(record[0], result.id);
        }
        assert_eq!(
            parse_line(text.lines().nth(2).unwrap_or_default())[0],
            class[1].id
        );
    }

    #[test]
    fn fields_are_quoted_only_where_needed() {
        assert_eq!(field("plain id"), "plain id");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("cr\r"), "\"cr\r\"");
        assert_eq!(field(""), "");
    }
}
