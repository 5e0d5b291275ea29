//! `bless`: regenerate a topic's snapshots from the reference solutions.

use std::fs;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use crate::assemble;
use crate::check::{self, CheckOptions, CheckReport};
use crate::project::{Project, Topic};
use crate::source::Source;

/// Runs every test of `topics` on the solutions with insta allowed to write, then
/// copies each topic's snapshots back beside the test file that made them.
/// Returns the report of that run and the snapshot files that changed.
pub fn bless(project: &Project, topics: Vec<Topic>) -> Result<(CheckReport, Vec<PathBuf>)> {
    if !project.has_solutions() {
        bail!("bless needs solutions/: this looks like a student release");
    }
    let mut options = CheckOptions::new(Source::Solutions, topics.clone());
    options.bless = true;
    let report = check::check(project, &options, &|_| {});
    let mut changed = Vec::new();
    for topic in &topics {
        let sandbox = project.sandbox(&Source::Solutions.key(), topic);
        let suite = project.suite_dir(topic);
        for snap in assemble::walk(&sandbox.snapshot_dir())? {
            let Some(name) = snap.file_name().map(|n| n.to_string_lossy().into_owned()) else {
                continue;
            };
            if !name.ends_with(".snap") {
                continue;
            }
            let Some(name) = assemble::suite_snapshot_name(&name) else {
                continue;
            };
            // In the suite, a snapshot is named `<test file stem>__<snapshot name>.snap`.
            let stem = name.split("__").next().unwrap_or_default();
            let Some(folder) = ["public", "hidden"]
                .into_iter()
                .find(|f| suite.join(f).join(format!("{stem}.rs")).is_file())
            else {
                continue;
            };
            let target = suite.join(folder).join("snapshots").join(name);
            let content =
                fs::read(&snap).with_context(|| format!("cannot read {}", snap.display()))?;
            if fs::read(&target).ok().as_deref() != Some(content.as_slice()) {
                assemble::write_if_changed(&target, &content)?;
                changed.push(target);
            }
        }
    }
    Ok((report, changed))
}
