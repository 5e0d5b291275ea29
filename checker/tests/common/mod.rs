//! Shared helpers of the checker's own tests: they run the real pipeline.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use checker::{CheckOptions, CheckReport, Project, Source, Topic};

/// One pipeline run at a time: suites contain timing tests that must not share
/// the two cores with another check.
static PIPELINE: Mutex<()> = Mutex::new(());

/// Takes the pipeline lock (a panicking holder does not poison the others).
pub fn exclusive() -> MutexGuard<'static, ()> {
    PIPELINE.lock().unwrap_or_else(|e| e.into_inner())
}

/// The project this test binary belongs to.
pub fn project() -> Project {
    // This test binary cannot serve as rustc wrapper; the checker's small one does.
    checker::compile::set_wrapper_program(env!("CARGO_BIN_EXE_threadlings-rustc-wrapper"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    Project::load(&root).expect("the project loads")
}

/// Runs the real pipeline on one topic of `source`.
pub fn check(project: &Project, source: Source, topic: &Topic, repeat: u32) -> CheckReport {
    let mut options = CheckOptions::new(source, vec![topic.clone()]);
    options.repeat = repeat;
    checker::check(project, &options, &|_| {})
}

/// Runs the real pipeline on one topic of `source` as a student's check does
/// (see `CheckOptions::student_check`).
pub fn student_check(project: &Project, source: Source, topic: &Topic) -> CheckReport {
    let mut options = CheckOptions::new(source, vec![topic.clone()]);
    options.student_check = true;
    checker::check(project, &options, &|_| {})
}

/// Repeats for the reference run: `THREADLINGS_TEST_REPEAT`, default 2.
pub fn reference_repeat() -> u32 {
    std::env::var("THREADLINGS_TEST_REPEAT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2)
}

/// Lays out `DIR/exercises/<topic>/` = the reference student files overlaid with
/// the files of `overlay` (a fixture's `src/...`), in a stable folder under the
/// work directory so sandboxes are reused between runs.
pub fn overlay_source(project: &Project, topic: &Topic, name: &str, overlay: &Path) -> PathBuf {
    let dir = project
        .work_dir()
        .join("fixture-sources")
        .join(&topic.dir)
        .join(name);
    let topic_dir = dir.join("exercises").join(&topic.dir);
    if topic_dir.exists() {
        fs::remove_dir_all(&topic_dir).expect("old fixture source removed");
    }
    for rel in &topic.student_files {
        let from = project.solution_dir(topic).join(rel);
        let to = topic_dir.join(rel);
        fs::create_dir_all(to.parent().expect("a parent")).expect("fixture dir created");
        fs::copy(&from, &to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
    }
    copy_tree(overlay, &topic_dir.join("src"));
    dir
}

/// Copies every file below `from` to the same place below `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).expect("fixture folder readable") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            fs::create_dir_all(&target).expect("dir created");
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("file copied");
        }
    }
}

/// A plain view of a report for assertion messages: per topic its problem, per
/// test its verdict, points, failure message and notes (the people's table is
/// xtask's rendering; these tests need none of it).
pub fn summary(report: &CheckReport) -> String {
    use checker::report::points;
    use std::fmt::Write as _;
    let mut out = format!("Checked {}\n", report.source);
    for topic in &report.topics {
        let _ = writeln!(
            out,
            "{} {}/{}",
            topic.topic,
            points(topic.points()),
            points(topic.max_points())
        );
        if let Some(problem) = &topic.problem {
            let _ = writeln!(out, "  problem: {}", problem.message().trim_end());
        }
        for test in &topic.tests {
            let mark = if test.verdict.passed() { "✓" } else { "✗" };
            let _ = writeln!(
                out,
                "  {mark} {} {}/{}",
                test.name,
                points(test.points),
                points(test.max_points)
            );
            if let Some(failure) = &test.verdict.failure {
                let _ = writeln!(out, "      {}", failure.message().trim_end());
            }
            for note in &test.verdict.notes {
                let _ = writeln!(out, "      note: {}", note.trim_end());
            }
        }
    }
    out
}
