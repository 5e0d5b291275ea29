//! The grading manifest of a topic: which tests exist, their points, time limits.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

/// Default per-test time limit in seconds.
pub const DEFAULT_TIMEOUT_SECS: f64 = 5.0;

/// Whether students see a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Shipped in the student release.
    Public,
    /// Instructor only.
    Hidden,
}

impl Visibility {
    /// The suite folder holding tests of this visibility.
    pub fn folder(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Hidden => "hidden",
        }
    }
}

/// One graded test.
#[derive(Debug, Clone, Serialize)]
pub struct TestSpec {
    /// The `#[test]` function name, unique within the topic.
    pub name: String,
    /// The test file stem (`join` for `public/join.rs`): its module in the test binary.
    pub file: String,
    /// The contract item it grades (`join_all`, or `demo`).
    pub task: String,
    /// Points awarded when it passes.
    pub points: f64,
    /// Time limit in seconds.
    pub timeout: f64,
    /// Runs alone, never beside another test: it needs the CPU to itself (it
    /// measures throughput or busy work). Tests that only time sleeps and joins
    /// with wide margins are not serial: waiting costs no CPU.
    pub serial: bool,
    /// Tests of the same exclusive group (`exclusive_group = "shared-memory"`)
    /// never run at the same time, in any topic or submission of this checker
    /// process, but run beside every other test: for tests that may not overlap
    /// each other's side effects (counting `/dev/shm`) yet need no CPU of their own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclusive_group: Option<String>,
    /// Performance tier (`performance = true`, implies serial): it measures speed,
    /// which means something only once the task works. In a student's check it
    /// runs after its task's other tests, only if they all passed, and keeps its
    /// full time limit.
    pub performance: bool,
    /// Public or hidden, from the folder its file is in.
    pub visibility: Visibility,
    /// For a model-checking test: the model-tier student files (`src/bank.rs`)
    /// whose locks it relies on. A foreign lock the lock rule finds in one of
    /// them fails the test (see [`crate::lock_rule`]).
    pub model_files: Vec<String>,
}

impl TestSpec {
    /// Model-checking tests (files `model_*.rs`) are built with `--features model-check`.
    pub fn is_model_check(&self) -> bool {
        self.file.starts_with("model_")
    }

    /// The test binary this test is compiled into (see [`crate::sandbox::binary_of`]).
    pub fn binary(&self) -> &'static str {
        crate::sandbox::binary_of(&self.file)
    }

    /// The test's full name inside its binary: `file::name`.
    pub fn path_in_binary(&self) -> String {
        format!("{}::{}", self.file, self.name)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    name: String,
    file: String,
    task: String,
    points: f64,
    timeout: Option<f64>,
    #[serde(default)]
    serial: bool,
    exclusive_group: Option<String>,
    #[serde(default)]
    performance: bool,
    #[serde(default)]
    model_files: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    #[serde(default)]
    shared_memory: bool,
    #[serde(default)]
    test: Vec<RawEntry>,
}

/// All graded tests of one topic, in manifest order.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The tests whose file is present (hidden ones are absent in a student release).
    pub tests: Vec<TestSpec>,
    /// The topic's tests make POSIX shared-memory segments: the sandbox lets them
    /// write `/dev/shm` (top-level `shared_memory = true`).
    pub shared_memory: bool,
}

impl Manifest {
    /// Reads `manifest.toml` in `suite_dir`, keeping the tests whose files exist there.
    pub fn load(suite_dir: &Path) -> Result<Manifest> {
        let path = suite_dir.join("manifest.toml");
        let text = fs::read_to_string(&path)
            .with_context(|| format!("cannot read the grading manifest {}", path.display()))?;
        let raw: RawManifest =
            toml::from_str(&text).with_context(|| format!("{} is malformed", path.display()))?;
        let mut tests = Vec::new();
        for entry in raw.test {
            let visibility = if suite_dir
                .join("public")
                .join(format!("{}.rs", entry.file))
                .is_file()
            {
                Visibility::Public
            } else if suite_dir
                .join("hidden")
                .join(format!("{}.rs", entry.file))
                .is_file()
            {
                Visibility::Hidden
            } else {
                // A hidden test of a student release: its file is not shipped.
                continue;
            };
            if tests.iter().any(|t: &TestSpec| t.name == entry.name) {
                bail!("{}: test {:?} is listed twice", path.display(), entry.name);
            }
            if entry.points.is_nan() || entry.points < 0.0 {
                bail!(
                    "{}: test {:?} has negative points",
                    path.display(),
                    entry.name
                );
            }
            let is_model = entry.file.starts_with("model_");
            if is_model && entry.model_files.is_empty() {
                bail!(
                    "{}: model-checking test {:?} must say which student files' locks it relies \
                     on (`model_files = [\"src/bank.rs\"]`): the lock rule checks those",
                    path.display(),
                    entry.name
                );
            }
            if !is_model && !entry.model_files.is_empty() {
                bail!(
                    "{}: test {:?} has model_files but is no model-checking test (file model_*)",
                    path.display(),
                    entry.name
                );
            }
            if (entry.serial || entry.performance) && entry.exclusive_group.is_some() {
                bail!(
                    "{}: test {:?} is serial and has an exclusive_group: a serial test already \
                     runs alone",
                    path.display(),
                    entry.name
                );
            }
            tests.push(TestSpec {
                name: entry.name,
                file: entry.file,
                task: entry.task,
                points: entry.points,
                timeout: entry.timeout.unwrap_or(DEFAULT_TIMEOUT_SECS),
                serial: entry.serial || entry.performance,
                exclusive_group: entry.exclusive_group,
                performance: entry.performance,
                visibility,
                model_files: entry.model_files,
            });
        }
        Ok(Manifest {
            tests,
            shared_memory: raw.shared_memory,
        })
    }

    /// The sum of all points (100 for a complete instructor suite).
    pub fn total_points(&self) -> f64 {
        self.tests.iter().map(|t| t.points).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A suite folder with `public/t.rs` and this manifest text.
    fn suite(manifest: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a temporary folder");
        fs::create_dir(dir.path().join("public")).expect("public/");
        fs::write(dir.path().join("public/t.rs"), "").expect("public/t.rs");
        fs::write(dir.path().join("manifest.toml"), manifest).expect("manifest.toml");
        dir
    }

    #[test]
    fn an_exclusive_group_is_read_and_never_serial_as_well() {
        let entry = "[[test]]\nname = \"a\"\nfile = \"t\"\ntask = \"x\"\npoints = 1\n";
        let grouped = suite(&format!("{entry}exclusive_group = \"shared-memory\"\n"));
        let manifest = Manifest::load(grouped.path()).expect("a valid manifest");
        assert_eq!(
            manifest.tests[0].exclusive_group.as_deref(),
            Some("shared-memory")
        );
        assert!(!manifest.tests[0].serial);

        let both = suite(&format!(
            "{entry}serial = true\nexclusive_group = \"shared-memory\"\n"
        ));
        let error = Manifest::load(both.path()).expect_err("serial and grouped");
        assert!(
            format!("{error:#}").contains("already runs alone"),
            "{error:#}"
        );
    }
}
