//! Runs a topic's tests once it is built: per test, the lock rule, the runs
//! ([`crate::run`]) with the protocol's environment ([`TestEnv`]) and the
//! sandbox's confinement [`Policy`], their verdicts ([`crate::judge`]), and the
//! [`SuiteGuard`] that catches a test rewriting the suite's files.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Result;
use threadlings_protocol::{TestEnv, Timeline};

use crate::assemble::{self, Sandbox};
use crate::check::{CheckOptions, Progress, STUDENT_TIME_LIMIT_SECS};
use crate::check_result::TestResult;
use crate::compile::Binaries;
use crate::confine::{Policy, SHARED_MEMORY_DIR};
use crate::judge::{self, Failure, Verdict};
use crate::manifest::TestSpec;
use crate::parallel::parallel_for_overlapping;
use crate::project::Topic;
use crate::run::{self, RunRequest};

/// A parallel test still running after this long (every reference test takes
/// about a second, two at most on a busy machine) most likely waits for its
/// time limit: the next test starts beside it while every running test waits
/// (see [`parallel_for_overlapping`]). In grading as in a student's check: the
/// limits and verdicts stay the same, a hang only stops holding a worker.
const WAITING_PATIENCE: Duration = Duration::from_secs(2);

/// Runs the selected tests: parallel ones on `jobs` workers, then (rarely)
/// those the guard could not tell apart, alone, then serial ones alone, then
/// performance tests alone. Results come back in the order of `selected`.
/// `shared_memory`: the topic's tests may write `/dev/shm`.
///
/// In a student's check ([`CheckOptions::student_check`]) some tests are not
/// run (see [`Runner::not_run`]); grading runs every test.
pub(crate) fn run_tests(
    options: &CheckOptions,
    topic: &Topic,
    sandbox: &Sandbox,
    binaries: &Binaries,
    selected: &[&TestSpec],
    shared_memory: bool,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Vec<TestResult> {
    let runner = Runner {
        options,
        topic,
        sandbox,
        binaries,
        guard: SuiteGuard::new(sandbox.crate_dir.join("tests")),
        policy: policy_of(options, sandbox, shared_memory),
        hung: Mutex::new(BTreeMap::new()),
    };
    let done = |result: TestResult| -> TestResult {
        progress(Progress::TestDone {
            topic: &topic.dir,
            result: &result,
        });
        result
    };
    let run_one = |index: usize, earlier: &TaskOutcomes| -> Option<TestResult> {
        let spec = selected[index];
        let result = match runner.not_run(spec, earlier) {
            Some(failure) => TestResult::of(spec, Verdict::failed(failure), 0.0),
            None => runner.run(index, spec)?,
        };
        Some(done(result))
    };
    let (performance, others): (Vec<usize>, Vec<usize>) =
        (0..selected.len()).partition(|&i| selected[i].performance);
    let (serial, parallel): (Vec<usize>, Vec<usize>) =
        others.into_iter().partition(|&i| selected[i].serial);
    let mut results: BTreeMap<usize, TestResult> = BTreeMap::new();
    let nothing_yet = TaskOutcomes::default();
    let run_parallel = |&index: &usize| (index, run_one(index, &nothing_yet));
    // Overlap only while no test is on a CPU, at two looks in a row: a test
    // slowed down by a busy machine is still computing, and another test
    // beside it would only slow both.
    let quiet_before = AtomicBool::new(false);
    let all_waiting = || {
        let quiet = !run::tests_on_cpu();
        quiet_before.swap(quiet, Ordering::SeqCst) && quiet
    };
    let ran = parallel_for_overlapping(
        options.jobs,
        WAITING_PATIENCE,
        &all_waiting,
        &parallel,
        run_parallel,
    );
    // A test whose verdict was withheld ran beside the one that rewrote a suite
    // file: each runs again alone, where the guard's blame is certain.
    for (index, result) in ran {
        if let Some(result) = result.or_else(|| run_one(index, &nothing_yet)) {
            results.insert(index, result);
        }
    }
    for index in serial {
        results.extend(run_one(index, &nothing_yet).map(|r| (index, r)));
    }
    // Every functional test has run: what it said of each task decides
    // whether that task's performance tests run.
    let functional = TaskOutcomes::of(results.values());
    for index in performance {
        results.extend(run_one(index, &functional).map(|r| (index, r)));
    }
    results.into_values().collect()
}

/// Everything the runs of one topic's tests share.
struct Runner<'a> {
    options: &'a CheckOptions,
    topic: &'a Topic,
    sandbox: &'a Sandbox,
    binaries: &'a Binaries,
    guard: SuiteGuard,
    policy: Policy,
    /// In a student's check: per task, the first of its tests that timed out.
    hung: Mutex<BTreeMap<String, String>>,
}

