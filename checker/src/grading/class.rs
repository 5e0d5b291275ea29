//! The class at a glance: what `summary.md` and `report.html` show beyond the
//! per-submission table. Score histograms per topic, the pass rate of every
//! test (hardest first), the tests that were flaky, the most common kinds of
//! failure per task, and the submissions that could not be graded.
//!
//! Plain data computed from the graded results; both pages render the same
//! numbers, so they cannot disagree.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{RunInfo, SubmissionResult};
use crate::judge::Failure;

/// The buckets of a topic's score histogram, as a share of the topic's points.
pub const BUCKETS: [&str; 6] = ["0%", "1–24%", "25–49%", "50–74%", "75–99%", "100%"];

/// The bucket (index into [`BUCKETS`]) of `points` out of `max`.
pub fn bucket(points: f64, max: f64) -> usize {
    if max <= 0.0 || points >= max {
        return BUCKETS.len() - 1;
    }
    if points <= 0.0 {
        return 0;
    }
    let share = points / max;
    if share < 0.25 {
        1
    } else if share < 0.5 {
        2
    } else if share < 0.75 {
        3
    } else {
        4
    }
}

/// Why a test failed, in a few words: the kinds counted per task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// A `todo!()` was reached.
    NotImplemented,
    /// The test's message names lost updates (a data race on a counter or a balance).
    LostUpdates,
    /// The test's message names a deadlock.
    Deadlock,
    /// The test's message is about printed output.
    WrongOutput,
    /// An assertion failed, or the code panicked.
    AssertionOrPanic,
    /// Timed out with a thread still running.
    TimedOutBusy,
    /// Timed out with every thread waiting (a lock, a join, a channel, a child).
    TimedOutWaiting,
    /// Timed out on a pipe.
    TimedOutPipe,
    /// Timed out, cause unknown.
    TimedOut,
    /// The code left a process running after the test.
    LeftProcess,
    /// The test process ended without reporting (a crash, an exit, a signal).
    Crashed,
    /// Passed in some repeated runs and failed in others.
    Flaky,
    /// The topic did not compile.
    CompileError,
    /// A student file could not be taken.
    BadSubmission,
    /// The checker itself failed.
    CheckerError,
    /// Not run, because its task hung or failed (a student's check only).
    NotRun,
}

impl FailureKind {
    /// The words shown on the pages.
    pub fn label(self) -> &'static str {
        match self {
            FailureKind::NotImplemented => "not implemented",
            FailureKind::LostUpdates => "lost updates",
            FailureKind::Deadlock => "deadlock",
            FailureKind::WrongOutput => "wrong output",
            FailureKind::AssertionOrPanic => "assertion failed or panicked",
            FailureKind::TimedOutBusy => "timed out: a thread kept running",
            FailureKind::TimedOutWaiting => "timed out: every thread waiting",
            FailureKind::TimedOutPipe => "timed out: on a pipe",
            FailureKind::TimedOut => "timed out",
            FailureKind::LeftProcess => "left a process running",
            FailureKind::Crashed => "crashed",
            FailureKind::Flaky => "flaky",
            FailureKind::CompileError => "compile error",
            FailureKind::BadSubmission => "bad submission",
            FailureKind::CheckerError => "checker error",
            FailureKind::NotRun => "not run",
        }
    }

    /// The kind of `failure`. The words looked for in messages only sort
    /// failures into kinds; a verdict never depends on them.
    pub fn of(failure: &Failure) -> FailureKind {
        if failure.todo_location().is_some() {
            return FailureKind::NotImplemented;
        }
        match failure {
            Failure::NotImplemented { .. } => FailureKind::NotImplemented,
            Failure::Assertion { message } => {
                let message = message.to_lowercase();
                if message.contains("lost update") {
                    FailureKind::LostUpdates
                } else if message.contains("deadlock") {
                    FailureKind::Deadlock
                } else if message.contains("output") || message.contains("printed") {
                    FailureKind::WrongOutput
                } else {
                    FailureKind::AssertionOrPanic
                }
            }
            Failure::TimedOut { cause, .. } => {
                let cause = cause.as_deref().unwrap_or_default();
                if cause.contains("still running") {
                    FailureKind::TimedOutBusy
                } else if cause.contains("pipe") {
                    FailureKind::TimedOutPipe
                } else if cause.contains("every thread was waiting") {
                    FailureKind::TimedOutWaiting
                } else {
                    FailureKind::TimedOut
                }
            }
            Failure::Crashed { message } if message.contains("left a process running") => {
                FailureKind::LeftProcess
            }
            Failure::Crashed { .. } => FailureKind::Crashed,
            Failure::Flaky { .. } => FailureKind::Flaky,
            Failure::CompileError { .. } => FailureKind::CompileError,
            Failure::BadSubmission { .. } => FailureKind::BadSubmission,
            Failure::CheckerError { .. } => FailureKind::CheckerError,
            Failure::NotRun { .. } => FailureKind::NotRun,
        }
    }
}

