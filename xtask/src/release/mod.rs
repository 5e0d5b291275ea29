//! `cargo xtask release --out DIR`: write the student repository.
//!
//! What ships: the workspace files, `exercises/` (the skeletons), the checker
//! and its harness, the public half of every suite (tests, snapshots, and a
//! grading manifest listing only the public tests), the xtask CLI, the pristine
//! skeleton store for `cargo xtask reset`, and a README written for students.
//! What never ships: `solutions/`, every `hidden/` folder, the hidden tests'
//! manifest entries, the project's own tests and fixtures (they hold buggy
//! near-solutions), the instructor and author documents, the instructor's CI,
//! `target/`, `.git/`.
//!
//! The release must work exactly as written: its manifests are rewritten to
//! declare only what shipped ([`manifests`]), and it carries a workflow of its
//! own that checks a student's push with the public tests ([`STUDENT_WORKFLOW`]).

mod manifests;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use checker::Project;

/// Arguments of `cargo xtask release`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the student repository (must be empty or absent).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Write into a non-empty DIR: everything in it except `.git/` is replaced.
    #[arg(long)]
    pub force: bool,
}

/// The student README (the instructor's README.md is not shipped).
const STUDENT_README: &str = include_str!("student_readme.md");

/// The student repository's CI: the public tests on every push, the table in the
/// step summary and the score for GitHub Classroom's autograding reporter.
pub const STUDENT_WORKFLOW: &str = include_str!("student_workflow.yml");

/// Where the student workflow is written, relative to the release root.
pub const STUDENT_WORKFLOW_PATH: &str = ".github/workflows/check.yml";

/// Top-level entries of the instructor repository that ship, as they are or filtered.
const SHIPPED_TOP: &[&str] = &[
    ".cargo",
    ".gitignore",
    "Cargo.toml",
    "Cargo.lock",
    "rust-toolchain",
    "rust-toolchain.toml",
    "rustfmt.toml",
    "clippy.toml",
    "LICENSE",
    "LICENSE-MIT",
    "LICENSE-APACHE",
    "exercises",
    "checker",
    "xtask",
];

/// Runs `release`: exit 0, or 2 (bad usage or setup) with the reason.
pub fn run(args: Args) -> crate::Outcome {
    Ok(release(args)?)
}

fn release(args: Args) -> Result<()> {
    let project = crate::project()?;
    if !project.has_solutions() {
        bail!(
            "this already is a student release (no solutions/): release from the instructor repository"
        );
    }
    prepare_out(&args.out, args.force)?;
    let out = args
        .out
        .canonicalize()
        .with_context(|| format!("cannot open {}", args.out.display()))?;
    if out.starts_with(&project.root) {
        bail!(
            "{} is inside the instructor repository: write the release somewhere else",
            out.display()
        );
    }
    let written = write_release(&project, &out)?;
    println!(
        "wrote the student release to {} ({written} files): no solutions/, no hidden tests",
        out.display()
    );
    println!(
        "check it there with: cd {} && cargo xtask check",
        out.display()
    );
    Ok(())
}

/// Creates `out`, or checks it is empty, or (with `force`) empties it but for `.git/`.
fn prepare_out(out: &Path, force: bool) -> Result<()> {
    if !out.exists() {
        return fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()));
    }
    if !out.is_dir() {
        bail!("{} exists and is not a folder", out.display());
    }
    let entries: Vec<_> = fs::read_dir(out)
        .with_context(|| format!("cannot list {}", out.display()))?
        .flatten()
        .collect();
    if entries.is_empty() {
        return Ok(());
    }
    if !force {
        bail!(
            "{} is not empty: choose an empty folder, or pass --force to replace its content (its .git/ is kept)",
            out.display()
        );
    }
    for entry in entries {
        if entry.file_name() == ".git" {
            continue;
        }
        let path = entry.path();
        let result = if entry.file_type()?.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        result.with_context(|| format!("cannot remove {}", path.display()))?;
    }
    Ok(())
}

/// Writes the release into the (empty) folder `out`; returns the number of files.
pub fn write_release(project: &Project, out: &Path) -> Result<usize> {
    let root = &project.root;
    let mut count = 0;
    for name in SHIPPED_TOP {
        let from = root.join(name);
        if from.is_file() {
            copy_file(&from, &out.join(name))?;
            count += 1;
        } else if from.is_dir() {
            count += copy_tree(root, &from, out)?;
        }
    }
    // The public manifests: hidden tests' names and points are not shipped.
    for topic in &project.topics {
        let rel = Path::new("checker/suites")
            .join(&topic.dir)
            .join("manifest.toml");
        let from = root.join(&rel);
        if from.is_file() {
            let text = public_manifest(&project.suite_dir(topic), &from)?;
            fs::write(out.join(&rel), text)
                .with_context(|| format!("cannot write {}", out.join(&rel).display()))?;
        }
    }
    count += checker::skeletons::write_store(project, out)?.len();
    fs::write(out.join("README.md"), STUDENT_README).context("cannot write README.md")?;
    let workflow = out.join(STUDENT_WORKFLOW_PATH);
    if let Some(dir) = workflow.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    fs::write(&workflow, STUDENT_WORKFLOW)
        .with_context(|| format!("cannot write {}", workflow.display()))?;
    // Whatever the instructor workspace declares and the release does not ship
    // (a benchmark, a test target, a member) must not be declared in it either.
    manifests::fit_to_release(out).context("cannot fit the release's Cargo manifests")?;
    Ok(count + 2)
}

/// Whether a path (relative to the repository root) stays out of the release.
fn excluded(rel: &Path) -> bool {
    let text = rel.to_string_lossy().replace('\\', "/");
    let parts: Vec<&str> = text.split('/').collect();
    parts
        .iter()
        .any(|p| matches!(*p, "hidden" | "target" | ".git" | "solutions" | "fixtures"))
        || text.starts_with("checker/tests")
        || text.starts_with("xtask/tests")
        || text.starts_with("checker/benches")
        || text.starts_with("checker/skeletons")
        || text.ends_with(".snap.new")
        || text.ends_with(".pending-snap")
        || (parts.len() == 4
            && parts[0] == "checker"
            && parts[1] == "suites"
            && parts[3] == "manifest.toml")
}

/// Copies the files below `dir` that ship; returns how many.
fn copy_tree(root: &Path, dir: &Path, out: &Path) -> Result<usize> {
    let mut count = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in
            fs::read_dir(&current).with_context(|| format!("cannot list {}", current.display()))?
        {
            let entry = entry?;
            let path = entry.path();
            let rel = path
                .strip_prefix(root)
                .context("walked outside the repository")?;
            if excluded(rel) {
                continue;
            }
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                copy_file(&path, &out.join(rel))?;
                count += 1;
            }
        }
    }
    Ok(count)
}

fn copy_file(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    fs::copy(from, to)
        .map(|_| ())
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))
}

/// The manifest with only the tests whose file is in `public/`.
fn public_manifest(suite_dir: &Path, path: &Path) -> Result<String> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut table: toml::Table =
        toml::from_str(&text).with_context(|| format!("{} is malformed", path.display()))?;
    if let Some(toml::Value::Array(tests)) = table.get_mut("test") {
        tests.retain(|t| {
            t.get("file")
                .and_then(|f| f.as_str())
                .is_some_and(|f| suite_dir.join("public").join(format!("{f}.rs")).is_file())
        });
    }
    Ok(format!(
        "# The public tests of this topic: points, task and time limit of each.\n\
         # (The instructor's grading also runs hidden tests, not listed here.)\n\n{}",
        toml::to_string(&table).context("cannot write the manifest")?
    ))
}
