//! A small fixed class of graded submissions for the unit tests of the grading
//! formats: every kind of cell (points, fractions, a missing topic, a topic that
//! does not compile) and hostile text in ids and messages.
//!
//! Built from JSON (the `check.json` format), so the tests need nothing beyond it.

use serde_json::json;

use super::SubmissionResult;

/// A test that passed (`failure` null) or failed.
fn test(name: &str, visibility: &str, max: f64, failure: serde_json::Value) -> serde_json::Value {
    let points = if failure.is_null() { max } else { 0.0 };
    json!({
        "name": name,
        "task": "join_all",
        "visibility": visibility,
        "max_points": max,
        "points": points,
        "verdict": { "failure": failure, "notes": [] },
        "seconds": 0.25,
    })
}

/// One submission with topic 01 (one pass, one hostile failure) and, unless
/// `only_first`, topic 02 (which does not compile).
fn submission(id: &str, problem: Option<&str>, only_first: bool) -> SubmissionResult {
    let mut topics = vec![json!({
        "topic": "01_thread_basics",
        "problem": null,
        "tests": [
            test("spawns", "public", 2.5, serde_json::Value::Null),
            test(
                "joins_<all>",
                "hidden",
                5.0,
                json!({
                    "kind": "assertion",
                    "message": "left: 1 <b>&\"q\" 'a' ]]> \u{0}\u{7}\u{1b}[31m\nright: 2",
                }),
            ),
            test("waits", "public", 1.0, json!({ "kind": "timed_out", "seconds": 10.0 })),
        ],
    })];
    if !only_first {
        let broken =
            json!({ "kind": "compile_error", "message": "error[E0308]: mismatched types" });
        topics.push(json!({
            "topic": "02_join_all",
            "problem": broken,
            "tests": [test("t", "public", 7.0, broken.clone())],
        }));
    }
    serde_json::from_value(json!({
        "id": id,
        "problem": problem,
        "report": { "source": id, "seconds": 3.25, "topics": topics },
    }))
    .expect("the sample is a valid check.json")
}

/// The topics of the class, in column order.
pub(super) fn topics() -> Vec<String> {
    vec!["01_thread_basics".into(), "02_join_all".into()]
}

/// Four submissions: plain, with a comma and quotes, a spreadsheet formula, and
/// one with a layout problem and topic 02 missing.
pub(super) fn class() -> Vec<SubmissionResult> {
    vec![
        submission("alice", None, false),
        submission("bob \"the builder\", jr", None, false),
        submission("=HYPERLINK(\"http://x\";\"y\")", None, false),
        submission("carol\nline two", Some("no exercises/ folder <here>"), true),
    ]
}
