//! The latest check results of `exercises/`, kept under the target directory so
//! `cargo xtask list` can show progress without recompiling anything.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::check::{CheckReport, TopicResult};
use crate::project::Project;

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
