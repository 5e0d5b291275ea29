//! The grading formats on hand-made results: no compilation, no test process.

use checker::check::{CheckReport, TestResult, TopicResult};
use checker::grading::{self, RunInfo, Shard, SubmissionResult, csv, gradescope, junit};
use checker::judge::{Failure, Verdict};
use checker::manifest::Visibility;

fn test(name: &str, visibility: Visibility, points: f64, failure: Option<Failure>) -> TestResult {
    TestResult {
        name: name.into(),
        task: "join_all".into(),
        visibility,
        max_points: points,
        points: if failure.is_none() { points } else { 0.0 },
        verdict: Verdict {
            failure,
            notes: Vec::new(),
        },
        timeline: None,
        seconds: 0.5,
    }
}

fn submission(id: &str) -> SubmissionResult {
    SubmissionResult {
        id: id.into(),
        problem: None,
        report: CheckReport {
            source: id.into(),
            seconds: 3.0,
            topics: vec![
                TopicResult {
                    topic: "01_thread_basics".into(),
                    problem: None,
                    reused: false,
                    tests: vec![
                        test("visible_one", Visibility::Public, 10.0, None),
                        test(
                            "hidden_one",
                            Visibility::Hidden,
                            5.0,
                            Some(Failure::Assertion {
                                message: "printed \u{0}\u{7} <b>&\"quotes\"".into(),
                            }),
                        ),
                    ],
                },
                TopicResult {
                    topic: "02_join_all".into(),
                    problem: Some(Failure::CompileError {
                        message: "error[E0308]: mismatched types".into(),
                    }),
                    reused: false,
                    tests: vec![test(
                        "t",
                        Visibility::Public,
                        7.0,
                        Some(Failure::CompileError {
                            message: "error[E0308]: mismatched types".into(),
                        }),
                    )],
                },
            ],
        },
    }
}

#[test]
fn gradescope_results_name_the_topic_and_map_visibility() {
    let results = gradescope::results(&submission("alice"), "Landlock ABI 7");
    let json = serde_json::to_value(&results).unwrap();
    assert_eq!(json["score"], 10.0);
    let tests = json["tests"].as_array().unwrap();
    assert_eq!(tests[0]["name"], "01_thread_basics: visible_one");
    assert_eq!(tests[0]["visibility"], "visible");
    assert_eq!(tests[0]["status"], "passed");
    assert_eq!(tests[1]["visibility"], "after_published");
    assert_eq!(tests[1]["status"], "failed");
    assert_eq!(tests[1]["max_score"], 5.0);
    assert!(
        json["output"]
            .as_str()
            .unwrap()
            .contains("mismatched types")
    );
    assert!(
        tests[2]["output"]
            .as_str()
            .unwrap()
            .contains("does not compile")
    );
}

#[test]
fn csv_has_the_contract_header_and_quotes_odd_ids() {
    let topics = vec!["01_thread_basics".to_owned(), "02_join_all".to_owned()];
    let text = csv::grades(&topics, &[submission("alice"), submission("o'neil, jr")]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "submission,total,max,01_thread_basics,02_join_all"
    );
    assert_eq!(lines[1], "alice,10,22,10,0");
    assert_eq!(csv::parse_line(lines[2])[0], "o'neil, jr");
}

#[test]
fn junit_escapes_markup_and_drops_control_characters() {
    let xml = junit::junit(&[submission("a<b")]);
    assert!(xml.contains("<testsuite name=\"a&lt;b\" tests=\"3\" failures=\"2\""));
    assert!(xml.contains("&lt;b&gt;&amp;&quot;quotes&quot;"));
    assert!(
        !xml.chars()
            .any(|c| c < ' ' && !matches!(c, '\n' | '\r' | '\t'))
    );
}

#[test]
fn summary_lists_every_submission_and_the_problems() {
    let info = RunInfo {
        shard: Some(Shard { index: 1, count: 2 }),
        topics: vec!["01_thread_basics".into(), "02_join_all".into()],
        submissions: vec!["alice".into(), "bob".into()],
        finished: true,
        seconds: 12.0,
        sandbox: "Landlock ABI 7 (files, TCP, signals and sockets)".into(),
    };
    let text = grading::summary::summary(&info, &[submission("alice"), submission("bob")]);
    assert!(
        text.contains("Sandbox: Landlock ABI 7 (files, TCP, signals and sockets)."),
        "{text}"
    );
    assert!(
        text.contains("2 of 2 submissions graded (shard 1/2)"),
        "{text}"
    );
    assert!(
        text.contains("| alice | 10/22 | 10 | 0 ⚠ compile error |"),
        "{text}"
    );
    assert!(text.contains("### Problems"));
    // The class at a glance: both submissions score 10 of 15 in topic 01 and 0 in 02.
    assert!(
        text.contains("| 01_thread_basics | 0 | 0 | 0 | 2 | 0 | 0 |"),
        "{text}"
    );
    assert!(
        text.contains("| 02_join_all | 2 | 0 | 0 | 0 | 0 | 0 |"),
        "{text}"
    );
    assert!(
        text.contains("### Pass rate per test, hardest first"),
        "{text}"
    );
    assert!(
        text.contains("| 01_thread_basics | join_all | 2 | wrong output ×2 |"),
        "{text}"
    );
    assert!(
        text.contains("- **alice** 02_join_all (compile error): error[E0308]: mismatched types"),
        "{text}"
    );
}

#[test]
fn shards_are_stable_and_cover_everyone_once() {
    assert!(Shard::parse("0/3").is_err());
    assert!(Shard::parse("4/3").is_err());
    assert!(Shard::parse("1-3").is_err());
    let shards: Vec<Shard> = (1..=3)
        .map(|i| Shard::parse(&format!("{i}/3")).unwrap())
        .collect();
    for id in ["alice", "bob", "carol", "dave", "erin", "frank"] {
        assert_eq!(shards.iter().filter(|s| s.contains(id)).count(), 1, "{id}");
    }
}