/// One topic's score histogram.
#[derive(Debug, Clone, Serialize)]
pub struct Histogram {
    /// Topic directory name.
    pub topic: String,
    /// Points possible in the topic.
    pub max_points: f64,
    /// Submissions per bucket of [`BUCKETS`].
    pub counts: Vec<usize>,
}

/// How one test did across the class.
#[derive(Debug, Clone, Serialize)]
pub struct TestRate {
    /// Topic directory name.
    pub topic: String,
    /// The test's name.
    pub test: String,
    /// The contract item it grades.
    pub task: String,
    /// Submissions that passed it.
    pub passed: usize,
    /// Submissions graded on it.
    pub graded: usize,
}

impl TestRate {
    /// The share of graded submissions that passed, 0 to 1.
    pub fn rate(&self) -> f64 {
        if self.graded == 0 {
            0.0
        } else {
            self.passed as f64 / self.graded as f64
        }
    }
}

/// A test that was flaky (passed some repeated runs, failed others) somewhere.
#[derive(Debug, Clone, Serialize)]
pub struct FlakyTest {
    /// Topic directory name.
    pub topic: String,
    /// The test's name.
    pub test: String,
    /// Submissions in which it was flaky.
    pub submissions: usize,
    /// Passing runs over those submissions.
    pub runs_passed: u32,
    /// All runs over those submissions.
    pub runs: u32,
}

/// The kinds of failure of one task, most common first (tests that ran: a
/// topic that did not compile is in [`ClassStats::ungraded`] instead).
#[derive(Debug, Clone, Serialize)]
pub struct TaskFailures {
    /// Topic directory name.
    pub topic: String,
    /// The contract item.
    pub task: String,
    /// Failed tests of this task over the class.
    pub failed: usize,
    /// `(kind, count)`, most common first.
    pub kinds: Vec<(FailureKind, usize)>,
}

/// A submission (or one topic of it) that could not be graded, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Ungraded {
    /// The submission id.
    pub id: String,
    /// The topic, or `None` for the submission as a whole.
    pub topic: Option<String>,
    /// The kind of problem.
    pub kind: &'static str,
    /// The first line of the explanation.
    pub why: String,
}

/// Everything the class pages show beyond the per-submission table.
#[derive(Debug, Clone, Serialize)]
pub struct ClassStats {
    /// One histogram per topic, in column order.
    pub histograms: Vec<Histogram>,
    /// Every test, lowest pass rate first.
    pub tests: Vec<TestRate>,
    /// Tests flaky in at least one submission, most often first.
    pub flaky: Vec<FlakyTest>,
    /// Tasks with failures, most failures first.
    pub tasks: Vec<TaskFailures>,
    /// Submissions or topics that could not be graded.
    pub ungraded: Vec<Ungraded>,
}

/// How far the run got, in words: "3 of 4 submissions graded (shard 1/2) so
/// far in 7 s" (both pages start with it).
pub fn progress_line(info: &RunInfo, results: &[SubmissionResult]) -> String {
    let shard = info
        .shard
        .map(|s| format!(" (shard {}/{})", s.index, s.count))
        .unwrap_or_default();
    format!(
        "{} of {} submissions graded{shard}{} in {:.0} s",
        results.len(),
        info.submissions.len(),
        if info.finished { "" } else { " so far" },
        info.seconds
    )
}

