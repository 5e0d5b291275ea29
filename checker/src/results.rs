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
