//! Step 2, build: compile a sandbox's test binaries (one per topic, plus one for
//! model checking) once, offline, with
//! dependencies shared through one build directory. A compile error is a
//! verdict for the topic, with the compiler's message.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::assemble::{MODEL_BINARY, SUITE_BINARY, Sandbox};

/// The feature that switches `crate::sync` to the model checker's types.
pub const MODEL_CHECK_FEATURE: &str = "model-check";

/// The compiled test binaries of one sandbox, by binary name.
#[derive(Debug, Clone, Default)]
pub struct Binaries {
    /// Binary name (`suite`, `model`) → executable.
    pub tests: BTreeMap<String, PathBuf>,
}

/// Why a sandbox did not build.
#[derive(Debug, Clone)]
pub struct CompileFailure {
    /// The compiler's rendered errors, paths shown as the student sees them.
    pub message: String,
}

/// Which test binaries to build.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildPlan {
    /// Build the ordinary suite binary.
    pub suite: bool,
    /// Build the model-checking binary, with [`MODEL_CHECK_FEATURE`].
    pub model: bool,
}

/// Builds the plan's test binaries. `Ok(Err(_))` is a compile error of the sandbox;
/// `Err(_)` means cargo itself could not be run.
pub fn build(
    project_root: &Path,
    sandbox: &Sandbox,
    plan: &BuildPlan,
    show_path: &dyn Fn(&str) -> String,
) -> Result<Result<Binaries, CompileFailure>> {
    let _shared = crate::run::shared();
    let mut binaries = Binaries::default();
    for (wanted, binary, features) in [
        (plan.suite, SUITE_BINARY, None),
        (plan.model, MODEL_BINARY, Some(MODEL_CHECK_FEATURE)),
    ] {
        if !wanted {
            continue;
        }
        let mut attempt = cargo_test_no_run(sandbox, binary, features, show_path);
        if let Err(e) = &attempt
            && format!("{e:#}").contains("offline")
        {
            // A fresh machine: some pinned crate (say the model checker, needed only
            // here) was never downloaded. Fetch exactly the lockfile's crates once.
            fetch_locked(project_root)?;
            attempt = cargo_test_no_run(sandbox, binary, features, show_path);
        }
        match attempt? {
            Ok(built) => binaries.tests.extend(built),
            Err(failure) => return Ok(Err(failure)),
        }
    }
    Ok(Ok(binaries))
}

/// `cargo fetch --locked` in the project: downloads the lockfile's crates, nothing newer.
fn fetch_locked(project_root: &Path) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(project_root)
        .args(["fetch", "--locked"])
        .stdin(Stdio::null())
        .output()
        .context("cannot run cargo fetch")?;
    if !output.status.success() {
        anyhow::bail!(
            "cargo fetch failed in {}:\n{}",
            project_root.display(),
            String::from_utf8_lossy(&output.stderr).trim_end()
        );
    }
    Ok(())
}

#[derive(Deserialize)]
struct CargoMessage {
    reason: String,
    #[serde(default)]
    target: Option<CargoTarget>,
    #[serde(default)]
    executable: Option<PathBuf>,
    #[serde(default)]
    message: Option<CompilerMessage>,
    #[serde(default)]
    success: Option<bool>,
}

#[derive(Deserialize)]
struct CargoTarget {
    name: String,
    kind: Vec<String>,
}

#[derive(Deserialize)]
struct CompilerMessage {
    level: String,
    rendered: Option<String>,
}

fn cargo_test_no_run(
    sandbox: &Sandbox,
    binary: &str,
    features: Option<&str>,
    show_path: &dyn Fn(&str) -> String,
) -> Result<Result<BTreeMap<String, PathBuf>, CompileFailure>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // The model-checking build gets its own target dir: its bins (the demo) link the
    // model checker's locks and must not replace the ones the normal tests run.
    let target_dir = match features {
        Some(_) => sandbox.target_dir.join("model-check"),
        None => sandbox.target_dir.clone(),
    };
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&sandbox.root)
        .args(["test", "--no-run", "--offline", "--message-format=json"])
        .env("CARGO_TARGET_DIR", &target_dir)
        .env("CARGO_BUILD_BUILD_DIR", &sandbox.build_dir)
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd.args(["--test", binary]);
    if let Some(features) = features {
        cmd.args(["--features", features]);
    }
    let mut child = cmd.spawn().context("cannot run cargo to build a sandbox")?;
    let stderr = child.stderr.take().context("cargo's stderr")?;
    let stderr_reader = std::thread::spawn(move || {
        let mut text = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if text.len() < 64 * 1024 {
                text.push_str(&line);
                text.push('\n');
            }
        }
        text
    });

    let mut built = BTreeMap::new();
    let mut errors = Vec::new();
    let mut success = false;
    let stdout = child.stdout.take().context("cargo's stdout")?;
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        let Ok(msg) = serde_json::from_str::<CargoMessage>(&line) else {
            continue;
        };
        match msg.reason.as_str() {
            "compiler-artifact" => {
                if let (Some(target), Some(exe)) = (msg.target, msg.executable)
                    && target.kind.iter().any(|k| k == "test")
                {
                    built.insert(target.name, exe);
                }
            }
            "compiler-message" => {
                if let Some(m) = msg.message
                    && m.level == "error"
                    && let Some(rendered) = m.rendered
                {
                    errors.push(rendered);
                }
            }
            "build-finished" => success = msg.success.unwrap_or(false),
            _ => {}
        }
    }
    let status = child.wait().context("cargo did not finish")?;
    let stderr_text = stderr_reader.join().unwrap_or_default();
    if status.success() && success {
        return Ok(Ok(built));
    }
    if errors.is_empty() {
        // Not a compiler error: cargo itself failed (resolution, disk, environment).
        anyhow::bail!(
            "cargo could not build the sandbox {}:\n{}",
            sandbox.root.display(),
            stderr_text.trim_end()
        );
    }
    if errors.iter().all(|e| is_machine_failure(e)) {
        // The code compiled; the machine could not finish the build. Not the
        // student's doing, so not a compile error that costs them the topic.
        anyhow::bail!(
            "the build of {} failed on this machine, not in the code:\n{}",
            sandbox.root.display(),
            errors.join("\n").trim_end()
        );
    }
    Ok(Err(CompileFailure {
        message: show_path(&errors.join("\n")),
    }))
}

/// Whether a compiler error is the machine's failure rather than the code's:
/// the linker crashed, the disk is full, memory ran out. Only the message line
/// is read, never the quoted source, which the student controls.
fn is_machine_failure(rendered: &str) -> bool {
    let first_line = rendered.lines().next().unwrap_or_default();
    first_line.starts_with("error: linking with")
        || first_line.starts_with("error: could not exec the linker")
        || [
            "No space left on device",
            "Cannot allocate memory",
            "out of memory",
        ]
        .iter()
        .any(|cause| first_line.contains(cause))
}

#[cfg(test)]
mod tests {
    use super::is_machine_failure;

    #[test]
    fn linker_and_disk_failures_are_the_machines() {
        assert!(is_machine_failure(
            "error: linking with `cc` failed: exit status: 1\n  = note: collect2: ld returned 1"
        ));
        assert!(is_machine_failure(
            "error: failed to write bytecode to ./x.o: No space left on device (os error 28)"
        ));
    }

    #[test]
    fn errors_in_the_code_are_the_students() {
        assert!(!is_machine_failure(
            "error[E0308]: mismatched types\n --> src/join.rs:12:5"
        ));
        assert!(!is_machine_failure(
            "error: cannot find macro `todo2` in this scope"
        ));
    }
}
