//! Gradescope's `results.json` for one submission.
//!
//! Visibility: a public test is `visible`; a hidden test is `after_published`,
//! so students see which hidden tests they failed (and why) once the instructor
//! publishes the grades, but cannot probe the hidden suite before the deadline.

use std::fmt::Write as _;

use serde::Serialize;

use super::{SubmissionResult, truncate};
use crate::manifest::Visibility;
use crate::report::points;

/// Longest `output` of one test, in bytes.
const TEST_OUTPUT_MAX: usize = 4 * 1024;
/// Longest top-level `output`, in bytes.
const OUTPUT_MAX: usize = 32 * 1024;

/// The whole document.
#[derive(Debug, Serialize)]
pub struct Results {
    /// Points awarded.
    pub score: f64,
    /// Wall time of the grading, seconds.
    pub execution_time: f64,
    /// Shown above the tests: totals per topic and problems of whole topics.
    pub output: String,
    /// One entry per graded test.
    pub tests: Vec<Test>,
}

/// One test.
#[derive(Debug, Serialize)]
pub struct Test {
    /// `NN_topic: test_name`.
    pub name: String,
    /// Points awarded.
    pub score: f64,
    /// Points possible.
    pub max_score: f64,
    /// `passed` or `failed`.
    pub status: &'static str,
    /// `visible` (public tests) or `after_published` (hidden tests).
    pub visibility: &'static str,
    /// The failure message and notes.
    pub output: String,
}

/// The Gradescope visibility of a test.
pub fn visibility(v: Visibility) -> &'static str {
    match v {
        Visibility::Public => "visible",
        Visibility::Hidden => "after_published",
    }
}

/// Builds the document of one submission.
pub fn results(result: &SubmissionResult) -> Results {
    let mut output = String::new();
    let _ = writeln!(
        output,
        "threadlings: {}/{} points",
        points(result.points()),
        points(result.max_points())
    );
    if let Some(problem) = &result.problem {
        let _ = writeln!(output, "\n{problem}");
    }
    for topic in &result.report.topics {
        let _ = writeln!(
            output,
            "{:<28} {}/{}",
            topic.topic,
            points(topic.points()),
            points(topic.max_points())
        );
    }
    for topic in &result.report.topics {
        if let Some(problem) = &topic.problem {
            let _ = writeln!(output, "\n{}: {}", topic.topic, problem.message());
        }
    }
    let mut tests = Vec::new();
    for topic in &result.report.topics {
        for test in &topic.tests {
            let mut text = match &test.verdict.failure {
                None => String::new(),
                Some(_) if topic.problem.is_some() => format!(
                    "{} (see the top of this page)",
                    topic
                        .problem
                        .as_ref()
                        .map(|p| p.message())
                        .unwrap_or_default()
                        .lines()
                        .next()
                        .unwrap_or_default()
                ),
                Some(failure) => failure.message(),
            };
            for note in &test.verdict.notes {
                if !text.is_empty() {
                    text.push('\n');
                }
                let _ = write!(text, "note: {note}");
            }
            tests.push(Test {
                name: format!("{}: {}", topic.topic, test.name),
                score: test.points,
                max_score: test.max_points,
                status: if test.verdict.passed() {
                    "passed"
                } else {
                    "failed"
                },
                visibility: visibility(test.visibility),
                output: truncate(&text, TEST_OUTPUT_MAX),
            });
        }
    }
    Results {
        score: result.points(),
        execution_time: (result.report.seconds * 10.0).round() / 10.0,
        output: truncate(&output, OUTPUT_MAX),
        tests,
    }
}
