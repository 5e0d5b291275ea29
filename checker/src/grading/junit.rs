//! `junit.xml`: one `<testsuite>` per submission, one `<testcase>` per test.

use std::fmt::Write as _;

use super::{SubmissionResult, truncate};

/// Longest failure text kept per test case, in bytes.
const FAILURE_MAX: usize = 8 * 1024;

/// The JUnit XML document.
pub fn junit(results: &[SubmissionResult]) -> String {
    let tests: usize = results
        .iter()
        .map(|r| r.report.topics.iter().map(|t| t.tests.len()).sum::<usize>())
        .sum();
    let failures: usize = results.iter().map(failures_of).sum();
    let seconds: f64 = results.iter().map(|r| r.report.seconds).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"threadlings\" tests=\"{tests}\" failures=\"{failures}\" time=\"{seconds:.3}\">"
    );
    for result in results {
        let count: usize = result.report.topics.iter().map(|t| t.tests.len()).sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{count}\" failures=\"{}\" time=\"{:.3}\">",
            escape(&result.id),
            failures_of(result),
            result.report.seconds
        );
        let _ = writeln!(
            out,
            "    <properties><property name=\"score\" value=\"{}\"/><property name=\"max_score\" value=\"{}\"/></properties>",
            result.points(),
            result.max_points()
        );
        if let Some(problem) = &result.problem {
            let _ = writeln!(out, "    <system-out>{}</system-out>", escape(problem));
        }
        for topic in &result.report.topics {
            for test in &topic.tests {
                let _ = write!(
                    out,
                    "    <testcase classname=\"{}.{}\" name=\"{}\" time=\"{:.3}\"",
                    escape(&result.id),
                    escape(&topic.topic),
                    escape(&test.name),
                    test.seconds
                );
                match &test.verdict.failure {
                    None => out.push_str("/>\n"),
                    Some(failure) => {
                        let message = failure.message();
                        let first = message.lines().next().unwrap_or_default();
                        let _ = writeln!(
                            out,
                            ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                            escape(&truncate(first, 200)),
                            kind(failure),
                            escape(&truncate(&message, FAILURE_MAX))
                        );
                    }
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn failures_of(result: &SubmissionResult) -> usize {
    result
        .report
        .topics
        .iter()
        .flat_map(|t| &t.tests)
        .filter(|t| !t.verdict.passed())
        .count()
}

fn kind(failure: &crate::judge::Failure) -> &'static str {
    use crate::judge::Failure::*;
    match failure {
        NotImplemented { .. } => "not_implemented",
        Assertion { .. } => "assertion",
        TimedOut { .. } => "timed_out",
        Crashed { .. } => "crashed",
        Flaky { .. } => "flaky",
        CompileError { .. } => "compile_error",
        BadSubmission { .. } => "bad_submission",
        CheckerError { .. } => "checker_error",
    }
}

/// Escapes text for XML attributes and content, dropping characters XML 1.0
/// cannot hold (student output may contain any control character).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}
