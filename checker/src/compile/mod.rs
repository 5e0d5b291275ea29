//! Step 2, build: compile a sandbox's test binaries (one per topic, plus one for
//! model checking) once, offline, with
//! dependencies shared through one build directory. A compile error is a
//! verdict for the topic, with the compiler's message.
//!
//! Student code is confined while it compiles ([`wrapper`]): cargo runs in a
//! scrubbed environment with this checker's binary as its rustc wrapper, which
//! confines the topic crate's rustc with Landlock and a time limit. Errors are
//! classified from rustc's structured output (codes and spans), never from text
//! a student controls.

pub mod wrapper;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::MetadataExt as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::assemble::{MODEL_BINARY, SUITE_BINARY, Sandbox};
use crate::lock_rule::LockFinding;
use crate::project::Project;
use wrapper::{
    BUILD_TIMEOUT_CODE, CONFINEMENT_ENV, Confinement, LOCK_RULE_LINTS, LOCK_RULE_RAN_CODE, LockRule,
};

/// Time limit of one rustc run on a topic crate's library (student code). A
/// topic compiles in about a second; this only stops endless compile-time loops.
pub const STUDENT_BUILD_SECONDS: u64 = 120;
/// Overrides [`STUDENT_BUILD_SECONDS`] (the project's tests shorten it).
pub const STUDENT_BUILD_SECONDS_ENV: &str = "THREADLINGS_STUDENT_BUILD_SECONDS";

/// The time limit of one rustc run on student code, in seconds.
fn student_build_seconds() -> u64 {
    std::env::var(STUDENT_BUILD_SECONDS_ENV)
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&s| s > 0)
        .unwrap_or(STUDENT_BUILD_SECONDS)
}
/// Time limit of a whole sandbox build, dependencies included (a cold build on
/// a fresh machine takes a few minutes on two cores).
pub const BUILD_SECONDS: u64 = 30 * 60;

/// The program cargo runs as rustc wrapper; see [`set_wrapper_program`].
static WRAPPER_PROGRAM: OnceLock<PathBuf> = OnceLock::new();

/// Names the program that serves as rustc wrapper: a binary whose `main` calls
/// [`wrapper::main_if_wrapper`] first. Default: the running executable (xtask).
/// Test binaries, which cannot serve, name `threadlings-rustc-wrapper`.
pub fn set_wrapper_program(path: impl Into<PathBuf>) {
    let _ = WRAPPER_PROGRAM.set(path.into());
}

fn wrapper_program() -> Result<PathBuf> {
    match WRAPPER_PROGRAM.get() {
        Some(path) => Ok(path.clone()),
        None => std::env::current_exe().context("cannot find the checker's own executable"),
    }
}

/// The toolchain's sysroot, asked once of the `rustc` cargo would use.
fn sysroot() -> Result<PathBuf> {
    static SYSROOT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    SYSROOT
        .get_or_init(|| {
            let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
            let output = Command::new(rustc)
                .args(["--print", "sysroot"])
                .stdin(Stdio::null())
                .output()
                .map_err(|e| format!("cannot run rustc: {e}"))?;
            if !output.status.success() {
                return Err(String::from_utf8_lossy(&output.stderr).into_owned());
            }
            Ok(PathBuf::from(
                String::from_utf8_lossy(&output.stdout).trim().to_owned(),
            ))
        })
        .clone()
        .map_err(|e| anyhow::anyhow!("cannot find the Rust toolchain: {e}"))
}

/// The variables of the checker's environment a sandbox build keeps: where the
/// toolchain and the crates are, and nothing else (no CI secret reaches `env!`).
fn kept_for_cargo(key: &str) -> bool {
    matches!(
        key,
        "PATH" | "HOME" | "USER" | "LANG" | "LC_ALL" | "TMPDIR" | "CARGO_HOME" | "RUSTUP_HOME"
    ) || key.starts_with("RUSTUP_")
}

