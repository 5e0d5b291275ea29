//! The layout and naming of a sandbox: where its workspace, crate, target and
//! snapshots are, and how suite files and snapshots are named inside it. Plain
//! data about paths and names, used by [`crate::assemble`] (which writes a
//! sandbox), [`crate::manifest`] (which binary a test is in), the build and the
//! test runs. It depends on no other module of the checker (a project finds
//! its sandboxes with [`crate::project::Project::sandbox`]).

use std::path::{Path, PathBuf};

/// A sandbox: its own small workspace holding one topic crate.
#[derive(Debug, Clone)]
pub struct Sandbox {
    /// The sandbox workspace root (holds Cargo.toml, Cargo.lock, `crate/`).
    pub root: PathBuf,
    /// The topic crate inside the sandbox.
    pub crate_dir: PathBuf,
    /// The crate's folder name inside the sandbox: the source key. Cargo names
    /// artifacts in the shared build directory after the package's path relative
    /// to its workspace, so each source needs its own path or sandboxes would
    /// reuse each other's binaries.
    pub member: String,
    /// This sandbox's own target directory (final artifacts: test binaries, bins).
    pub target_dir: PathBuf,
    /// The build directory shared by every sandbox, so dependencies compile once.
    pub build_dir: PathBuf,
}

impl Sandbox {
    /// The sandbox of topic folder `topic_dir` from the source with key
    /// `source_key`, in the checker's work folder `work_dir`.
    pub fn locate(work_dir: &Path, source_key: &str, topic_dir: &str) -> Sandbox {
        let root = Sandbox::source_root(work_dir, source_key).join(topic_dir);
        Sandbox {
            crate_dir: root.join(source_key),
            member: source_key.to_owned(),
            target_dir: root.join("target"),
            build_dir: work_dir.join("build"),
            root,
        }
    }

    /// The folder holding every sandbox of the source with key `source_key`.
    pub fn source_root(work_dir: &Path, source_key: &str) -> PathBuf {
        work_dir.join("sandboxes").join(source_key)
    }

    /// The snapshot folder insta reads inside the sandbox.
    pub fn snapshot_dir(&self) -> PathBuf {
        self.crate_dir.join("tests").join("snapshots")
    }
}

/// The test binary holding every ordinary suite file of a topic, one module each.
pub const SUITE_BINARY: &str = "suite";
/// The test binary holding the model-checking suite files (`model_*.rs`), built
/// with the model checker's feature.
pub const MODEL_BINARY: &str = "model";

/// The test binary a suite file (by stem) is compiled into.
pub fn binary_of(stem: &str) -> &'static str {
    if stem.starts_with("model_") {
        MODEL_BINARY
    } else {
        SUITE_BINARY
    }
}

/// A suite snapshot's name inside the sandbox. insta prefixes a snapshot with its
/// module path, which in the sandbox starts with the test binary:
/// `demo__demo.snap` (made by `demo.rs`) becomes `suite__demo__demo.snap`.
pub fn sandbox_snapshot_name(suite_name: &str) -> String {
    let stem = suite_name.split("__").next().unwrap_or_default();
    format!("{}__{suite_name}", binary_of(stem))
}

/// The suite name of a snapshot written in the sandbox (the inverse of
/// [`sandbox_snapshot_name`]), or `None` for a file no suite test made.
pub fn suite_snapshot_name(sandbox_name: &str) -> Option<&str> {
    [SUITE_BINARY, MODEL_BINARY]
        .into_iter()
        .find_map(|binary| sandbox_name.strip_prefix(&format!("{binary}__")))
}