impl Runner<'_> {
    /// Why `spec` is not run, if it is not (see [`not_run_failure`]); `None` in grading.
    fn not_run(&self, spec: &TestSpec, earlier: &TaskOutcomes) -> Option<Failure> {
        if !self.options.student_check {
            return None;
        }
        let hung = self.hung.lock().unwrap_or_else(|e| e.into_inner());
        not_run_failure(&hung, spec, earlier)
    }

    /// The time limit of `spec` (see [`time_limit`]).
    fn time_limit(&self, spec: &TestSpec) -> Duration {
        time_limit(self.options.student_check, spec)
    }

    /// Runs test `index` (`spec`) `repeat` times and judges it; `None` when the
    /// guard withheld its verdict (it ran beside a test that rewrote the suite).
    fn run(&self, index: usize, spec: &TestSpec) -> Option<TestResult> {
        let started = Instant::now();
        let lock_verdict = crate::lock_rule::verdict(
            &spec.model_files,
            &self.topic.student_files,
            &self.binaries.lock_findings,
        );
        // The event log of the first failing run, if its test handed one over.
        let mut timeline = None;
        let verdict = match (lock_verdict, self.binaries.tests.get(spec.binary())) {
            // A foreign lock in a file the test relies on: it fails without running
            // (the model checker could not explore the file; a std lock could hang).
            (Some(verdict), _) => verdict,
            (None, None) => Verdict::failed(Failure::CheckerError {
                message: format!("no test binary was built for {}.rs", spec.file),
            }),
            (None, Some(binary)) => {
                let mut runs = Vec::new();
                for _ in 0..self.options.repeat.max(1) {
                    match self.run_once(index, binary.clone(), spec) {
                        Some((verdict, log)) => {
                            if timeline.is_none() && !verdict.passed() {
                                timeline = log;
                            }
                            runs.push(verdict);
                        }
                        None => return None,
                    }
                }
                judge::combine_repeats(runs)
            }
        };
        if self.options.student_check && matches!(verdict.failure, Some(Failure::TimedOut { .. })) {
            self.hung
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(spec.task.clone())
                .or_insert_with(|| spec.name.clone());
        }
        let mut result = TestResult::of(spec, verdict, started.elapsed().as_secs_f64());
        self.draw_timeline(&mut result, timeline.as_ref());
        Some(result)
    }

    /// Draws the failing run's `timeline` beside the results and names it in
    /// `result`; removes the picture of an earlier check otherwise. A picture
    /// that cannot be written becomes a note: it never changes the verdict.
    fn draw_timeline(&self, result: &mut TestResult, timeline: Option<&Timeline>) {
        let dir = match &self.options.timelines {
            Some(base) => base.join(&self.topic.dir),
            None => self.sandbox.root.join("timelines"),
        };
        let (Some(timeline), Some(failure)) = (timeline, &result.verdict.failure) else {
            crate::timeline::remove_stale(&dir, &result.name);
            return;
        };
        match crate::timeline::write(&dir, &result.name, timeline, &failure.message()) {
            Ok(path) => result.timeline = Some(path.display().to_string()),
            Err(e) => result
                .verdict
                .notes
                .push(format!("the timeline could not be drawn: {e:#}")),
        }
    }

    /// One run of one test, judged, with the event log its test handed over;
    /// `None` when the guard withheld the verdict.
    fn run_once(
        &self,
        index: usize,
        binary: PathBuf,
        spec: &TestSpec,
    ) -> Option<(Verdict, Option<Timeline>)> {
        let verdict = if self.options.bless {
            self.try_run_once(binary, spec)
        } else {
            let watched = self.guard.watch(index);
            let verdict = self.try_run_once(binary, spec);
            match watched.finish() {
                Ok(GuardVerdict::Untouched) => verdict,
                Ok(GuardVerdict::Withheld) => return None,
                Ok(GuardVerdict::Rewritten(changed)) => Ok((
                    Verdict::failed(Failure::Crashed {
                        message: format!(
                            "the suite's files were modified while this test ran ({changed}); tests must not write them"
                        ),
                    }),
                    None,
                )),
                Err(e) => Err(e),
            }
        };
        Some(verdict.unwrap_or_else(|e| {
            let failure = Verdict::failed(Failure::CheckerError {
                message: format!("{e:#}"),
            });
            (failure, None)
        }))
    }

    fn try_run_once(
        &self,
        binary: PathBuf,
        spec: &TestSpec,
    ) -> Result<(Verdict, Option<Timeline>)> {
        let timeout = self.time_limit(spec);
        let test_env = TestEnv {
            topic: self.topic.dir.clone(),
            // file!() in the tests is relative to the sandbox workspace, so insta
            // finds snapshots from there.
            workspace_root: self.sandbox.root.clone(),
            seed: self.options.seed,
            replay: self.options.replay.clone(),
            bless: self.options.bless,
            waits_at: crate::compile::waitgraph_feature(self.sandbox).map(|_| waits_at(timeout)),
        };
        let _alone = spec.serial.then(run::exclusive);
        let _one_of_its_group = spec.exclusive_group.as_deref().map(run::exclusive_in_group);
        let output = run::run_test(&RunRequest {
            binary,
            test: spec.path_in_binary(),
            cwd: self.sandbox.crate_dir.clone(),
            timeout,
            env: test_env.vars(),
            policy: self.policy.clone(),
        })?;
        let verdict = judge::judge_run(&output, timeout);
        // Only a failure that the harness reported itself carries a picture.
        let timeline = match &verdict.failure {
            Some(Failure::Assertion { .. }) => crate::timeline::from_report(&output.report),
            _ => None,
        };
        Ok((verdict, timeline))
    }
}