/// Computes the class statistics of `results`.
pub fn stats(info: &RunInfo, results: &[SubmissionResult]) -> ClassStats {
    let mut histograms: Vec<Histogram> = info
        .topics
        .iter()
        .map(|topic| Histogram {
            topic: topic.clone(),
            max_points: 0.0,
            counts: vec![0; BUCKETS.len()],
        })
        .collect();
    let mut rates: BTreeMap<(String, String), TestRate> = BTreeMap::new();
    let mut flaky: BTreeMap<(String, String), FlakyTest> = BTreeMap::new();
    let mut kinds: BTreeMap<(String, String), BTreeMap<FailureKind, usize>> = BTreeMap::new();
    let mut ungraded = Vec::new();

    for result in results {
        if let Some(problem) = &result.problem {
            ungraded.push(Ungraded {
                id: result.id.clone(),
                topic: None,
                kind: "layout",
                why: first_line(problem),
            });
        }
        for topic in &result.report.topics {
            if let Some(h) = histograms.iter_mut().find(|h| h.topic == topic.topic) {
                h.max_points = h.max_points.max(topic.max_points());
                h.counts[bucket(topic.points(), topic.max_points())] += 1;
            }
            if let Some(problem) = &topic.problem {
                ungraded.push(Ungraded {
                    id: result.id.clone(),
                    topic: Some(topic.topic.clone()),
                    kind: FailureKind::of(problem).label(),
                    why: first_line(&detail(problem)),
                });
            }
            for test in &topic.tests {
                let key = (topic.topic.clone(), test.name.clone());
                let rate = rates.entry(key.clone()).or_insert_with(|| TestRate {
                    topic: topic.topic.clone(),
                    test: test.name.clone(),
                    task: test.task.clone(),
                    passed: 0,
                    graded: 0,
                });
                rate.graded += 1;
                let Some(failure) = &test.verdict.failure else {
                    rate.passed += 1;
                    continue;
                };
                if let Failure::Flaky { passed, runs, .. } = failure {
                    let entry = flaky.entry(key).or_insert_with(|| FlakyTest {
                        topic: topic.topic.clone(),
                        test: test.name.clone(),
                        submissions: 0,
                        runs_passed: 0,
                        runs: 0,
                    });
                    entry.submissions += 1;
                    entry.runs_passed = entry.runs_passed.saturating_add(*passed);
                    entry.runs = entry.runs.saturating_add(*runs);
                }
                // A topic that did not compile (or could not be taken) is listed as
                // not graded; its tests never ran, so they say nothing of the task.
                if topic.problem.is_some() {
                    continue;
                }
                *kinds
                    .entry((topic.topic.clone(), test.task.clone()))
                    .or_default()
                    .entry(FailureKind::of(failure))
                    .or_default() += 1;
            }
        }
    }
    for id in &info.submissions {
        if info.finished && !results.iter().any(|r| &r.id == id) {
            ungraded.push(Ungraded {
                id: id.clone(),
                topic: None,
                kind: "no results",
                why: "the run finished without results for it (its files could not be written?)"
                    .into(),
            });
        }
    }

    let mut tests: Vec<TestRate> = rates.into_values().collect();
    tests.sort_by(|a, b| {
        a.rate()
            .total_cmp(&b.rate())
            .then_with(|| topic_order(info, &a.topic).cmp(&topic_order(info, &b.topic)))
            .then_with(|| a.test.cmp(&b.test))
    });
    let mut flaky: Vec<FlakyTest> = flaky.into_values().collect();
    flaky.sort_by_key(|f| std::cmp::Reverse(f.submissions));
    let mut tasks: Vec<TaskFailures> = kinds
        .into_iter()
        .map(|((topic, task), counts)| {
            let mut kinds: Vec<(FailureKind, usize)> = counts.into_iter().collect();
            kinds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            TaskFailures {
                topic,
                task,
                failed: kinds.iter().map(|k| k.1).sum(),
                kinds,
            }
        })
        .collect();
    tasks.sort_by(|a, b| {
        b.failed
            .cmp(&a.failed)
            .then_with(|| topic_order(info, &a.topic).cmp(&topic_order(info, &b.topic)))
            .then_with(|| a.task.cmp(&b.task))
    });
    ClassStats {
        histograms,
        tests,
        flaky,
        tasks,
        ungraded,
    }
}

/// What a problem of a whole topic says beyond its kind: the compiler's or the
/// checker's own words.
fn detail(failure: &Failure) -> String {
    match failure {
        Failure::CompileError { message }
        | Failure::BadSubmission { message }
        | Failure::CheckerError { message } => message.clone(),
        other => other.message(),
    }
}

/// The column of `topic` (unknown topics last).
fn topic_order(info: &RunInfo, topic: &str) -> usize {
    info.topics
        .iter()
        .position(|t| t == topic)
        .unwrap_or(usize::MAX)
}

