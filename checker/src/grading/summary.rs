//! `summary.md`: a Markdown page for a CI step summary.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{RunInfo, SubmissionResult};
use crate::judge::Failure;
use crate::report::points;

/// Rows of the per-submission table before it is cut (a step summary holds 1 MiB).
const MAX_ROWS: usize = 2000;

/// The Markdown text.
pub fn summary(info: &RunInfo, results: &[SubmissionResult]) -> String {
    let mut out = String::from("## threadlings grades\n\n");
    let shard = info
        .shard
        .map(|s| format!(" (shard {}/{})", s.index, s.count))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{} of {} submissions graded{shard}{} in {:.0} s.\n",
        results.len(),
        info.submissions.len(),
        if info.finished { "" } else { " so far" },
        info.seconds
    );
    if !info.sandbox.is_empty() {
        let _ = writeln!(out, "Sandbox: {}.\n", info.sandbox);
    }
    if !results.is_empty() {
        let mut totals: Vec<f64> = results.iter().map(SubmissionResult::points).collect();
        totals.sort_by(f64::total_cmp);
        let mean = totals.iter().sum::<f64>() / totals.len() as f64;
        let median = totals[totals.len() / 2];
        let max = results
            .iter()
            .map(SubmissionResult::max_points)
            .fold(0.0, f64::max);
        let _ = writeln!(
            out,
            "Mean {:.1}, median {}, lowest {}, highest {} of {} points.\n",
            mean,
            points(median),
            points(totals[0]),
            points(totals[totals.len() - 1]),
            points(max)
        );
    }

    // The class table.
    let _ = write!(out, "| submission | total |");
    for topic in &info.topics {
        let _ = write!(out, " {} |", cell(topic));
    }
    out.push_str("\n|---|---:|");
    for _ in &info.topics {
        out.push_str("---:|");
    }
    out.push('\n');
    for result in results.iter().take(MAX_ROWS) {
        let _ = write!(
            out,
            "| {} | {}/{} |",
            cell(&result.id),
            points(result.points()),
            points(result.max_points())
        );
        for topic in &info.topics {
            let text = result
                .report
                .topics
                .iter()
                .find(|t| &t.topic == topic)
                .map(|t| {
                    let mark = match &t.problem {
                        Some(Failure::CompileError { .. }) => " ⚠ compile error",
                        Some(Failure::BadSubmission { .. }) => " ⚠ bad submission",
                        Some(Failure::CheckerError { .. }) => " ⚠ checker error",
                        _ => "",
                    };
                    format!("{}{mark}", points(t.points()))
                })
                .unwrap_or_else(|| "–".into());
            let _ = write!(out, " {text} |");
        }
        out.push('\n');
    }
    if results.len() > MAX_ROWS {
        let _ = writeln!(
            out,
            "\n… {} more rows in grades.csv.",
            results.len() - MAX_ROWS
        );
    }

    // The tests failed most often.
    let mut failed: BTreeMap<(String, String), usize> = BTreeMap::new();
    for result in results {
        for topic in &result.report.topics {
            for test in &topic.tests {
                if !test.verdict.passed() {
                    *failed
                        .entry((topic.topic.clone(), test.name.clone()))
                        .or_default() += 1;
                }
            }
        }
    }
    if !failed.is_empty() {
        let mut ranked: Vec<_> = failed.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out.push_str(
            "\n### Tests failed most often\n\n| topic | test | failed by |\n|---|---|---:|\n",
        );
        for ((topic, test), count) in ranked.into_iter().take(15) {
            let _ = writeln!(out, "| {} | {} | {count} |", cell(&topic), cell(&test));
        }
    }

    // Problems that need a person.
    let mut problems = Vec::new();
    for result in results {
        if let Some(problem) = &result.problem {
            problems.push(format!("**{}**: {}", cell(&result.id), first_line(problem)));
        }
        for topic in &result.report.topics {
            if let Some(problem) = &topic.problem {
                problems.push(format!(
                    "**{}** {}: {}",
                    cell(&result.id),
                    topic.topic,
                    first_line(&problem.message())
                ));
            }
        }
    }
    if !problems.is_empty() {
        out.push_str("\n### Problems\n\n");
        for p in problems.iter().take(200) {
            let _ = writeln!(out, "- {p}");
        }
        if problems.len() > 200 {
            let _ = writeln!(out, "- … {} more", problems.len() - 200);
        }
    }
    let missing: Vec<&String> = info
        .submissions
        .iter()
        .filter(|id| !results.iter().any(|r| &r.id == *id))
        .collect();
    if info.finished && !missing.is_empty() {
        let _ = writeln!(
            out,
            "\n{} submissions have no results: {}",
            missing.len(),
            missing
                .iter()
                .map(|s| cell(s))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out
}

fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let line: String = line.chars().take(200).collect();
    cell(&line)
}

/// Text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace(['\n', '\r'], " ")
        .replace('<', "&lt;")
}
