//! The real pipeline on the real inputs: the reference solutions get full marks,
//! the skeletons fail every test with "not implemented yet" and nothing else.

mod common;

use checker::Source;
use checker::judge::Failure;

#[test]
fn reference_solutions_get_full_marks_in_repeated_runs() {
    let _alone = common::exclusive();
    let project = common::project();
    let repeat = common::reference_repeat();
    let mut problems = Vec::new();
    for topic in &project.topics {
        let report = common::check(&project, Source::Solutions, topic, repeat);
        let result = &report.topics[0];
        if !result.all_passed() || result.points() != 100.0 {
            problems.push(common::summary(&report));
        }
    }
    assert!(
        problems.is_empty(),
        "references without full marks (repeat {repeat}):\n{}",
        problems.join("\n")
    );
}

#[test]
fn skeletons_fail_every_test_as_not_implemented() {
    let _alone = common::exclusive();
    let project = common::project();
    let mut problems = Vec::new();
    for topic in &project.topics {
        let report = common::check(&project, Source::Exercises, topic, 1);
        let result = &report.topics[0];
        assert!(
            result.problem.is_none(),
            "{}: the skeleton must compile: {}",
            topic.dir,
            common::summary(&report)
        );
        for test in &result.tests {
            // A todo!() reached in a child process (the demo, a worker) is reported by
            // the test itself, in the same words.
            let todo_location = test
                .verdict
                .failure
                .as_ref()
                .and_then(Failure::todo_location);
            match todo_location {
                Some(location) => {
                    let file = location.split(':').next().unwrap_or_default();
                    if !topic.student_files.iter().any(|f| f == file) {
                        problems.push(format!(
                            "{}::{} points at {location}, not a student file",
                            topic.dir, test.name
                        ));
                    }
                }
                None => problems.push(format!(
                    "{}::{}: expected \"not implemented yet\", got {:?}",
                    topic.dir, test.name, test.verdict.failure
                )),
            }
        }
        assert_eq!(result.points(), 0.0, "{}: a skeleton scores 0", topic.dir);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
