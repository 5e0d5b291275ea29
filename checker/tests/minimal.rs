//! The suites ask nothing of a student beyond CURRICULUM.md's contract (issue 12).
//!
//! `checker/tests/minimal/NN_topic/src/` holds, for every topic, a correct set of
//! student files written independently of `solutions/`, often in another style,
//! with exactly the contract's public items: no derive but the listed ones (only
//! `Runtime` and `Shutdown` are `Clone`), no extra public method, no trait impl
//! beyond the contract's. Each test runs the real pipeline on one topic of them
//! and demands full marks: so no suite test needs `Debug`, `Clone`, `Default`,
//! `PartialEq`, `is_empty` or anything else the contract does not promise, and no
//! suite test rejects a correct solution because it differs from the reference.

mod common;

use std::fs;
use std::path::PathBuf;

use checker::{Project, Source};

/// Lays out `DIR/exercises/<topic>/src/...` from `checker/tests/minimal/<topic>/src/`
/// in a stable folder under the work directory (so its sandbox is reused).
fn minimal_source(project: &Project, topic_dir: &str) -> PathBuf {
    let dir = project.work_dir().join("minimal-sources");
    let target = dir.join("exercises").join(topic_dir);
    if target.exists() {
        fs::remove_dir_all(&target).expect("old minimal source removed");
    }
    let from = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("minimal")
        .join(topic_dir);
    fs::create_dir_all(&target).expect("minimal source folder created");
    common::copy_tree(&from, &target);
    dir
}

/// Checks the minimal files of `topic_dir` once and asserts full marks.
fn full_marks(topic_dir: &str) {
    let _alone = common::exclusive();
    let project = common::project();
    let topic = project
        .find(topic_dir)
        .unwrap_or_else(|e| panic!("topic {topic_dir}: {e}"));
    for file in &topic.student_files {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/minimal")
            .join(topic_dir)
            .join(file);
        assert!(path.is_file(), "missing minimal file {}", path.display());
    }
    let source = Source::Dir(minimal_source(&project, topic_dir));
    let report = common::check(&project, source, topic, 1);
    let result = &report.topics[0];
    assert!(
        result.all_passed() && result.points() == 100.0,
        "a correct solution with only the contract's items must get full marks:\n{}",
        common::summary(&report)
    );
}

#[test]
fn thread_basics_minimal_files_get_full_marks() {
    full_marks("01_thread_basics");
}

#[test]
fn join_all_minimal_files_get_full_marks() {
    full_marks("02_join_all");
}

#[test]
fn daemon_threads_minimal_files_get_full_marks() {
    full_marks("03_daemon_threads");
}

#[test]
fn shared_state_minimal_files_get_full_marks() {
    full_marks("04_shared_state");
}

#[test]
fn producer_consumer_minimal_files_get_full_marks() {
    full_marks("05_producer_consumer");
}

#[test]
fn ipc_minimal_files_get_full_marks() {
    full_marks("06_ipc");
}