/// Library names (`thread_basics`, …) of every topic crate of the project.
fn topic_crates(project: &Project) -> Vec<String> {
    project
        .topics
        .iter()
        .filter_map(|topic| {
            let manifest = project.exercise_dir(topic).join("Cargo.toml");
            let text = std::fs::read_to_string(manifest).ok()?;
            let table: toml::Table = toml::from_str(&text).ok()?;
            let name = table.get("package")?.get("name")?.as_str()?;
            Some(name.replace('-', "_"))
        })
        .collect()
}

/// Refuses to build below a Cargo configuration that neither root nor this
/// user wrote: cargo reads `.cargo/config.toml` in every ancestor folder, and
/// one planted by a test (a rustc wrapper, a linker) would run with our rights.
fn refuse_foreign_cargo_config(sandbox_root: &Path) -> Result<()> {
    // SAFETY: getuid has no preconditions.
    let me = unsafe { libc::getuid() };
    for dir in sandbox_root.ancestors() {
        for name in ["config.toml", "config"] {
            let path = dir.join(".cargo").join(name);
            if let Ok(meta) = std::fs::symlink_metadata(&path)
                && meta.uid() != 0
                && meta.uid() != me
            {
                bail!(
                    "{} belongs to another user (uid {}) and would apply to this build; \
                     remove it (was it planted by a test?)",
                    path.display(),
                    meta.uid()
                );
            }
        }
    }
    Ok(())
}

/// The features of the model-checking build: the topic crate's `model-check`,
/// which switches `crate::sync` to the model checker's types, and the
/// harness's `shuttle`, with which a test draws the failing schedule
/// (`threadlings_harness::model`).
const MODEL_CHECK_FEATURES: &str = "model-check,threadlings-harness/shuttle";

/// The feature that switches `crate::sync` to the instrumented locks of
/// `threadlings-waitgraph` (topics 04 and 05): set for the ordinary test build
/// of every topic crate that declares it, so a hung test can name a lock-order
/// deadlock or a lost wakeup.
pub const WAITGRAPH_FEATURE: &str = "waitgraph";

/// [`WAITGRAPH_FEATURE`] if the sandbox's topic crate declares it. The manifest
/// is the canonical one (a submission's `Cargo.toml` is never used).
pub fn waitgraph_feature(sandbox: &Sandbox) -> Option<&'static str> {
    let text = std::fs::read_to_string(sandbox.crate_dir.join("Cargo.toml")).ok()?;
    let manifest: toml::Table = toml::from_str(&text).ok()?;
    manifest
        .get("features")?
        .get(WAITGRAPH_FEATURE)
        .map(|_| WAITGRAPH_FEATURE)
}

/// The folder of the lock rule's `clippy.toml`, relative to the project root.
pub const LOCK_RULE_DIR: &str = "checker/lock_rule";

/// The model-checking build's lock rule: clippy-driver of the toolchain in
/// `sysroot`, configured by the project's `checker/lock_rule/clippy.toml`.
/// A missing clippy-driver is an error: the rule is never skipped.
pub fn lock_rule(project: &Project, sysroot: &Path) -> Result<LockRule> {
    let clippy_driver = sysroot.join("bin/clippy-driver");
    if !clippy_driver.is_file() {
        bail!(
            "the model-checking tier needs clippy-driver, which this toolchain ({}) lacks: \
             run `rustup component add clippy`",
            sysroot.display()
        );
    }
    let conf_dir = project.root.join(LOCK_RULE_DIR);
    if !conf_dir.join("clippy.toml").is_file() {
        bail!(
            "the model-checking tier's lock rule {} is missing",
            conf_dir.join("clippy.toml").display()
        );
    }
    Ok(LockRule {
        clippy_driver,
        conf_dir,
    })
}

