//! Buggy and hostile submissions, each laid over the reference solution, must
//! lose exactly the tests their `expect.toml` names and keep every other point;
//! hostile ones must leave nothing behind (files, System V IPC objects), checked
//! with a sandbox user per test (as root) and, when asked, without one.
//!
//! Layout: `checker/tests/fixtures/NN_topic/<fixture>/{expect.toml, src/...}`.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use checker::Source;
use checker::judge::Failure;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    description: String,
    #[serde(default)]
    fails: Vec<String>,
    /// Tests the mistake exposes only on some runs (a demo that deadlocks when
    /// its threads happen to interleave badly): either verdict is accepted.
    #[serde(default)]
    may_fail: Vec<String>,
    message: Option<String>,
    /// Texts the message of one failing test must each contain (on top of
    /// `message`): the threads and source lines a hang explanation names.
    #[serde(default)]
    messages: std::collections::BTreeMap<String, Vec<String>>,
    /// The task (manifest `task`) the mistake is in: every test the fixture
    /// must fail is filed under it, so reports, `hint` and `list` point the
    /// student at the function that is wrong. Demo tests, which run the
    /// lesson's whole program, are filed under `demo` and exempt.
    task: Option<String>,
    #[serde(default)]
    compile_error: bool,
    no_process_left: Option<String>,
    /// Files that must not exist once the check is over.
    #[serde(default)]
    no_file_left: Vec<String>,
    /// No System V IPC object made by a test may outlive the check.
    #[serde(default)]
    no_sysv_left: bool,
    /// Check again with every test run as the checker's own user
    /// (`THREADLINGS_SANDBOX_USER=0`): the code path of a grader that is not root.
    #[serde(default)]
    without_sandbox_user_too: bool,
    /// Check as a student's `cargo xtask check` does (short time limits; once
    /// a test of a task timed out, its tests not started yet are "not run"):
    /// those count as failed, and `message` applies to the others.
    #[serde(default)]
    student_check: bool,
    /// A test whose failure must come with a picture of the failing run (see
    /// `checker::timeline`).
    timeline: Option<TimelineExpect>,
}

/// What the picture of a failing run must show.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TimelineExpect {
    /// The test.
    test: String,
    /// The highlighted events, in log order, by their first word (`Consumed`,
    /// `Produced`): all about the same item, which the failure message names.
    highlighted: Vec<String>,
}

/// The task of the tests that run a topic's demo program: they catch mistakes
/// in any task, so a fixture's `task` does not apply to them.
const DEMO_TASK: &str = "demo";

/// The System V IPC objects that exist now.
fn sysv_objects() -> BTreeSet<(checker::confine::ipc::Kind, i32)> {
    checker::confine::ipc::sysv_objects()
        .into_iter()
        .map(|o| (o.kind, o.id))
        .collect()
}

/// System V objects made since `before` by this user or a sandbox user.
fn new_sysv_objects(before: &BTreeSet<(checker::confine::ipc::Kind, i32)>) -> Vec<String> {
    // SAFETY: getuid has no preconditions.
    let me = unsafe { libc::getuid() };
    checker::confine::ipc::sysv_objects()
        .into_iter()
        .filter(|o| !before.contains(&(o.kind, o.id)))
        .filter(|o| o.cuid == me || o.cuid >= checker::run::SANDBOX_UID_BASE)
        .map(|o| format!("{:?} {} (creator uid {})", o.kind, o.id, o.cuid))
        .collect()
}

/// Runs `check` with tests as the checker's own user (no sandbox user).
fn without_sandbox_user<T>(check: impl FnOnce() -> T) -> T {
    const VAR: &str = "THREADLINGS_SANDBOX_USER";
    let old = std::env::var_os(VAR);
    // SAFETY: every test of this binary holds the pipeline lock while it runs a
    // check, and none reads the environment otherwise.
    unsafe { std::env::set_var(VAR, "0") };
    let result = check();
    // SAFETY: as above.
    unsafe {
        match old {
            Some(value) => std::env::set_var(VAR, value),
            None => std::env::remove_var(VAR),
        }
    }
    result
}

