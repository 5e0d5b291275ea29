//! Pristine skeletons, for `cargo xtask reset`.
//!
//! In a student release `exercises/` is what the student edits, so the untouched
//! skeletons have to come from somewhere else:
//!
//! - a **student release** ships them in `checker/skeletons/NN_topic/<student file>`
//!   (written by `cargo xtask release` through [`write_store`]);
//! - the **instructor repository** has no such copy: its `exercises/` *are* the
//!   skeletons, as committed, so they are read from git (`HEAD`).
//!
//! Only student files (those listed in `checker/suites/topics.toml`) are ever restored.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::project::{Project, Topic};

/// Where a student release keeps the pristine skeletons, relative to its root.
pub const STORE_DIR: &str = "checker/skeletons";

/// The pristine skeleton of one student file, and where it came from.
#[derive(Debug, Clone)]
pub struct Pristine {
    /// The file's original content.
    pub content: Vec<u8>,
    /// Where it was read (`checker/skeletons/…` or `git HEAD`).
    pub origin: String,
}

/// The pristine copy of student file `rel` of `topic`.
pub fn pristine(project: &Project, topic: &Topic, rel: &str) -> Result<Pristine> {
    if !topic.student_files.iter().any(|f| f == rel) {
        bail!(
            "{rel} is not a student file of {}; its student files are: {}",
            topic.dir,
            topic.student_files.join(", ")
        );
    }
    let stored = store_path(&project.root, topic, rel);
    if stored.is_file() {
        let content =
            fs::read(&stored).with_context(|| format!("cannot read {}", stored.display()))?;
        return Ok(Pristine {
            content,
            origin: format!("{STORE_DIR}/{}/{rel}", topic.dir),
        });
    }
    if project.root.join(STORE_DIR).is_dir() {
        bail!(
            "there is no pristine copy of exercises/{}/{rel} in {STORE_DIR}/ (was this release made before the file existed?)",
            topic.dir
        );
    }
    if !project.has_solutions() {
        bail!(
            "there is no {STORE_DIR}/ folder here, so the original skeletons are unknown; the student release ships it"
        );
    }
    from_git(project, topic, rel)
}

/// The committed version of the file in the instructor repository.
fn from_git(project: &Project, topic: &Topic, rel: &str) -> Result<Pristine> {
    let spec = format!("HEAD:./exercises/{}/{rel}", topic.dir);
    let output = Command::new("git")
        .arg("-C")
        .arg(&project.root)
        .args(["show", &spec])
        .stdin(Stdio::null())
        .output()
        .context("the skeletons of the instructor repository come from git, which cannot be run")?;
    if !output.status.success() {
        bail!(
            "cannot read the committed skeleton exercises/{}/{rel} from git (is it committed?): {}",
            topic.dir,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(Pristine {
        content: output.stdout,
        origin: "git HEAD".into(),
    })
}

fn store_path(root: &Path, topic: &Topic, rel: &str) -> PathBuf {
    root.join(STORE_DIR).join(&topic.dir).join(rel)
}

/// Writes the pristine skeleton store of a student release: every student file
/// of every topic, copied from `project`'s `exercises/`, to
/// `out_root/checker/skeletons/NN_topic/<student file>`, plus a short README.
/// Returns the files written. Called by `cargo xtask release`.
pub fn write_store(project: &Project, out_root: &Path) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for topic in &project.topics {
        for rel in &topic.student_files {
            let from = project.exercise_dir(topic).join(rel);
            let to = store_path(out_root, topic, rel);
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            fs::copy(&from, &to)
                .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
            written.push(to);
        }
    }
    let readme = out_root.join(STORE_DIR).join("README.md");
    fs::write(
        &readme,
        "# Pristine skeletons\n\nThe untouched student files of every topic. `cargo xtask reset TOPIC` copies them\nback over `exercises/`; do not edit them.\n",
    )
    .with_context(|| format!("cannot write {}", readme.display()))?;
    written.push(readme);
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_release_store_is_read_back() {
        let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
        let project = Project::load(&root).unwrap();
        let out = tempfile::tempdir().unwrap();
        let written = write_store(&project, out.path()).unwrap();
        let topic = &project.topics[0];
        let rel = &topic.student_files[0];
        assert!(written.contains(&store_path(out.path(), topic, rel)));

        // A release-shaped project: topics.toml and the store, no solutions/.
        let suites = out.path().join("checker/suites");
        fs::create_dir_all(&suites).unwrap();
        fs::copy(
            root.join("checker/suites/topics.toml"),
            suites.join("topics.toml"),
        )
        .unwrap();
        let release = Project::load(out.path()).unwrap();
        let got = pristine(&release, topic, rel).unwrap();
        assert_eq!(
            got.content,
            fs::read(project.exercise_dir(topic).join(rel)).unwrap()
        );
        assert!(pristine(&release, topic, "src/lib.rs").is_err());
    }
}