/// The compiled test binaries of one sandbox, by binary name.
#[derive(Debug, Clone, Default)]
pub struct Binaries {
    /// Binary name (`suite`, `model`) → executable.
    pub tests: BTreeMap<String, PathBuf>,
    /// What the lock rule found in the model-checking build (every file of the
    /// library; [`crate::lock_rule::verdict`] tells which tests they cost).
    pub lock_findings: Vec<LockFinding>,
}

/// What one cargo build produced.
struct Built {
    /// Binary name → executable.
    tests: BTreeMap<String, PathBuf>,
    /// The lock rule's findings in the topic crate's library.
    lock_findings: Vec<LockFinding>,
    /// Whether the library's messages say the lock rule checked it.
    lock_rule_ran: bool,
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
    /// Build the model-checking binary, with [`MODEL_CHECK_FEATURES`].
    pub model: bool,
}

/// Builds the plan's test binaries. `Ok(Err(_))` is a compile error of the sandbox;
/// `Err(_)` means cargo itself could not be run. With `require_landlock`, a
/// machine without Landlock fails the build instead of compiling unconfined.
pub fn build(
    project: &Project,
    sandbox: &Sandbox,
    plan: &BuildPlan,
    require_landlock: bool,
    show_path: &dyn Fn(&str) -> String,
) -> Result<Result<Binaries, CompileFailure>> {
    let project_root = project.root.as_path();
    refuse_foreign_cargo_config(&sandbox.root)?;
    let sysroot = sysroot()?;
    let confinement = Confinement {
        crate_dir: sandbox.crate_dir.clone(),
        sysroot: sysroot.clone(),
        topic_crates: topic_crates(project),
        seconds: student_build_seconds(),
        require_landlock,
        lock_rule: None,
    };
    let model_confinement = if plan.model {
        Confinement {
            lock_rule: Some(lock_rule(project, &sysroot)?),
            ..confinement.clone()
        }
    } else {
        confinement.clone()
    };
    let _shared = crate::run::shared();
    let mut binaries = Binaries::default();
    // The model-checking build gets its own target dir: its bins (the demo) link the
    // model checker's locks and must not replace the ones the normal tests run.
    let model_target_dir = sandbox.target_dir.join("model-check");
    for (wanted, binary, features, confinement, target_dir) in [
        (
            plan.suite,
            SUITE_BINARY,
            waitgraph_feature(sandbox),
            &confinement,
            &sandbox.target_dir,
        ),
        (
            plan.model,
            MODEL_BINARY,
            Some(MODEL_CHECK_FEATURES),
            &model_confinement,
            &model_target_dir,
        ),
    ] {
        if !wanted {
            continue;
        }
        let build = || {
            cargo_test_no_run(
                sandbox,
                confinement,
                binary,
                features,
                target_dir,
                show_path,
            )
        };
        let mut attempt = build();
        if let Err(e) = &attempt
            && format!("{e:#}").contains("offline")
        {
            // A fresh machine: some pinned crate (say the model checker, needed only
            // here) was never downloaded. Fetch exactly the lockfile's crates once.
            fetch_locked(project_root)?;
            attempt = build();
        }
        if confinement.lock_rule.is_some()
            && let Ok(Ok(built)) = &attempt
            && !built.lock_rule_ran
        {
            // A library cargo holds fresh from before the lock rule existed: make
            // cargo compile it again, now under the rule.
            touch(&sandbox.crate_dir.join("src/lib.rs"))?;
            attempt = build();
        }
        match attempt? {
            Ok(built) => {
                if confinement.lock_rule.is_some() && !built.lock_rule_ran {
                    bail!(
                        "the lock rule of the model-checking tier did not run on {} (its \
                         library was not compiled by clippy-driver); nothing it built can be \
                         trusted",
                        sandbox.crate_dir.display()
                    );
                }
                binaries.tests.extend(built.tests);
                binaries.lock_findings.extend(built.lock_findings);
            }
            Err(failure) => return Ok(Err(failure)),
        }
    }
    Ok(Ok(binaries))
}