/// Command lines of every process on the machine that mention `marker`.
fn processes_mentioning(marker: &str) -> Vec<String> {
    checker::confine::procs::mentioning(marker)
}

/// Checks every fixture of one topic; returns what went wrong, if anything.
fn check_fixtures(topic_dir: &str) -> Vec<String> {
    let project = common::project();
    let topic = project.find(topic_dir).expect("topic exists").clone();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(&topic.dir);
    let mut fixtures: Vec<_> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    fixtures.sort();
    assert!(!fixtures.is_empty(), "{} has no fixtures", topic.dir);

    let mut problems = Vec::new();
    for fixture in fixtures {
        let name = fixture
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let expect_path = fixture.join("expect.toml");
        let expect: Expect = toml::from_str(
            &fs::read_to_string(&expect_path).unwrap_or_else(|e| panic!("{name}: {e}")),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", expect_path.display()));
        let source = common::overlay_source(&project, &topic, &name, &fixture.join("src"));
        let modes: &[bool] = if expect.without_sandbox_user_too {
            &[true, false]
        } else {
            &[true]
        };
        for &sandbox_user in modes {
            for file in &expect.no_file_left {
                let _ = fs::remove_file(file);
            }
            let sysv_before = sysv_objects();
            let run = || {
                let source = Source::Dir(source.clone());
                if expect.student_check {
                    common::student_check(&project, source, &topic)
                } else {
                    common::check(&project, source, &topic, 1)
                }
            };
            let report = if sandbox_user {
                run()
            } else {
                without_sandbox_user(run)
            };
            let mode = if sandbox_user {
                ""
            } else {
                ", without a sandbox user"
            };
            let label = format!("{}/{name} ({}{mode})", topic.dir, expect.description);
            problems.extend(judge_fixture(&expect, &report, &label));
            for file in &expect.no_file_left {
                if Path::new(file).exists() {
                    problems.push(format!("{label}: {file} outlived the check"));
                    let _ = fs::remove_file(file);
                }
            }
            if expect.no_sysv_left {
                let left = new_sysv_objects(&sysv_before);
                if !left.is_empty() {
                    problems.push(format!(
                        "{label}: System V objects outlived the check: {left:?}"
                    ));
                }
            }
        }
    }
    problems
}

/// What is wrong with one check of a fixture, if anything.
fn judge_fixture(expect: &Expect, report: &checker::CheckReport, label: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let result = &report.topics[0];

    if expect.compile_error {
        let compiled = !matches!(result.problem, Some(Failure::CompileError { .. }));
        if compiled || result.tests.iter().any(|t| t.verdict.passed()) {
            problems.push(format!(
                "{label}: expected a compile error failing every test\n{}",
                common::summary(report)
            ));
        } else if let Some(message) = &expect.message {
            let shown = result
                .problem
                .as_ref()
                .map(Failure::message)
                .unwrap_or_default();
            if !shown.contains(message.as_str()) {
                problems.push(format!(
                    "{label}: the compile error does not mention {message:?}: {shown}"
                ));
            }
        }
        return problems;
    }
    let expected: BTreeSet<&str> = expect.fails.iter().map(String::as_str).collect();
    let may_fail: BTreeSet<&str> = expect.may_fail.iter().map(String::as_str).collect();
    // A performance test that could not measure (one core, a busy machine) passes
    // with a "skipped" note; it cannot catch anything then, so it is not held
    // against the fixture. Every other expected failure must happen.
    let skipped = |t: &checker::TestResult| {
        t.verdict.passed() && t.verdict.notes.iter().any(|n| n.starts_with("skipped"))
    };
    let failed: BTreeSet<&str> = result
        .tests
        .iter()
        .filter(|t| !t.verdict.passed() || (expected.contains(t.name.as_str()) && skipped(t)))
        .map(|t| t.name.as_str())
        .filter(|name| !may_fail.contains(name))
        .collect();
    let expected: BTreeSet<&str> = expected.difference(&may_fail).copied().collect();
    if failed != expected {
        problems.push(format!(
            "{label}: failed {failed:?}, expected exactly {expected:?}\n{}",
            common::summary(report)
        ));
    }
    if let Some(task) = &expect.task {
        let elsewhere: Vec<String> = result
            .tests
            .iter()
            .filter(|t| expect.fails.contains(&t.name))
            .filter(|t| t.task != DEMO_TASK && &t.task != task)
            .map(|t| format!("{} (filed under {})", t.name, t.task))
            .collect();
        if !elsewhere.is_empty() {
            problems.push(format!(
                "{label}: the mistake is in {task}, but these tests that catch it are filed \
                 under another task: {elsewhere:?}"
            ));
        }
    }
    if let Some(message) = &expect.message {
        let judged = result
            .tests
            .iter()
            .filter(|t| !t.verdict.passed() && !may_fail.contains(t.name.as_str()))
            .filter(|t| !matches!(t.verdict.failure, Some(Failure::NotRun { .. })));
        for test in judged {
            let shown = test.verdict.message();
            if !shown.contains(message.as_str()) {
                problems.push(format!(
                    "{label}: {} failed with {shown:?}, which does not mention {message:?}",
                    test.name
                ));
            }
        }
    }
    if let Some(timeline) = &expect.timeline {
        problems.extend(judge_timeline(timeline, result, label));
    }
    for (name, texts) in &expect.messages {
        let Some(test) = result.tests.iter().find(|t| &t.name == name) else {
            problems.push(format!("{label}: no test {name} (named in `messages`)"));
            continue;
        };
        let shown = test.verdict.message();
        for text in texts {
            if !shown.contains(text.as_str()) {
                problems.push(format!(
                    "{label}: {name} failed with {shown:?}, which does not mention {text:?}"
                ));
            }
        }
    }
    if let Some(marker) = &expect.no_process_left {
        let left = processes_mentioning(marker);
        if !left.is_empty() {
            problems.push(format!("{label}: processes outlived the check: {left:?}"));
        }
    }
    problems
}

/// What is wrong with the picture of the failing run `expect` names, if anything.
fn judge_timeline(
    expect: &TimelineExpect,
    result: &checker::TopicResult,
    label: &str,
) -> Option<String> {
    let label = format!("{label}: the timeline of {}", expect.test);
    let Some(test) = result.tests.iter().find(|t| t.name == expect.test) else {
        return Some(format!("{label}: no such test"));
    };
    let Some(path) = &test.timeline else {
        return Some(format!(
            "{label}: the failure names no picture ({:?})",
            test.verdict.message()
        ));
    };
    let svg = match fs::read_to_string(path) {
        Ok(svg) => svg,
        Err(e) => return Some(format!("{label}: cannot read {path}: {e}")),
    };
    if let Err(e) = checker::timeline::check_well_formed(&svg) {
        return Some(format!("{label}: {path} is not well-formed: {e:#}"));
    }
    // The highlighted events' labels: `<text class="offending" …>Consumed p0-1</text>`.
    let highlighted: Vec<&str> = svg
        .split(r#"<text class="offending""#)
        .skip(1)
        .filter_map(|rest| rest.split_once('>')?.1.split_once("</text>"))
        .map(|(text, _)| text)
        .collect();
    let items: BTreeSet<&str> = highlighted
        .iter()
        .filter_map(|l| l.split_once(' ').map(|(_, item)| item))
        .collect();
    let kinds: Vec<&str> = highlighted
        .iter()
        .map(|l| l.split(' ').next().unwrap_or(""))
        .collect();
    let message = test.verdict.message();
    match items.iter().next() {
        Some(item) if kinds == expect.highlighted && items.len() == 1 => {
            if message.contains(&format!("{item:?}")) {
                None
            } else {
                Some(format!(
                    "{label}: the highlighted item {item} is not the one the message names: {message}"
                ))
            }
        }
        _ => Some(format!(
            "{label}: highlighted {highlighted:?}, expected {:?} of one item",
            expect.highlighted
        )),
    }
}

macro_rules! fixtures_of {
    ($($test:ident => $topic:literal),* $(,)?) => {$(
        #[test]
        fn $test() {
            let _alone = common::exclusive();
            let problems = check_fixtures($topic);
            assert!(problems.is_empty(), "{}", problems.join("\n\n"));
        }
    )*};
}

fixtures_of! {
    thread_basics_fixtures_lose_exactly_their_tests => "01_thread_basics",
    join_all_fixtures_lose_exactly_their_tests => "02_join_all",
    daemon_threads_fixtures_lose_exactly_their_tests => "03_daemon_threads",
    shared_state_fixtures_lose_exactly_their_tests => "04_shared_state",
    producer_consumer_fixtures_lose_exactly_their_tests => "05_producer_consumer",
    ipc_fixtures_lose_exactly_their_tests => "06_ipc",
}

/// A student's check of a task that hangs everywhere (03 with a `finish` that
/// never returns): each test that hangs times out within the student limit,
/// and the task's tests started once one of them timed out are "not run"
/// rather than each waiting out its own limit. Grading runs every test.
#[test]
fn a_student_check_does_not_run_the_rest_of_a_hung_task() {
    let _alone = common::exclusive();
    let project = common::project();
    let topic = project.find("03_daemon_threads").expect("topic").clone();
    let reference = fs::read_to_string(project.solution_dir(&topic).join("src/runtime.rs"))
        .expect("reference readable");
    let head = "    pub fn finish(self, grace: Duration) -> Summary {\n";
    assert!(reference.contains(head), "the reference's finish() moved");
    let never = reference.replace(
        head,
        &format!(
            "{head}        #[allow(unreachable_code)]\n        loop {{ std::thread::park(); }}\n"
        ),
    );
    let overlay = tempfile::tempdir().expect("temp dir");
    fs::write(overlay.path().join("runtime.rs"), never).expect("mutant written");
    let source = common::overlay_source(&project, &topic, "finish_never_returns", overlay.path());
    let mut options = checker::CheckOptions::new(Source::Dir(source), vec![topic]);
    options.student_check = true;
    options.jobs = 1;
    // In order: finish_waits_for_ordinary_threads (Runtime::finish) times out at
    // 5 s; the tests after it start one by one, each 2 s after the one before
    // (once it waits), so finish_with_no_threads… (Runtime::finish), the last,
    // starts well after that.
    options.test_filter = Some("finish".into());
    let report = checker::check(&project, &options, &|_| {});
    let summary = common::summary(&report);
    let failure = |test: &str| {
        report.topics[0]
            .tests
            .iter()
            .find(|t| t.name == test)
            .unwrap_or_else(|| panic!("{test} missing:\n{summary}"))
            .verdict
            .failure
            .clone()
    };
    assert!(
        matches!(
            failure("finish_waits_for_ordinary_threads"),
            Some(Failure::TimedOut { seconds, .. }) if seconds == 5.0
        ),
        "{summary}"
    );
    assert_eq!(
        failure("finish_with_no_threads_returns_an_empty_summary"),
        Some(Failure::NotRun {
            reason: "`Runtime::finish` hangs (test finish_waits_for_ordinary_threads timed \
                     out); fix that first"
                .into()
        }),
        "{summary}"
    );
    // The student limit: the manifest's 10 s stays, 15 s or 20 s would be cut.
    for test in &report.topics[0].tests {
        if let Some(Failure::TimedOut { seconds, .. }) = test.verdict.failure {
            assert!(seconds <= 10.0, "{}: {seconds} s\n{summary}", test.name);
        }
    }
    assert_eq!(report.topics[0].tests.len(), 7, "{summary}");
    assert_eq!(report.points(), 0.0, "{summary}");
}
