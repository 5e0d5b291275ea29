//! What a check finds: per test, per topic, per source. Plain data, serialised
//! as the JSON report and kept as `exercises/`' last results.

use serde::{Deserialize, Serialize};

use crate::judge::{Failure, Verdict};
use crate::manifest::{TestSpec, Visibility};

/// The result of one test.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestResult {
    /// The test's name.
    pub name: String,
    /// The contract item it grades.
    pub task: String,
    /// Public or hidden.
    pub visibility: Visibility,
    /// Points it is worth.
    pub max_points: f64,
    /// Points awarded (all or nothing).
    pub points: f64,
    /// Pass, or why not.
    pub verdict: Verdict,
    /// Wall time of all its runs, in seconds.
    pub seconds: f64,
    /// The picture (SVG) of the failing run's event log, when the test handed
    /// one over (see [`crate::timeline`]). Absent from the JSON when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline: Option<String>,
}

impl TestResult {
    /// The result of the test `spec` with `verdict`: all of its points if it passed.
    pub fn of(spec: &TestSpec, verdict: Verdict, seconds: f64) -> TestResult {
        let points = if verdict.passed() { spec.points } else { 0.0 };
        TestResult {
            name: spec.name.clone(),
            task: spec.task.clone(),
            visibility: spec.visibility,
            max_points: spec.points,
            points,
            verdict,
            seconds,
            timeline: None,
        }
    }
}

/// The result of one topic.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TopicResult {
    /// Topic directory name.
    pub topic: String,
    /// A problem that failed the whole topic (compile error, bad submission).
    pub problem: Option<Failure>,
    /// Every graded test, in manifest order.
    pub tests: Vec<TestResult>,
    /// Taken from the topic's last check instead of run again: nothing it
    /// depends on changed (a student's check only; see [`crate::reuse`]).
    /// Absent from the JSON when `false`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reused: bool,
}

impl TopicResult {
    /// Points awarded.
    pub fn points(&self) -> f64 {
        self.tests.iter().map(|t| t.points).sum()
    }

    /// Points possible.
    pub fn max_points(&self) -> f64 {
        self.tests.iter().map(|t| t.max_points).sum()
    }

    /// Whether every test passed.
    pub fn all_passed(&self) -> bool {
        self.problem.is_none() && self.tests.iter().all(|t| t.verdict.passed())
    }
}

/// The result of checking one source.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckReport {
    /// What was checked (`exercises/`, a submission directory …).
    pub source: String,
    /// Per topic, in the order asked.
    pub topics: Vec<TopicResult>,
    /// Wall time in seconds.
    pub seconds: f64,
}

impl CheckReport {
    /// Points awarded over all topics.
    pub fn points(&self) -> f64 {
        self.topics.iter().map(TopicResult::points).sum()
    }

    /// Points possible over all topics.
    pub fn max_points(&self) -> f64 {
        self.topics.iter().map(TopicResult::max_points).sum()
    }

    /// Whether everything checked passed.
    pub fn all_passed(&self) -> bool {
        self.topics.iter().all(TopicResult::all_passed)
    }
}