/// Sets `path`'s modification time to now, so cargo compiles its crate again.
fn touch(path: &Path) -> Result<()> {
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    file.set_modified(std::time::SystemTime::now())
        .with_context(|| format!("cannot touch {}", path.display()))
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
    #[serde(default)]
    message: String,
    rendered: Option<String>,
    #[serde(default)]
    code: Option<ErrorCode>,
    #[serde(default)]
    spans: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct ErrorCode {
    code: String,
}

impl CompilerMessage {
    fn code(&self) -> Option<&str> {
        self.code.as_ref().map(|c| c.code.as_str())
    }
}

/// Builds test `binary` of the sandbox with the topic crate's `features`, its
/// artifacts in `target_dir`.
fn cargo_test_no_run(
    sandbox: &Sandbox,
    confinement: &Confinement,
    binary: &str,
    features: Option<&str>,
    target_dir: &Path,
    show_path: &dyn Fn(&str) -> String,
) -> Result<Result<Built, CompileFailure>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&sandbox.root)
        .args(["test", "--no-run", "--offline", "--message-format=json"])
        .env_clear()
        .envs(std::env::vars().filter(|(k, _)| kept_for_cargo(k)))
        .env("RUSTC", confinement.sysroot.join("bin/rustc"))
        .env("RUSTC_WRAPPER", wrapper_program()?)
        .env(
            CONFINEMENT_ENV,
            serde_json::to_string(confinement).context("cannot encode the confinement")?,
        )
        .env("CARGO_TARGET_DIR", target_dir)
        .env("CARGO_BUILD_BUILD_DIR", &sandbox.build_dir)
        .env("CARGO_TERM_COLOR", "never")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    cmd.args(["--test", binary]);
    if let Some(features) = features {
        cmd.args(["--features", features]);
    }
    if let Some(rule) = &confinement.lock_rule {
        // clippy-driver records CLIPPY_CONF_DIR in the library's dep-info: cargo
        // must see the same value, or it would never hold the library fresh.
        cmd.env("CLIPPY_CONF_DIR", &rule.conf_dir);
    }
    let mut child = cmd.spawn().context("cannot run cargo to build a sandbox")?;
    // The whole build's limit: past it, cargo and every rustc it started are killed.
    let (finished, watchdog) = mpsc::channel::<()>();
    let cargo_group = child.id() as i32;
    let timer = std::thread::spawn(move || {
        let expired = matches!(
            watchdog.recv_timeout(Duration::from_secs(BUILD_SECONDS)),
            Err(mpsc::RecvTimeoutError::Timeout)
        );
        if expired {
            // SAFETY: killpg has no memory effects.
            unsafe {
                libc::killpg(cargo_group, libc::SIGKILL);
            }
        }
        expired
    });
    let stderr = child.stderr.take().context("cargo's stderr")?;
    let stderr_reader = std::thread::spawn(move || {
        let mut text = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            // The sandbox profile names the dependencies it optimises; a topic
            // whose graph lacks some makes cargo say so, which is nobody's concern.
            let unmatched_profile_spec = line.starts_with("warning: profile package spec");
            if text.len() < 64 * 1024 && !unmatched_profile_spec {
                text.push_str(&line);
                text.push('\n');
            }
        }
        text
    });

    let mut built = BTreeMap::new();
    let mut lock_findings = Vec::new();
    let mut lock_rule_ran = false;
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
                let of_library = msg
                    .target
                    .as_ref()
                    .is_some_and(|t| t.kind.iter().any(|k| k == "lib"));
                let Some(m) = msg.message else { continue };
                if m.level == "error" {
                    errors.push(m);
                } else if of_library && m.code() == Some(LOCK_RULE_RAN_CODE) {
                    lock_rule_ran = true;
                } else if of_library
                    && confinement.lock_rule.is_some()
                    && m.code().is_some_and(|c| LOCK_RULE_LINTS.contains(&c))
                {
                    lock_findings.push(LockFinding::from_diagnostic(
                        &m.message,
                        &m.spans,
                        &sandbox.crate_dir,
                        &sandbox.member,
                    ));
                }
            }
            "build-finished" => success = msg.success.unwrap_or(false),
            _ => {}
        }
    }
    let status = child.wait().context("cargo did not finish")?;
    let _ = finished.send(());
    let timed_out = timer.join().unwrap_or(false);
    let stderr_text = stderr_reader.join().unwrap_or_default();
    if timed_out {
        bail!(
            "building {} took longer than {} min and was stopped",
            sandbox.root.display(),
            BUILD_SECONDS / 60
        );
    }
    if status.success() && success {
        return Ok(Ok(Built {
            tests: built,
            lock_findings,
            lock_rule_ran,
        }));
    }
    let rendered = |m: &CompilerMessage| m.rendered.clone().unwrap_or_default();
    if let Some(timeout) = errors.iter().find(|m| m.code() == Some(BUILD_TIMEOUT_CODE)) {
        return Ok(Err(CompileFailure {
            message: rendered(timeout),
        }));
    }
    if errors.is_empty() {
        // Not a compiler error: cargo itself failed (resolution, disk, environment).
        anyhow::bail!(
            "cargo could not build the sandbox {}:\n{}",
            sandbox.root.display(),
            stderr_text.trim_end()
        );
    }
    let texts: Vec<String> = errors.iter().map(rendered).collect();
    if errors.iter().all(is_machine_failure) {
        // The code compiled; the machine could not finish the build. Not the
        // student's doing, so not a compile error that costs them the topic.
        anyhow::bail!(
            "the build of {} failed on this machine, not in the code:\n{}",
            sandbox.root.display(),
            texts.join("\n").trim_end()
        );
    }
    Ok(Err(CompileFailure {
        message: show_path(&texts.join("\n")),
    }))
}