/// What a topic's functional tests said of each task, for its performance
/// tests (see [`not_run_failure`]).
#[derive(Debug, Default)]
struct TaskOutcomes {
    /// Per task, where its first test stopped at a `todo!()`.
    todo: BTreeMap<String, String>,
    /// The tasks with a test that did not pass.
    failing: BTreeSet<String>,
}

impl TaskOutcomes {
    /// The outcomes of `results`, the functional tests' results.
    fn of<'a>(results: impl IntoIterator<Item = &'a TestResult>) -> Self {
        let mut outcomes = TaskOutcomes::default();
        for result in results {
            let Some(failure) = &result.verdict.failure else {
                continue;
            };
            outcomes.failing.insert(result.task.clone());
            if let Some(location) = failure.todo_location() {
                outcomes
                    .todo
                    .entry(result.task.clone())
                    .or_insert_with(|| location.to_owned());
            }
        }
        outcomes
    }
}

/// Why `spec` is not run in a student's check, if it is not, as its failure:
/// - a performance test whose task is not implemented yet would stop at the
///   same `todo!()`, so it says so too (and a topic with nothing written still
///   reads "not started");
/// - its task hangs (`hung` names, per task, the first of its tests that timed
///   out: each of the others would most likely wait its whole limit too);
/// - a performance test whose task has a functional test that did not pass
///   (`earlier`): a speed measured now would mean nothing.
fn not_run_failure(
    hung: &BTreeMap<String, String>,
    spec: &TestSpec,
    earlier: &TaskOutcomes,
) -> Option<Failure> {
    if let (true, Some(location)) = (spec.performance, earlier.todo.get(&spec.task)) {
        return Some(Failure::NotImplemented {
            location: location.clone(),
        });
    }
    let reason = if let Some(test) = hung.get(&spec.task) {
        format!(
            "`{}` hangs (test {test} timed out); fix that first",
            spec.task
        )
    } else if spec.performance && earlier.failing.contains(&spec.task) {
        format!(
            "fix `{}`'s failing tests first: its speed is measured once they pass",
            spec.task
        )
    } else {
        return None;
    };
    Some(Failure::NotRun { reason })
}

