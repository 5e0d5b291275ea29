//! Step 6, report: the human table and the JSON document of `cargo xtask check`.

use std::fmt::Write as _;

use serde::Serialize;

use crate::check::{CheckReport, TestResult, TopicResult};
use crate::judge::Failure;
use crate::manifest::Visibility;

/// Formats points without a useless `.0` (`10`, `2.5`).
pub fn points(p: f64) -> String {
    if p.fract() == 0.0 {
        format!("{p:.0}")
    } else {
        format!("{p:.1}")
    }
}

/// The per-topic, per-test table a person reads.
pub fn human(report: &CheckReport, color: bool) -> String {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    };
    let mut out = String::new();
    let _ = writeln!(out, "Checked {}", report.source);
    for topic in &report.topics {
        out.push('\n');
        human_topic(&mut out, topic, &paint);
    }
    let tests: Vec<&TestResult> = report.topics.iter().flat_map(|t| &t.tests).collect();
    let passed = tests.iter().filter(|t| t.verdict.passed()).count();
    let _ = writeln!(
        out,
        "\nTotal: {}/{} points, {passed} of {} tests passed ({:.1} s)",
        points(report.points()),
        points(report.max_points()),
        tests.len(),
        report.seconds
    );
    out
}

fn human_topic(out: &mut String, topic: &TopicResult, paint: &dyn Fn(&str, &str) -> String) {
    let header = format!(
        "{:<52} {:>7}",
        topic.topic,
        format!("{}/{}", points(topic.points()), points(topic.max_points()))
    );
    let _ = writeln!(out, "{}", paint("1", &header));
    if let Some(problem) = &topic.problem {
        let _ = writeln!(out, "  {}", paint("31", &indent(&problem.message(), 2)));
    }
    let width = topic
        .tests
        .iter()
        .map(|t| t.name.len())
        .max()
        .unwrap_or(0)
        .min(60);
    for test in &topic.tests {
        let mark = if test.verdict.passed() {
            paint("32", "✓")
        } else {
            paint("31", "✗")
        };
        let hidden = if test.visibility == Visibility::Hidden {
            " (hidden)"
        } else {
            ""
        };
        let score = format!("{}/{}", points(test.points), points(test.max_points));
        let _ = write!(out, "  {mark} {:<width$} {score:>6}{hidden}", test.name);
        match &test.verdict.failure {
            None => {}
            // The topic's problem was printed once above.
            Some(_) if topic.problem.is_some() => {}
            Some(failure) => {
                let _ = write!(out, "\n      {}", indent(&failure.message(), 6));
            }
        }
        for note in &test.verdict.notes {
            let _ = write!(out, "\n      note: {}", indent(note, 6));
        }
        out.push('\n');
    }
}

/// Indents every line after the first by `n` spaces.
fn indent(text: &str, n: usize) -> String {
    text.trim_end()
        .replace('\n', &format!("\n{}", " ".repeat(n)))
}

/// The JSON document of `cargo xtask check --format json` (schema in README.md).
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    /// Schema version.
    pub version: u32,
    /// What was checked.
    pub source: &'a str,
    /// Points awarded.
    pub points: f64,
    /// Points possible.
    pub max_points: f64,
    /// Whether every test passed.
    pub passed: bool,
    /// Wall time.
    pub seconds: f64,
    /// Per topic.
    pub topics: Vec<JsonTopic<'a>>,
}

/// One topic in [`JsonReport`].
#[derive(Debug, Serialize)]
pub struct JsonTopic<'a> {
    /// Topic directory name.
    pub topic: &'a str,
    /// Points awarded.
    pub points: f64,
    /// Points possible.
    pub max_points: f64,
    /// A problem that failed the whole topic.
    pub problem: Option<&'a Failure>,
    /// Per test.
    pub tests: Vec<JsonTest<'a>>,
}

/// One test in [`JsonTopic`].
#[derive(Debug, Serialize)]
pub struct JsonTest<'a> {
    /// Test name.
    pub name: &'a str,
    /// The contract item it grades.
    pub task: &'a str,
    /// public | hidden.
    pub visibility: Visibility,
    /// passed | failed.
    pub status: &'static str,
    /// Points awarded.
    pub points: f64,
    /// Points possible.
    pub max_points: f64,
    /// The failure message, empty when passed.
    pub message: String,
    /// The structured failure.
    pub failure: Option<&'a Failure>,
    /// Notes attached by the test.
    pub notes: &'a [String],
    /// Wall time of all runs.
    pub seconds: f64,
}

/// Builds the JSON document.
pub fn json(report: &CheckReport) -> JsonReport<'_> {
    JsonReport {
        version: 1,
        source: &report.source,
        points: report.points(),
        max_points: report.max_points(),
        passed: report.all_passed(),
        seconds: report.seconds,
        topics: report
            .topics
            .iter()
            .map(|topic| JsonTopic {
                topic: &topic.topic,
                points: topic.points(),
                max_points: topic.max_points(),
                problem: topic.problem.as_ref(),
                tests: topic
                    .tests
                    .iter()
                    .map(|t| JsonTest {
                        name: &t.name,
                        task: &t.task,
                        visibility: t.visibility,
                        status: if t.verdict.passed() {
                            "passed"
                        } else {
                            "failed"
                        },
                        points: t.points,
                        max_points: t.max_points,
                        message: t
                            .verdict
                            .failure
                            .as_ref()
                            .map(Failure::message)
                            .unwrap_or_default(),
                        failure: t.verdict.failure.as_ref(),
                        notes: &t.verdict.notes,
                        seconds: t.seconds,
                    })
                    .collect(),
            })
            .collect(),
    }
}