/// Whether a compiler error is the machine's failure rather than the code's:
/// the linker crashed, the disk is full, memory ran out. Such an error has no
/// error code and points at no source line; anything with a span (a student's
/// `compile_error!("linking with `cc` failed")` included) or a code is the
/// code's. Only then is the message line read.
fn is_machine_failure(error: &CompilerMessage) -> bool {
    if error.code.is_some() || !error.spans.is_empty() {
        return false;
    }
    let rendered = error.rendered.as_deref().unwrap_or_default();
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
    use super::{CompilerMessage, is_machine_failure};

    fn error(code: Option<&str>, spans: usize, rendered: &str) -> CompilerMessage {
        let span = serde_json::json!({"file_name": "src/race.rs", "line_start": 3});
        serde_json::from_value(serde_json::json!({
            "level": "error",
            "rendered": rendered,
            "code": code.map(|c| serde_json::json!({"code": c, "explanation": null})),
            "spans": vec![span; spans],
        }))
        .expect("a rustc diagnostic")
    }

    #[test]
    fn linker_and_disk_failures_are_the_machines() {
        assert!(is_machine_failure(&error(
            None,
            0,
            "error: linking with `cc` failed: exit status: 1\n  = note: collect2: ld returned 1"
        )));
        assert!(is_machine_failure(&error(
            None,
            0,
            "error: failed to write bytecode to ./x.o: No space left on device (os error 28)"
        )));
    }

    #[test]
    fn errors_in_the_code_are_the_students() {
        assert!(!is_machine_failure(&error(
            Some("E0308"),
            1,
            "error[E0308]: mismatched types\n --> src/join.rs:12:5"
        )));
        assert!(!is_machine_failure(&error(
            None,
            1,
            "error: cannot find macro `todo2` in this scope"
        )));
        // A student's compile_error! that imitates the linker points at their file.
        assert!(!is_machine_failure(&error(
            None,
            1,
            "error: linking with `cc` failed: exit status: 1"
        )));
    }
}
