//! Step 1, assemble: a sandbox crate made of the canonical topic crate, only the
//! student files of the source, and the suite's tests and snapshots.
//!
//! Files are written only when their content changed, so an unchanged sandbox
//! keeps its timestamps and cargo rebuilds nothing but what was edited.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::project::{Project, Topic};
// The layout and naming of a sandbox, re-exported where they were first defined.
pub use crate::sandbox::{
    MODEL_BINARY, SUITE_BINARY, Sandbox, binary_of, sandbox_snapshot_name, suite_snapshot_name,
};

/// Removes everything built for the source with key `source_key`: its sandboxes
/// and its compiled units in the shared build directory, leaving the
/// dependencies and every other source's units. Used after grading a
/// submission, whose artifacts (tens of MB) would otherwise pile up class after
/// class.
///
/// A unit is recognised by its dep-info file (`deps/<unit>.d`), which lists
/// the unit's sources relative to the sandbox workspace, hence under the
/// source key's member folder.
pub fn remove_source_artifacts(project: &Project, source_key: &str) -> Result<()> {
    let sandboxes = project.sandboxes_of(source_key);
    if sandboxes.exists() {
        fs::remove_dir_all(&sandboxes)
            .with_context(|| format!("cannot remove {}", sandboxes.display()))?;
    }
    let profile_dir = project.work_dir().join("build").join("debug");
    let member = format!("{source_key}/");
    // A unit `<name>-<hash>` of this source: its dep-info names the member folder.
    let mut hashes = Vec::new();
    for path in list_files(&profile_dir.join("deps")).unwrap_or_default() {
        if path.extension().is_some_and(|e| e == "d")
            && fs::read_to_string(&path).is_ok_and(|text| {
                text.split_whitespace()
                    .any(|token| token.starts_with(&member))
            })
            && let Some((_, hash)) = path
                .file_stem()
                .and_then(|stem| stem.to_str())
                .and_then(|stem| stem.rsplit_once('-'))
        {
            hashes.push(hash.to_owned());
        }
    }
    if hashes.is_empty() {
        return Ok(());
    }
    // Every file and folder of such a unit ends in its hash, before any
    // extension: `deps/demo-<hash>`, `deps/libjoin_all-<hash>.rlib`,
    // `.fingerprint/join_all-<hash>/`, `build/<package>-<hash>/`.
    let of_this_source = |name: &str| {
        name.rsplit_once('-').is_some_and(|(_, rest)| {
            let hash = rest.split('.').next().unwrap_or(rest);
            hashes.iter().any(|h| h == hash)
        })
    };
    for folder in ["deps", ".fingerprint", "build"] {
        let Ok(entries) = fs::read_dir(profile_dir.join(folder)) else {
            continue;
        };
        for entry in entries.flatten() {
            if !of_this_source(&entry.file_name().to_string_lossy()) {
                continue;
            }
            let path = entry.path();
            let removed = if path.is_dir() {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            removed.with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    Ok(())
}

/// Writes the sandbox for `topic` with the given student files (path relative to
/// the crate, content).
pub fn assemble(
    project: &Project,
    topic: &Topic,
    sandbox: &Sandbox,
    student_files: &[(String, String)],
) -> Result<()> {
    let mut files: BTreeMap<PathBuf, Vec<u8>> = BTreeMap::new();

    // The canonical crate: Cargo.toml and src/, minus the student files.
    let exercise = project.exercise_dir(topic);
    let manifest = exercise.join("Cargo.toml");
    files.insert(
        PathBuf::from("Cargo.toml"),
        fs::read(&manifest).with_context(|| format!("cannot read {}", manifest.display()))?,
    );
    for path in walk(&exercise.join("src"))? {
        let rel = path
            .strip_prefix(&exercise)
            .context("walked outside the exercise")?;
        let rel_text = rel.to_string_lossy().replace('\\', "/");
        if topic.student_files.contains(&rel_text) {
            continue;
        }
        files.insert(rel.to_path_buf(), read(&path)?);
    }
    for (rel, text) in student_files {
        files.insert(PathBuf::from(rel), text.clone().into_bytes());
    }

    // The suite: test files and snapshots, public and (where present) hidden.
    // Each file becomes a module of one test binary (`tests/suite/`, and
    // `tests/model/` for model checking), so a topic links one or two test
    // executables instead of one per file.
    let suite = project.suite_dir(topic);
    let mut modules: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut suite_sources = UniqueDestinations::default();
    for folder in ["public", "hidden"] {
        let dir = suite.join(folder);
        if !dir.is_dir() {
            continue;
        }
        for path in list_files(&dir)? {
            if path.extension().is_some_and(|e| e == "rs") {
                let stem = module_name(&path)?;
                let binary = binary_of(&stem);
                let destination = Path::new("tests").join(binary).join(format!("{stem}.rs"));
                suite_sources.claim(&destination, &path)?;
                files.insert(destination, read(&path)?);
                modules.entry(binary).or_default().push(stem);
            }
        }
        let snapshots = dir.join("snapshots");
        if snapshots.is_dir() {
            for path in list_files(&snapshots)? {
                if path.extension().is_some_and(|e| e == "snap") {
                    let name = file_name(&path)?.to_string_lossy();
                    let destination =
                        Path::new("tests/snapshots").join(sandbox_snapshot_name(&name));
                    suite_sources.claim(&destination, &path)?;
                    files.insert(destination, read(&path)?);
                }
            }
        }
    }
    for (binary, mut stems) in modules {
        stems.sort();
        let mut main = String::from(
            "//! Generated by the threadlings checker: every suite file of this topic\n\
             //! is one module of this test binary.\n\n",
        );
        for stem in stems {
            main.push_str(&format!("mod {stem};\n"));
        }
        files.insert(Path::new("tests").join(binary).join("main.rs"), main.into());
    }

    sync_dir(&sandbox.crate_dir, &files)?;
    write_if_changed(
        &sandbox.root.join("Cargo.toml"),
        workspace_manifest(project, &sandbox.member)?.as_bytes(),
    )?;
    let lock = project.root.join("Cargo.lock");
    if lock.is_file() {
        write_if_changed(&sandbox.root.join("Cargo.lock"), &read(&lock)?)?;
    }
    Ok(())
}

/// The suite file each sandbox path was taken from, so that two suite files
/// (a public and a hidden one with the same stem) cannot silently overwrite each
/// other and surface as a compile error the student did not cause.
#[derive(Default)]
struct UniqueDestinations(BTreeMap<PathBuf, PathBuf>);

impl UniqueDestinations {
    /// Records that `source` becomes `destination`; an error if another file already does.
    fn claim(&mut self, destination: &Path, source: &Path) -> Result<()> {
        if let Some(earlier) = self
            .0
            .insert(destination.to_path_buf(), source.to_path_buf())
        {
            bail!(
                "suite files {} and {} would both become {} in the sandbox: suite file and \
                 snapshot names must be unique across public/ and hidden/",
                earlier.display(),
                source.display(),
                destination.display()
            );
        }
        Ok(())
    }
}

/// The dependencies a sandbox optimises. The build profile of every sandbox is
/// its own ([`sandbox_profile`]): the project's profile is tuned
/// for compiling its tools once, this one for compiling a topic crate often and
/// running its tests a few seconds.
/// - The topic crate and its test binaries: `opt-level = 0` (they compile about
///   3x faster than at 1; the suites' performance tests compare code built
///   alike in the same binary, the student's queue and crossbeam's channel both
///   instantiated there, so their ratios hold), `debug = false` (panic
///   locations are always compiled in; without debugger info test binaries link
///   several times faster and take a tenth of the disk, which matters when a
///   class is graded), `incremental = false` (a sandbox is rarely rebuilt after
///   a small edit).
/// - Dependencies: not optimised, except those the tests spend their time in
///   (the harness and the wait graph, shuttle and its engine, crossbeam, rand),
///   which are optimised. Measured on 2 cores, a cold sandbox of topic 01 builds
///   in 19 s instead of 50 s with every dependency optimised, and the reference
///   suites run in the same time (22 s); with none optimised they would take
///   31 s (shuttle's model checking, the harness's CPU probe). Dependencies are
///   built once in the shared build directory and reused by every sandbox. A
///   sandbox whose graph lacks a named package makes cargo warn about it
///   (the checker drops that warning from what it shows).
const OPTIMISED_DEPENDENCIES: &[&str] = &[
    "threadlings-harness",
    "threadlings-waitgraph",
    "crossbeam-channel",
    "crossbeam-utils",
    "shuttle",
    "shuttle-engine",
    "shuttle-schedulers",
    "shuttle-std",
    "corosensei",
    "tracing",
    "tracing-core",
    "scoped-tls",
    "smallvec",
    "bitvec",
    "rand",
    "rand_core",
    "rand_chacha",
    "rand_pcg",
    "chacha20",
    "ppv-lite86",
];

/// `[profile.dev]` of a sandbox (see [`OPTIMISED_DEPENDENCIES`]).
fn sandbox_profile() -> toml::Table {
    let opt_level = |level: i64| toml::Table::from_iter([("opt-level".to_string(), level.into())]);
    let mut packages = toml::Table::new();
    packages.insert("*".into(), opt_level(0).into());
    for name in OPTIMISED_DEPENDENCIES {
        packages.insert((*name).into(), opt_level(2).into());
    }
    let mut dev = opt_level(0);
    dev.insert("debug".into(), false.into());
    dev.insert("incremental".into(), false.into());
    dev.insert("package".into(), packages.into());
    toml::Table::from_iter([("dev".to_string(), dev.into())])
}

/// The sandbox's workspace Cargo.toml: the project's `[workspace.package]` and
/// `[workspace.dependencies]` (paths made absolute), one member, and the
/// sandbox profile.
fn workspace_manifest(project: &Project, member: &str) -> Result<String> {
    let path = project.root.join("Cargo.toml");
    let text =
        fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let main: toml::Table =
        toml::from_str(&text).with_context(|| format!("{} is malformed", path.display()))?;
    let mut workspace = toml::Table::new();
    workspace.insert("resolver".into(), "3".into());
    workspace.insert(
        "members".into(),
        toml::Value::Array(vec![toml::Value::from(member)]),
    );
    if let Some(main_ws) = main.get("workspace").and_then(|w| w.as_table()) {
        if let Some(package) = main_ws.get("package") {
            workspace.insert("package".into(), package.clone());
        }
        if let Some(deps) = main_ws.get("dependencies").and_then(|d| d.as_table()) {
            let mut deps = deps.clone();
            for (_, dep) in deps.iter_mut() {
                if let Some(p) = dep.get("path").and_then(|p| p.as_str()) {
                    let absolute = project.root.join(p).display().to_string();
                    if let Some(table) = dep.as_table_mut() {
                        table.insert("path".into(), absolute.into());
                    }
                }
            }
            workspace.insert("dependencies".into(), deps.into());
        }
    }
    let mut out = toml::Table::new();
    out.insert("workspace".into(), workspace.into());
    out.insert("profile".into(), sandbox_profile().into());
    Ok(format!(
        "# Generated by the threadlings checker; do not edit.\n{}",
        toml::to_string(&out).context("cannot write the sandbox manifest")?
    ))
}

/// Makes `dir` hold exactly `files` (relative path → content).
fn sync_dir(dir: &Path, files: &BTreeMap<PathBuf, Vec<u8>>) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for existing in walk(dir)? {
        let rel = existing.strip_prefix(dir).context("walked outside")?;
        if !files.contains_key(rel) {
            fs::remove_file(&existing)
                .with_context(|| format!("cannot remove {}", existing.display()))?;
        }
    }
    for (rel, content) in files {
        write_if_changed(&dir.join(rel), content)?;
    }
    Ok(())
}

/// Writes `content` to `path` unless it already holds exactly that.
pub(crate) fn write_if_changed(path: &Path, content: &[u8]) -> Result<()> {
    if fs::read(path).is_ok_and(|old| old == content) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    fs::write(path, content).with_context(|| format!("cannot write {}", path.display()))
}

fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// The module name of a suite file: its stem, which must be a plain identifier.
fn module_name(path: &Path) -> Result<String> {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let identifier = stem
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && stem
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !identifier || stem == "main" {
        bail!(
            "{}: a suite file's name must be a lowercase Rust identifier other than `main` \
             (it becomes a module of the topic's test binary)",
            path.display()
        );
    }
    Ok(stem)
}

fn file_name(path: &Path) -> Result<&std::ffi::OsStr> {
    path.file_name()
        .with_context(|| format!("{} has no file name", path.display()))
}

/// The regular files directly inside `dir`, sorted.
fn list_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            out.push(entry.path());
        }
    }
    out.sort();
    Ok(out)
}

/// Every regular file below `dir` (recursively), sorted; empty when `dir` is absent.
pub(crate) fn walk(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in
            fs::read_dir(&current).with_context(|| format!("cannot list {}", current.display()))?
        {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_and_a_hidden_file_of_the_same_name_are_refused() {
        let mut destinations = UniqueDestinations::default();
        let sandbox_path = Path::new("tests/suite/queue.rs");
        destinations
            .claim(sandbox_path, Path::new("suites/05/public/queue.rs"))
            .expect("the first claim is fine");
        destinations
            .claim(
                Path::new("tests/suite/crawler.rs"),
                Path::new("suites/05/hidden/crawler.rs"),
            )
            .expect("another name is fine");
        let error = destinations
            .claim(sandbox_path, Path::new("suites/05/hidden/queue.rs"))
            .expect_err("the same name twice is refused");
        let message = error.to_string();
        assert!(
            message.contains("public/queue.rs") && message.contains("hidden/queue.rs"),
            "{message}"
        );
    }
}
