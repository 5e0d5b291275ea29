//! The latest check results of `exercises/`, kept under the target directory so
//! `cargo xtask list` can show progress without recompiling anything.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::check::{CheckReport, TopicResult};
use crate::project::{Project, Topic};

/// Where the results live.
pub fn path(project: &Project) -> PathBuf {
    project.work_dir().join("last-check.json")
}

/// The latest result of every topic checked so far, by topic directory name.
pub fn load(project: &Project) -> Result<BTreeMap<String, TopicResult>> {
    let path = path(project);
    if !path.is_file() {
        return Ok(BTreeMap::new());
    }
    let text =
        fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is malformed", path.display()))
}

/// Merges `report` into the stored results (a topic's newest result wins).
pub fn record(project: &Project, report: &CheckReport) -> Result<()> {
    let mut all = load(project).unwrap_or_default();
    for topic in &report.topics {
        all.insert(topic.topic.clone(), topic.clone());
    }
    let path = path(project);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let text = serde_json::to_string_pretty(&all).context("cannot encode results")?;
    fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// Tests passed and points of one task of a topic (a row of `cargo xtask list`,
/// an entry of watch's task line).
#[derive(Debug, Clone, PartialEq)]
pub struct TaskProgress {
    /// The task's name (the contract item its tests grade).
    pub task: String,
    /// Tests of the task that passed.
    pub passed: usize,
    /// Tests of the task.
    pub tests: usize,
    /// Points awarded.
    pub points: f64,
    /// Points possible.
    pub max_points: f64,
    /// Whether the numbers come from a check (else from the manifest: nothing passed).
    pub checked: bool,
}

impl TaskProgress {
    /// Whether the task was checked and every one of its tests passed.
    pub fn done(&self) -> bool {
        self.checked && self.passed == self.tests
    }
}

/// Per task of `topic`, in manifest order: from `result` when it holds tests,
/// else from the manifest (nothing passed, not checked; no tasks when the
/// manifest cannot be read).
pub fn tasks(project: &Project, topic: &Topic, result: Option<&TopicResult>) -> Vec<TaskProgress> {
    let mut rows: Vec<TaskProgress> = Vec::new();
    let mut add = |task: &str, passed: bool, points: f64, max_points: f64, checked: bool| {
        let index = match rows.iter().position(|r| r.task == task) {
            Some(i) => i,
            None => {
                rows.push(TaskProgress {
                    task: task.to_owned(),
                    passed: 0,
                    tests: 0,
                    points: 0.0,
                    max_points: 0.0,
                    checked,
                });
                rows.len() - 1
            }
        };
        let row = &mut rows[index];
        row.tests += 1;
        row.passed += usize::from(passed);
        row.points += points;
        row.max_points += max_points;
    };
    match result {
        Some(result) if !result.tests.is_empty() => {
            for t in &result.tests {
                add(&t.task, t.verdict.passed(), t.points, t.max_points, true);
            }
        }
        _ => {
            if let Ok(manifest) = project.manifest(topic) {
                for t in &manifest.tests {
                    add(&t.task, false, 0.0, t.points, false);
                }
            }
        }
    }
    rows
}

/// Whether a topic is finished: checked, with tests, every one passed.
pub fn done(result: Option<&TopicResult>) -> bool {
    result.is_some_and(|r| r.all_passed() && !r.tests.is_empty())
}

/// The first of `topics` not finished at its last check (see [`done`]).
pub fn next_unfinished<'a>(
    topics: &'a [Topic],
    results: &BTreeMap<String, TopicResult>,
) -> Option<&'a Topic> {
    topics.iter().find(|t| !done(results.get(&t.dir)))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::check::TestResult;
    use crate::judge::{Failure, Verdict};
    use crate::manifest::Visibility;

    fn project() -> Project {
        Project::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("..")).unwrap()
    }

    fn test(task: &str, passed: bool) -> TestResult {
        let verdict = if passed {
            Verdict {
                failure: None,
                notes: Vec::new(),
            }
        } else {
            Verdict::failed(Failure::Assertion {
                message: "no".into(),
            })
        };
        TestResult {
            name: format!("{task}_test"),
            task: task.into(),
            visibility: Visibility::Public,
            max_points: 2.0,
            points: if passed { 2.0 } else { 0.0 },
            verdict,
            timeline: None,
            seconds: 0.1,
        }
    }

    /// The directory name of the next unfinished topic.
    fn next(topics: &[Topic], results: &BTreeMap<String, TopicResult>) -> Option<String> {
        next_unfinished(topics, results).map(|t| t.dir.clone())
    }

    fn result(topic: &str, tests: Vec<TestResult>) -> TopicResult {
        TopicResult {
            topic: topic.into(),
            problem: None,
            reused: false,
            tests,
        }
    }

    #[test]
    fn tasks_group_the_tests_in_order() {
        let project = project();
        let topic = &project.topics[0];
        let r = result(
            &topic.dir,
            vec![test("b", true), test("a", false), test("b", false)],
        );
        let tasks = tasks(&project, topic, Some(&r));
        let summary: Vec<_> = tasks
            .iter()
            .map(|t| (t.task.as_str(), t.passed, t.tests, t.points, t.done()))
            .collect();
        assert_eq!(summary, [("b", 1, 2, 2.0, false), ("a", 0, 1, 0.0, false)]);
        assert!(
            tasks
                .iter()
                .all(|t| t.checked && t.max_points == 2.0 * t.tests as f64)
        );
    }

    #[test]
    fn unchecked_tasks_come_from_the_manifest() {
        let project = project();
        let topic = &project.topics[0];
        let manifest = project.manifest(topic).unwrap();
        let tasks = tasks(&project, topic, None);
        assert!(!tasks.is_empty());
        assert!(
            tasks
                .iter()
                .all(|t| !t.checked && t.passed == 0 && !t.done())
        );
        assert_eq!(
            tasks.iter().map(|t| t.tests).sum::<usize>(),
            manifest.tests.len()
        );
    }

    #[test]
    fn the_next_topic_is_the_first_not_finished() {
        let project = project();
        let [first, second, third, ..] = &project.topics[..] else {
            panic!("the course has fewer than three topics");
        };
        let mut results = BTreeMap::new();
        assert_eq!(next(&project.topics, &results), Some(first.dir.clone()));
        results.insert(first.dir.clone(), result(&first.dir, vec![test("a", true)]));
        // Checked without a single test is not finished.
        results.insert(second.dir.clone(), result(&second.dir, Vec::new()));
        assert!(done(results.get(&first.dir)));
        assert!(!done(results.get(&second.dir)));
        assert_eq!(next(&project.topics, &results), Some(second.dir.clone()));
        results.insert(
            second.dir.clone(),
            result(&second.dir, vec![test("a", true), test("b", true)]),
        );
        assert_eq!(next(&project.topics, &results), Some(third.dir.clone()));
        let mut broken = result(&third.dir, vec![test("a", true)]);
        broken.problem = Some(Failure::CheckerError {
            message: "no".into(),
        });
        assert!(!done(Some(&broken)));
        let all: BTreeMap<String, TopicResult> = project
            .topics
            .iter()
            .map(|t| (t.dir.clone(), result(&t.dir, vec![test("a", true)])))
            .collect();
        assert_eq!(next(&project.topics, &all), None);
    }
}