/// The time limit of `spec`: the manifest's; in a student's check (unless it is
/// a performance test) at most [`STUDENT_TIME_LIMIT_SECS`] or a third of the
/// manifest's, whichever is longer: a test the manifest gives a long limit
/// (a demo, a model check: 30-60 s) keeps 10-20 s, still ten times what the
/// reference needs on a busy machine.
fn time_limit(student_check: bool, spec: &TestSpec) -> Duration {
    let seconds = if student_check && !spec.performance {
        spec.timeout
            .min(STUDENT_TIME_LIMIT_SECS.max(spec.timeout / 3.0))
    } else {
        spec.timeout
    };
    Duration::from_secs_f64(seconds)
}

/// When a test with a time limit `timeout` reports who waits on what: a tenth
/// of the limit (at least half a second) before it, so the report is in
/// before the test is killed.
fn waits_at(timeout: Duration) -> Duration {
    timeout.saturating_sub((timeout / 10).max(Duration::from_millis(500)))
}

/// What every test of a sandbox may touch (see [`crate::confine`]): execute the
/// sandbox's binaries (its target folder), read its snapshots (all public; insta
/// reads them), write `/dev/shm` when the topic needs it and the snapshots when
/// blessing; a private temporary folder is made in the sandbox's `run/` folder.
fn policy_of(options: &CheckOptions, sandbox: &Sandbox, shared_memory: bool) -> Policy {
    let snapshots = sandbox.snapshot_dir();
    let mut policy = Policy {
        read_exec: vec![sandbox.target_dir.clone()],
        temp_parent: sandbox.root.join("run"),
        ..Policy::default()
    };
    if options.bless {
        policy.write.push(snapshots);
    } else if snapshots.is_dir() {
        policy.read.push(snapshots);
    }
    if shared_memory {
        policy.write.push(PathBuf::from(SHARED_MEMORY_DIR));
    }
    policy
}

/// What the guard says about one run.
#[derive(Debug, PartialEq, Eq)]
enum GuardVerdict {
    /// No suite file changed while it ran.
    Untouched,
    /// This run rewrote the named suite file (it was restored).
    Rewritten(String),
    /// A suite file was rewritten while this run and others ran at once: which
    /// one wrote it is not known, so this run's verdict does not count.
    Withheld,
}

/// The suite files of a sandbox (tests and snapshots) as assembled, so a test
/// that rewrites them is caught and the originals put back.
///
/// The guard looks after every run. Without a user id per test (the checker
/// is not root), tests running at once could all have written the file, and
/// the first to finish is not necessarily the writer. So a change found while
/// other runs are in flight blames no one: every run in flight then is
/// withheld (including the writer, which was in flight when it wrote and is
/// until its own look), and [`run_tests`] runs each withheld test again alone,
/// where a change can only be its own. A verdict never depends on which
/// sibling happened to run beside it.
struct SuiteGuard {
    dir: PathBuf,
    files: BTreeMap<PathBuf, Vec<u8>>,
    state: Mutex<GuardState>,
}

#[derive(Default)]
struct GuardState {
    /// Tests (by index) with a run between [`SuiteGuard::watch`] and its look.
    in_flight: BTreeSet<usize>,
    /// Tests whose runs are withheld until they run again alone.
    withheld: BTreeSet<usize>,
}

/// A run the guard watches; [`Watched::finish`] looks at the files after it.
struct Watched<'a> {
    guard: &'a SuiteGuard,
    test: usize,
}

