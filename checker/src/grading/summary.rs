//! `summary.md`: a Markdown page for a CI step summary.

use std::fmt::Write as _;

use super::class::{self, BUCKETS, ClassStats};
use super::{RunInfo, SubmissionResult};
use crate::judge::Failure;
use crate::report::points;

/// Rows of the per-submission table before it is cut (a step summary holds 1 MiB).
const MAX_ROWS: usize = 2000;

/// The Markdown text.
pub fn summary(info: &RunInfo, results: &[SubmissionResult]) -> String {
    let mut out = String::from("## threadlings grades\n\n");
    let _ = writeln!(out, "{}.\n", class::progress_line(info, results));
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

    out.push_str(&class_sections(&class::stats(info, results)));
    out
}

/// Rows of the pass-rate table (every test is in report.html).
const MAX_TEST_ROWS: usize = 30;
/// Lines of the list of ungraded submissions and topics.
const MAX_UNGRADED: usize = 200;

/// The class at a glance: histograms, pass rates, flaky tests, failure kinds,
/// what could not be graded (the numbers of [`class::stats`]).
fn class_sections(stats: &ClassStats) -> String {
    let mut out = String::new();
    if stats
        .histograms
        .iter()
        .any(|h| h.counts.iter().any(|&c| c > 0))
    {
        out.push_str(
            "\n### Scores per topic\n\nSubmissions by share of the topic's points.\n\n| topic |",
        );
        for bucket in BUCKETS {
            let _ = write!(out, " {bucket} |");
        }
        out.push_str("\n|---|");
        for _ in BUCKETS {
            out.push_str("---:|");
        }
        out.push('\n');
        for h in &stats.histograms {
            let _ = write!(out, "| {} |", cell(&h.topic));
            for count in &h.counts {
                let _ = write!(out, " {count} |");
            }
            out.push('\n');
        }
    }

    if !stats.tests.is_empty() {
        out.push_str(
            "\n### Pass rate per test, hardest first\n\n| topic | test | task | passed | rate |\n|---|---|---|---:|---:|\n",
        );
        for t in stats.tests.iter().take(MAX_TEST_ROWS) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {}/{} | {:.0}% |",
                cell(&t.topic),
                cell(&t.test),
                cell(&t.task),
                t.passed,
                t.graded,
                t.rate() * 100.0
            );
        }
        if stats.tests.len() > MAX_TEST_ROWS {
            let _ = writeln!(
                out,
                "\n… {} more tests in report.html.",
                stats.tests.len() - MAX_TEST_ROWS
            );
        }
    }

    if !stats.flaky.is_empty() {
        out.push_str(
            "\n### Flaky tests\n\nPassed some repeated runs and failed others (`--repeat`).\n\n| topic | test | flaky in | runs passed |\n|---|---|---:|---:|\n",
        );
        for f in &stats.flaky {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {}/{} |",
                cell(&f.topic),
                cell(&f.test),
                f.submissions,
                f.runs_passed,
                f.runs
            );
        }
    }

    if !stats.tasks.is_empty() {
        out.push_str(
            "\n### Most common failures per task\n\n| topic | task | failed tests | kinds |\n|---|---|---:|---|\n",
        );
        for t in &stats.tasks {
            let kinds: Vec<String> = t
                .kinds
                .iter()
                .take(4)
                .map(|(kind, count)| format!("{} ×{count}", kind.label()))
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                cell(&t.topic),
                cell(&t.task),
                t.failed,
                kinds.join(", ")
            );
        }
    }

    if !stats.ungraded.is_empty() {
        out.push_str("\n### Problems: not graded\n\n");
        for u in stats.ungraded.iter().take(MAX_UNGRADED) {
            let topic = u
                .topic
                .as_deref()
                .map(|t| format!(" {}", cell(t)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "- **{}**{topic} ({}): {}",
                cell(&u.id),
                u.kind,
                cell(&u.why)
            );
        }
        if stats.ungraded.len() > MAX_UNGRADED {
            let _ = writeln!(out, "- … {} more", stats.ungraded.len() - MAX_UNGRADED);
        }
    }
    out
}

/// Text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace(['\n', '\r'], " ")
        .replace('<', "&lt;")
}