/// The first non-blank line of `text`, at most 200 characters.
pub(crate) fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    line.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grading::sample;

    fn info() -> RunInfo {
        RunInfo {
            shard: None,
            topics: sample::topics(),
            submissions: sample::class().into_iter().map(|r| r.id).collect(),
            finished: true,
            seconds: 1.0,
            sandbox: String::new(),
        }
    }

    #[test]
    fn buckets_split_at_the_quarters() {
        assert_eq!(bucket(0.0, 10.0), 0);
        assert_eq!(bucket(2.0, 10.0), 1);
        assert_eq!(bucket(2.5, 10.0), 2);
        assert_eq!(bucket(7.4, 10.0), 3);
        assert_eq!(bucket(9.9, 10.0), 4);
        assert_eq!(bucket(10.0, 10.0), 5);
    }

    #[test]
    fn failures_are_sorted_into_kinds() {
        let assertion = |m: &str| Failure::Assertion { message: m.into() };
        assert_eq!(
            FailureKind::of(&assertion("not implemented yet: src/a.rs:3")),
            FailureKind::NotImplemented
        );
        assert_eq!(
            FailureKind::of(&assertion("3 of 4000 adds were lost (a Lost Update)")),
            FailureKind::LostUpdates
        );
        assert_eq!(
            FailureKind::of(&assertion("left: 1\nright: 2")),
            FailureKind::AssertionOrPanic
        );
        let timeout = |cause: Option<&str>| Failure::TimedOut {
            seconds: 10.0,
            cause: cause.map(str::to_owned),
            threads: Vec::new(),
        };
        assert_eq!(FailureKind::of(&timeout(None)), FailureKind::TimedOut);
        assert_eq!(
            FailureKind::of(&timeout(Some(
                "a thread was still running: an endless loop"
            ))),
            FailureKind::TimedOutBusy
        );
        assert_eq!(
            FailureKind::of(&timeout(Some(
                "every thread was waiting on a lock, a condition variable"
            ))),
            FailureKind::TimedOutWaiting
        );
        let crashed = Failure::Crashed {
            message: "the assertions passed, but the code left a process running".into(),
        };
        assert_eq!(FailureKind::of(&crashed), FailureKind::LeftProcess);
    }

    #[test]
    fn the_sample_class_adds_up() {
        let class = sample::class();
        let stats = stats(&info(), &class);
        // Topic 01: every submission scores 3.5 of 8.5 (41%); topic 02: three compile errors.
        assert_eq!(stats.histograms[0].counts, vec![0, 0, 4, 0, 0, 0]);
        assert_eq!(stats.histograms[1].counts, vec![3, 0, 0, 0, 0, 0]);
        // Hardest first: nobody passed joins_<all>, waits or t; everyone passed spawns.
        let last = stats.tests.last().expect("tests");
        assert_eq!(
            (last.test.as_str(), last.passed, last.graded),
            ("spawns", 4, 4)
        );
        assert_eq!(stats.tests[0].rate(), 0.0);
        assert!(stats.flaky.is_empty());
        // Topic 02 never ran (compile errors): only topic 01's task has kinds.
        assert_eq!(stats.tasks.len(), 1);
        let task = &stats.tasks[0];
        assert_eq!((task.topic.as_str(), task.failed), ("01_thread_basics", 8));
        assert_eq!(
            task.kinds,
            vec![
                (FailureKind::AssertionOrPanic, 4),
                (FailureKind::TimedOut, 4)
            ]
        );
        // Three compile errors and one layout problem.
        assert_eq!(stats.ungraded.len(), 4);
        assert!(stats.ungraded.iter().any(|u| u.kind == "layout"));
    }

    #[test]
    fn flaky_tests_are_counted_across_the_class() {
        let mut class = sample::class();
        for result in &mut class[..2] {
            result.report.topics[0].tests[2].verdict.failure = Some(Failure::Flaky {
                passed: 3,
                runs: 5,
                message: "timed out".into(),
            });
        }
        let stats = stats(&info(), &class);
        assert_eq!(stats.flaky.len(), 1);
        let flaky = &stats.flaky[0];
        assert_eq!(flaky.test, "waits");
        assert_eq!(
            (flaky.submissions, flaky.runs_passed, flaky.runs),
            (2, 6, 10)
        );
        assert!(stats.tasks[0].kinds.contains(&(FailureKind::Flaky, 2)));
    }
}