impl Watched<'_> {
    /// Restores any changed suite file and says what that means for this run.
    fn finish(self) -> Result<GuardVerdict> {
        let mut state = self.guard.state.lock().unwrap_or_else(|e| e.into_inner());
        let changed = self.guard.restore_if_changed();
        let test = self.test;
        let alone = state.in_flight.iter().all(|&t| t == test);
        let verdict = match &changed {
            Ok(Some(_)) if !alone => {
                let in_flight = state.in_flight.clone();
                state.withheld.extend(in_flight);
                GuardVerdict::Withheld
            }
            _ if state.withheld.contains(&test) => GuardVerdict::Withheld,
            Ok(Some(changed)) => GuardVerdict::Rewritten(changed.clone()),
            _ => GuardVerdict::Untouched,
        };
        state.in_flight.remove(&test);
        if verdict == GuardVerdict::Withheld {
            // Withheld once: the next run of this test is alone and judged.
            state.withheld.remove(&test);
        }
        changed.map(|_| verdict)
    }
}

impl SuiteGuard {
    /// Takes the files below `dir` (the sandbox crate's `tests/`) as they are now.
    fn new(dir: PathBuf) -> SuiteGuard {
        let files = assemble::walk(&dir)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|p| fs::read(&p).ok().map(|bytes| (p, bytes)))
            .collect();
        SuiteGuard {
            dir,
            files,
            state: Mutex::new(GuardState::default()),
        }
    }

    /// Marks a run of test `test` as in flight, until its [`Watched::finish`].
    fn watch(&self, test: usize) -> Watched<'_> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.in_flight.insert(test);
        Watched { guard: self, test }
    }

    /// Names the first changed or removed suite file, after restoring all of them.
    fn restore_if_changed(&self) -> Result<Option<String>> {
        let mut changed = None;
        for (path, bytes) in &self.files {
            let now = crate::source::read_untrusted(path, bytes.len() as u64).ok();
            if now.as_deref() != Some(bytes.as_slice()) {
                changed.get_or_insert_with(|| {
                    path.strip_prefix(&self.dir)
                        .unwrap_or(path)
                        .display()
                        .to_string()
                });
                // Whatever stands there now (a link, a FIFO, a folder) goes first:
                // the original is written in its place, never through it.
                match fs::symlink_metadata(path) {
                    Ok(meta) if meta.is_dir() => fs::remove_dir_all(path)?,
                    Ok(_) => fs::remove_file(path)?,
                    Err(_) => {}
                }
                assemble::write_if_changed(path, bytes)?;
            }
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Visibility;

    fn spec(name: &str, task: &str, timeout: f64, performance: bool) -> TestSpec {
        TestSpec {
            name: name.into(),
            file: "file".into(),
            task: task.into(),
            points: 1.0,
            timeout,
            serial: performance,
            exclusive_group: None,
            performance,
            visibility: Visibility::Public,
            model_files: Vec::new(),
        }
    }

    fn not_run_reason(failure: Option<Failure>) -> Option<String> {
        match failure {
            Some(Failure::NotRun { reason }) => Some(reason),
            other => other.map(|f| panic!("not a NotRun: {f:?}")),
        }
    }

    #[test]
    fn a_hung_task_s_tests_are_not_run_and_other_tasks_are() {
        let hung = BTreeMap::from([("finish".to_string(), "waits".to_string())]);
        let nothing = TaskOutcomes::default();
        let counts = spec("counts", "finish", 5.0, false);
        assert_eq!(
            not_run_reason(not_run_failure(&hung, &counts, &nothing)).as_deref(),
            Some("`finish` hangs (test waits timed out); fix that first")
        );
        let names = spec("names", "spawn", 5.0, false);
        assert_eq!(not_run_failure(&hung, &names, &nothing), None);
    }

    #[test]
    fn a_performance_test_waits_for_its_own_task_s_functional_tests() {
        let none = BTreeMap::new();
        let fast = spec("fast", "queue", 60.0, true);
        let failing = |task: &str| TaskOutcomes {
            failing: BTreeSet::from([task.to_owned()]),
            ..TaskOutcomes::default()
        };
        assert!(
            not_run_reason(not_run_failure(&none, &fast, &failing("queue")))
                .is_some_and(|r| r.starts_with("fix `queue`'s failing tests first"))
        );
        // Another task failing does not hold it back, nor a functional test.
        assert_eq!(not_run_failure(&none, &fast, &failing("crawl")), None);
        let functional = spec("fifo", "queue", 5.0, false);
        assert_eq!(not_run_failure(&none, &functional, &failing("queue")), None);
    }

    #[test]
    fn a_performance_test_of_a_task_not_started_says_where_it_stops() {
        let none = BTreeMap::new();
        let todo = TaskOutcomes {
            todo: BTreeMap::from([("queue".to_owned(), "src/queue.rs:12:9".to_owned())]),
            failing: BTreeSet::from(["queue".to_owned()]),
        };
        assert_eq!(
            not_run_failure(&none, &spec("fast", "queue", 60.0, true), &todo),
            Some(Failure::NotImplemented {
                location: "src/queue.rs:12:9".to_owned()
            })
        );
        // A functional test of that task runs (and stops at the todo!() itself).
        assert_eq!(
            not_run_failure(&none, &spec("fifo", "queue", 5.0, false), &todo),
            None
        );
    }

    #[test]
    fn a_student_s_check_caps_time_limits_except_performance_tests() {
        let long = spec("long", "t", 30.0, false);
        let longest = spec("longest", "t", 60.0, false);
        let short = spec("short", "t", 5.0, false);
        let fast = spec("fast", "t", 60.0, true);
        assert_eq!(time_limit(true, &long), Duration::from_secs(10));
        assert_eq!(time_limit(true, &longest), Duration::from_secs(20));
        assert_eq!(time_limit(true, &short), Duration::from_secs(5));
        assert_eq!(time_limit(true, &fast), Duration::from_secs(60));
        assert_eq!(time_limit(false, &long), Duration::from_secs(30));
    }

    fn guard_over_one_file() -> (tempfile::TempDir, PathBuf, SuiteGuard) {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("suite.rs");
        fs::write(&file, "original").expect("written");
        let guard = SuiteGuard::new(dir.path().to_path_buf());
        (dir, file, guard)
    }

    #[test]
    fn a_run_alone_that_rewrites_a_file_is_blamed_and_the_file_restored() {
        let (_dir, file, guard) = guard_over_one_file();
        let run = guard.watch(0);
        fs::write(&file, "rewritten").expect("written");
        assert_eq!(
            run.finish().expect("looked"),
            GuardVerdict::Rewritten("suite.rs".into())
        );
        assert_eq!(fs::read_to_string(&file).expect("read"), "original");
        assert_eq!(
            guard.watch(0).finish().expect("looked"),
            GuardVerdict::Untouched
        );
    }

    #[test]
    fn a_rewrite_beside_siblings_blames_no_sibling_whichever_finishes_first() {
        let (_dir, file, guard) = guard_over_one_file();
        let writer = guard.watch(0);
        let sibling = guard.watch(1);
        fs::write(&file, "rewritten").expect("written");
        // The sibling finishes first: it is not blamed, nor is the writer let off.
        assert_eq!(sibling.finish().expect("looked"), GuardVerdict::Withheld);
        assert_eq!(writer.finish().expect("looked"), GuardVerdict::Withheld);
        assert_eq!(fs::read_to_string(&file).expect("read"), "original");
        // Run again alone, each gets its own verdict.
        assert_eq!(
            guard.watch(1).finish().expect("looked"),
            GuardVerdict::Untouched
        );
        let writer = guard.watch(0);
        fs::write(&file, "rewritten").expect("written");
        assert_eq!(
            writer.finish().expect("looked"),
            GuardVerdict::Rewritten("suite.rs".into())
        );
    }

    #[test]
    fn a_run_that_started_after_the_rewrite_was_found_is_not_withheld() {
        let (_dir, file, guard) = guard_over_one_file();
        let writer = guard.watch(0);
        let sibling = guard.watch(1);
        fs::write(&file, "rewritten").expect("written");
        assert_eq!(sibling.finish().expect("looked"), GuardVerdict::Withheld);
        let later = guard.watch(2);
        assert_eq!(writer.finish().expect("looked"), GuardVerdict::Withheld);
        assert_eq!(later.finish().expect("looked"), GuardVerdict::Untouched);
    }
}
