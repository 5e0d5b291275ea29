//! A student's check reuses a topic's last result when nothing the result
//! depends on changed, as `go test` reuses a package's: the same sandbox
//! sources (student files, suite files, snapshots, manifests), the same built
//! binaries, the same checker and the same options. Only a result worth
//! keeping is kept: every test passed or stopped at a `todo!()`, the two
//! outcomes a re-run cannot change. A failure of any other kind always runs
//! again (it may be a race that a new run shows differently), and grading
//! never reuses anything.

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::time::UNIX_EPOCH;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::assemble;
use crate::check::CheckOptions;
use crate::check_result::TopicResult;
use crate::compile::Binaries;
use crate::sandbox::Sandbox;

/// The file in a topic's sandbox that keeps its last result worth keeping.
const LAST_RESULT_FILE: &str = "last-result.json";

/// What [`LAST_RESULT_FILE`] holds.
#[derive(Serialize, Deserialize)]
struct LastResult {
    /// The [`fingerprint`] the result was found with, in hexadecimal.
    fingerprint: String,
    /// The topic's result.
    result: TopicResult,
}

/// A digest of everything a topic's result depends on: the sandbox's sources
/// by content, its built binaries and the checker's own executable by size
/// and modification time (cargo rewrites a binary it rebuilds), and the
/// options that change what runs (all but `repeat`).
pub(crate) fn fingerprint(
    sandbox: &Sandbox,
    binaries: &Binaries,
    options: &CheckOptions,
) -> Result<String> {
    let mut hasher = DefaultHasher::new();
    let checker = std::env::current_exe().context("cannot locate the checker's executable")?;
    hash_identity(&checker, &mut hasher)?;
    // Not `repeat`: a result that passed N runs stands for one run, and a
    // check that asks for N runs never reuses (see `Reuse::Refresh`).
    (
        &options.test_filter,
        options.seed,
        &options.replay,
        options.student_check,
    )
        .hash(&mut hasher);
    for name in ["Cargo.toml", "Cargo.lock"] {
        hash_content(&sandbox.root, &sandbox.root.join(name), &mut hasher)?;
    }
    let mut sources = assemble::walk(&sandbox.crate_dir)?;
    sources.sort();
    for file in &sources {
        hash_content(&sandbox.crate_dir, file, &mut hasher)?;
    }
    // The programs the tests start (`CARGO_BIN_EXE_*`), beside the test binaries.
    let bin_dir = sandbox.target_dir.join("debug");
    let mut programs: Vec<_> = fs::read_dir(&bin_dir)
        .with_context(|| format!("cannot list {}", bin_dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            // Programs only: not cargo's lock file or dependency lists.
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            path.is_file() && !name.starts_with('.') && !name.ends_with(".d")
        })
        .collect();
    programs.sort();
    programs.extend(binaries.tests.values().cloned());
    for program in &programs {
        hash_identity(program, &mut hasher)?;
    }
    format!("{:?}", binaries.lock_findings).hash(&mut hasher);
    Ok(format!("{:016x}", hasher.finish()))
}

/// Hashes a file's path below `base` and its content.
fn hash_content(base: &Path, file: &Path, hasher: &mut DefaultHasher) -> Result<()> {
    file.strip_prefix(base).unwrap_or(file).hash(hasher);
    fs::read(file)
        .with_context(|| format!("cannot read {}", file.display()))?
        .hash(hasher);
    Ok(())
}

/// Hashes a file's path, size and modification time.
fn hash_identity(file: &Path, hasher: &mut DefaultHasher) -> Result<()> {
    let metadata = fs::metadata(file).with_context(|| format!("cannot read {}", file.display()))?;
    let modified = metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .unwrap_or_default();
    (file, metadata.len(), modified).hash(hasher);
    Ok(())
}

/// The topic's last result, when it was kept with this `fingerprint`, marked
/// as reused. Anything unreadable is no result.
pub(crate) fn last_result(sandbox: &Sandbox, fingerprint: &str) -> Option<TopicResult> {
    let text = fs::read_to_string(sandbox.root.join(LAST_RESULT_FILE)).ok()?;
    let last: LastResult = serde_json::from_str(&text).ok()?;
    if last.fingerprint != fingerprint || !worth_keeping(&last.result) {
        return None;
    }
    Some(TopicResult {
        reused: true,
        ..last.result
    })
}

/// Keeps `result` for the next check when it is worth keeping, and forgets
/// the last one otherwise. Losing it only costs the next check a run.
pub(crate) fn keep(sandbox: &Sandbox, fingerprint: &str, result: &TopicResult) {
    let path = sandbox.root.join(LAST_RESULT_FILE);
    if !worth_keeping(result) {
        let _ = fs::remove_file(path);
        return;
    }
    let last = LastResult {
        fingerprint: fingerprint.to_owned(),
        result: result.clone(),
    };
    if let Ok(json) = serde_json::to_string(&last) {
        let _ = fs::write(path, json);
    }
}

/// Whether a re-run could not change `result`: no problem, and every test
/// passed or stopped at a `todo!()`.
fn worth_keeping(result: &TopicResult) -> bool {
    result.problem.is_none()
        && !result.tests.is_empty()
        && result.tests.iter().all(|test| {
            test.verdict
                .failure
                .as_ref()
                .is_none_or(|failure| failure.todo_location().is_some())
        })
}

#[cfg(test)]
mod tests {
    use super::worth_keeping;
    use crate::check_result::{TestResult, TopicResult};
    use crate::judge::{Failure, Verdict};
    use crate::manifest::Visibility;

    fn topic(verdicts: Vec<Verdict>) -> TopicResult {
        TopicResult {
            topic: "01_thread_basics".into(),
            problem: None,
            reused: false,
            tests: verdicts
                .into_iter()
                .map(|verdict| TestResult {
                    name: "t".into(),
                    task: "task".into(),
                    visibility: Visibility::Public,
                    max_points: 1.0,
                    points: 0.0,
                    verdict,
                    seconds: 0.1,
                    timeline: None,
                })
                .collect(),
        }
    }

    fn failed(failure: Failure) -> Verdict {
        Verdict {
            failure: Some(failure),
            notes: Vec::new(),
        }
    }

    #[test]
    fn passes_and_todos_are_kept_and_any_other_failure_runs_again() {
        let pass = Verdict {
            failure: None,
            notes: Vec::new(),
        };
        let todo = failed(Failure::NotImplemented {
            location: "src/lib.rs:3".into(),
        });
        let panicked = failed(Failure::CheckerError {
            message: "boom".into(),
        });
        assert!(worth_keeping(&topic(vec![pass.clone(), todo.clone()])));
        assert!(!worth_keeping(&topic(vec![pass, todo, panicked])));
        assert!(!worth_keeping(&topic(Vec::new())));
    }
}
