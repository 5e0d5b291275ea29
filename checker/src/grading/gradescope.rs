//! Gradescope's `results.json` for one submission.
//!
//! Visibility: a public test is `visible`; a hidden test is `after_published`,
//! so students see which hidden tests they failed (and why) once the instructor
//! publishes the grades, but cannot probe the hidden suite before the deadline.
//!
//! Beyond the required fields, each test has `number` (`4.12`: topic 4, the
//! 12th test of its manifest), `tags` (`[topic, task]`, for Gradescope's
//! per-tag statistics), `output_format` (`text`: messages are shown as written,
//! never as Markdown a student's text could shape) and, when it failed,
//! `extra_data.failure_kind`; the document's `extra_data` names the grader
//! version and the sandbox layers student code ran under.

use std::fmt::Write as _;

use serde::Serialize;

use super::class::FailureKind;
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
    /// How Gradescope shows `output`: `text`, as written.
    pub output_format: &'static str,
    /// Who graded, and how confined.
    pub extra_data: ExtraData,
}

/// The document's `extra_data`.
#[derive(Debug, Serialize)]
pub struct ExtraData {
    /// The checker's version.
    pub grader_version: &'static str,
    /// The sandbox layers student code ran under (one line; `--no-sandbox` says so).
    pub sandbox_layers: String,
}

/// A test's `extra_data`.
#[derive(Debug, Serialize)]
pub struct TestExtra {
    /// Why it failed, in a word (see [`FailureKind`]).
    pub failure_kind: FailureKind,
}

/// The checker's version, as `extra_data` records it.
pub const GRADER_VERSION: &str = env!("CARGO_PKG_VERSION");

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
    /// `topic.test`: the topic's number, then the test's place in its manifest (`4.12`).
    pub number: String,
    /// `[topic, task]`.
    pub tags: [String; 2],
    /// How Gradescope shows `output`: `text`, as written.
    pub output_format: &'static str,
    /// Why it failed, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_data: Option<TestExtra>,
}

/// The Gradescope visibility of a test.
pub fn visibility(v: Visibility) -> &'static str {
    match v {
        Visibility::Public => "visible",
        Visibility::Hidden => "after_published",
    }
}

/// The number of a topic: the digits its directory starts with (`04_shared_state`
/// is 4), else its place in the report (1-based).
fn topic_number(dir: &str, place: usize) -> u32 {
    let digits: String = dir.chars().take_while(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| u32::try_from(place + 1).unwrap_or(u32::MAX))
}

/// Builds the document of one submission; `sandbox` names the layers in force.
pub fn results(result: &SubmissionResult, sandbox: &str) -> Results {
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
    for (place, topic) in result.report.topics.iter().enumerate() {
        let number = topic_number(&topic.topic, place);
        for (index, test) in topic.tests.iter().enumerate() {
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
                number: format!("{number}.{}", index + 1),
                tags: [topic.topic.clone(), test.task.clone()],
                output_format: "text",
                extra_data: test.verdict.failure.as_ref().map(|f| TestExtra {
                    failure_kind: FailureKind::of(f),
                }),
            });
        }
    }
    Results {
        score: result.points(),
        execution_time: (result.report.seconds * 10.0).round() / 10.0,
        output: truncate(&output, OUTPUT_MAX),
        tests,
        output_format: "text",
        extra_data: ExtraData {
            grader_version: GRADER_VERSION,
            sandbox_layers: sandbox.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    /// Hostile ids, messages and sandbox text still make valid JSON that reads
    /// back to the same text; every test is numbered and tagged.
    #[test]
    fn hostile_text_makes_valid_json_with_numbers_and_tags() {
        let sandbox = "Landlock \"ABI\" 7 \\ </script>\u{0}\u{1b}";
        for result in sample::class() {
            let doc = results(&result, sandbox);
            let text = serde_json::to_string_pretty(&doc).expect("encodes");
            let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
            assert_eq!(json["extra_data"]["sandbox_layers"], sandbox);
            assert_eq!(json["extra_data"]["grader_version"], GRADER_VERSION);
            assert_eq!(json["output_format"], "text");
            assert_eq!(json["output"], doc.output.as_str());
            let tests = json["tests"].as_array().expect("tests");
            assert_eq!(tests.len(), doc.tests.len());
            for (got, want) in tests.iter().zip(&doc.tests) {
                assert_eq!(got["output"], want.output.as_str());
                assert_eq!(got["output_format"], "text");
            }
            assert_eq!(tests[0]["number"], "1.1");
            assert_eq!(tests[2]["number"], "1.3");
            assert_eq!(
                tests[1]["tags"],
                serde_json::json!(["01_thread_basics", "join_all"])
            );
            assert!(
                tests[1]["output"]
                    .as_str()
                    .expect("output")
                    .contains("<b>&\"q\"")
            );
            // A passed test has no extra_data; a failed one names its kind.
            assert!(tests[0].get("extra_data").is_none());
            assert_eq!(tests[1]["extra_data"]["failure_kind"], "assertion_or_panic");
            assert_eq!(tests[2]["extra_data"]["failure_kind"], "timed_out");
            if let Some(compile) = tests.get(3) {
                assert_eq!(compile["number"], "2.1");
                assert_eq!(compile["extra_data"]["failure_kind"], "compile_error");
            }
        }
    }

    /// The fields Gradescope has always read keep their names, order and values.
    #[test]
    fn the_original_fields_come_first_unchanged() {
        let class = sample::class();
        let text = serde_json::to_string(&results(&class[0], "")).expect("encodes");
        assert!(
            text.starts_with(
                "{\"score\":2.5,\"execution_time\":3.3,\"output\":\"threadlings: 2.5/15.5 points\\n"
            ),
            "{text}"
        );
        assert!(text.contains(
            "{\"name\":\"01_thread_basics: spawns\",\"score\":2.5,\"max_score\":2.5,\"status\":\"passed\",\"visibility\":\"visible\",\"output\":\"\",\"number\":\"1.1\",\"tags\":[\"01_thread_basics\",\"join_all\"],\"output_format\":\"text\"}"
        ), "{text}");
    }

    #[test]
    fn topic_numbers_come_from_the_folder_name() {
        assert_eq!(topic_number("04_shared_state", 0), 4);
        assert_eq!(topic_number("12_more", 0), 12);
        assert_eq!(topic_number("extra", 6), 7);
    }
}
