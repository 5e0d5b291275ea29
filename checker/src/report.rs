//! The report step (the last of DESIGN.md's pipeline): the formats a check's
//! results are written in for other programs and pages, the JSON document, the
//! Markdown summary and the GitHub Classroom document of `cargo xtask check`.
//! The table a person reads on a terminal is rendering, and lives in xtask.

use std::fmt::Write as _;

use serde::Serialize;

use crate::check::{CheckReport, TestResult};
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
    /// The topic's last check's result, not run again (absent when `false`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reused: bool,
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
    /// The picture of the failing run's event log (see [`crate::timeline`]);
    /// absent when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<&'a str>,
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
                reused: topic.reused,
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
                        message: t.verdict.message(),
                        failure: t.verdict.failure.as_ref(),
                        notes: &t.verdict.notes,
                        timeline: t.timeline.as_deref(),
                        seconds: t.seconds,
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Longest failure message kept in a Markdown cell.
const MARKDOWN_MESSAGE_CAP: usize = 300;

/// A Markdown page for a CI step summary: the per-topic table, then every
/// failed test with its message (escaped, one line each, capped).
pub fn markdown(report: &CheckReport) -> String {
    let tests: Vec<&TestResult> = report.topics.iter().flat_map(|t| &t.tests).collect();
    let passed = tests.iter().filter(|t| t.verdict.passed()).count();
    let mut out = format!(
        "## threadlings: {}/{} points\n\n{passed} of {} tests passed ({}).\n\n\
         | topic | points | tests passed |\n|---|---:|---:|\n",
        points(report.points()),
        points(report.max_points()),
        tests.len(),
        report.source
    );
    for topic in &report.topics {
        let passed = topic.tests.iter().filter(|t| t.verdict.passed()).count();
        let problem = match &topic.problem {
            Some(Failure::CompileError { .. }) => " ⚠ does not compile",
            Some(Failure::BadSubmission { .. }) => " ⚠ submission problem",
            Some(Failure::CheckerError { .. }) => " ⚠ checker error",
            _ => "",
        };
        let _ = writeln!(
            out,
            "| {}{problem} | {}/{} | {passed}/{} |",
            markdown_cell(&topic.topic),
            points(topic.points()),
            points(topic.max_points()),
            topic.tests.len()
        );
    }
    for topic in &report.topics {
        let failed: Vec<&TestResult> = topic.tests.iter().filter(|t| !t.verdict.passed()).collect();
        if failed.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n<details><summary>{}: {} failed</summary>\n\n| test | points | why |\n|---|---:|---|",
            markdown_cell(&topic.topic),
            failed.len()
        );
        for test in failed {
            let mut why = markdown_cell(&test.verdict.message());
            if let Some(path) = &test.timeline {
                let _ = write!(why, "<br>timeline: {}", markdown_cell(path));
            }
            let _ = writeln!(
                out,
                "| {} | 0/{} | {why} |",
                markdown_cell(&test.name),
                points(test.max_points),
            );
        }
        out.push_str("\n</details>\n");
    }
    out
}

/// One table cell: a single line, `|` and HTML escaped, at most [`MARKDOWN_MESSAGE_CAP`] characters.
fn markdown_cell(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cell: String = line.chars().take(MARKDOWN_MESSAGE_CAP).collect();
    if line.chars().count() > MARKDOWN_MESSAGE_CAP {
        cell.push('…');
    }
    cell.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
}

/// The result document GitHub Classroom's autograding reporter reads
/// (`classroom-resources/autograding-grading-reporter`): one runner's tests,
/// each with its points. The reporter sums `score` over tests against `max_score`.
#[derive(Debug, Serialize)]
pub struct ClassroomReport {
    /// Format version (1).
    pub version: u32,
    /// `pass` when every test passed, else `fail`.
    pub status: &'static str,
    /// Points possible.
    pub max_score: f64,
    /// One entry per test, named `NN_topic: test`.
    pub tests: Vec<ClassroomTest>,
}

/// One test in [`ClassroomReport`].
#[derive(Debug, Serialize)]
pub struct ClassroomTest {
    /// `NN_topic: test`.
    pub name: String,
    /// `pass` or `fail`.
    pub status: &'static str,
    /// Points awarded.
    pub score: f64,
    /// Points possible.
    pub max_score: f64,
    /// Why it failed; empty when it passed.
    pub message: String,
    /// Wall time, as the reporter shows it (`0.12s`).
    pub execution_time: String,
}

/// Builds the GitHub Classroom document.
pub fn classroom(report: &CheckReport) -> ClassroomReport {
    ClassroomReport {
        version: 1,
        status: if report.all_passed() { "pass" } else { "fail" },
        max_score: report.max_points(),
        tests: report
            .topics
            .iter()
            .flat_map(|topic| {
                topic.tests.iter().map(|t| ClassroomTest {
                    name: format!("{}: {}", topic.topic, t.name),
                    status: if t.verdict.passed() { "pass" } else { "fail" },
                    score: t.points,
                    max_score: t.max_points,
                    message: t.verdict.message(),
                    execution_time: format!("{:.2}s", t.seconds),
                })
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::TopicResult;
    use crate::judge::Verdict;

    fn report(timeline: Option<&str>) -> CheckReport {
        CheckReport {
            source: "exercises/".into(),
            topics: vec![TopicResult {
                topic: "05_producer_consumer".into(),
                problem: None,
                reused: false,
                tests: vec![TestResult {
                    name: "poison_pills_deliver_every_item".into(),
                    task: "run_with_poison_pills".into(),
                    visibility: Visibility::Public,
                    max_points: 2.0,
                    points: 0.0,
                    verdict: Verdict::failed(Failure::Assertion {
                        message: "event 2: consumed before it was produced".into(),
                    }),
                    seconds: 0.1,
                    timeline: timeline.map(String::from),
                }],
            }],
            seconds: 1.0,
        }
    }

    #[test]
    fn the_timeline_is_named_under_the_failure_and_absent_from_old_json() {
        let with = report(Some("/w/timelines/x<y>.svg"));
        let page = markdown(&with);
        assert!(
            page.contains("produced<br>timeline: /w/timelines/x&lt;y&gt;.svg |"),
            "{page}"
        );
        let json = serde_json::to_string(&json(&with)).expect("serialises");
        assert!(
            json.contains(r#""timeline":"/w/timelines/x<y>.svg""#),
            "{json}"
        );

        let without = report(None);
        assert!(!markdown(&without).contains("timeline"));
        let json = serde_json::to_string(&super::json(&without)).expect("serialises");
        assert!(!json.contains("timeline"), "{json}");
        let saved = serde_json::to_string(&without.topics[0].tests[0]).expect("serialises");
        assert!(!saved.contains("timeline"), "{saved}");
    }
}
