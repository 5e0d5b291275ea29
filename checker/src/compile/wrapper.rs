//! The rustc wrapper that confines the compilation of student code.
//!
//! rustc reads whatever a crate asks it to: `#[path = "…"] mod x;`,
//! `include!`, `include_str!` and `include_bytes!` take any path, and `env!`
//! reads the build's environment. A student file could so pull the reference
//! solutions, the hidden suites, another submission or a CI secret into its own
//! code. Every sandbox build therefore runs cargo with this program as
//! `RUSTC_WRAPPER` (the checker's own binary, called again: see
//! [`main_if_wrapper`]), and cargo's environment is scrubbed to what a build needs.
//!
//! When cargo asks for the topic crate's library (the only target that holds
//! student files), the wrapper:
//! - clears the environment down to cargo's per-crate variables (`env!` sees
//!   nothing of the grader's);
//! - confines rustc with Landlock: it may read the toolchain, the system
//!   libraries, the crate's own `src/`, and the compiled dependencies it links
//!   (never a topic crate's compiled library, never a test binary); it may write
//!   only its output folder and a private temporary folder;
//! - stops rustc after [`Confinement::seconds`] (an endless `const` evaluation
//!   must not stall a class) and reports that as a compiler error of the crate.
//!
//! In the model-checking build the library is compiled by clippy-driver with
//! the model tier's lock rule ([`LockRule`], [`crate::lock_rule`]).
//!
//! Every other rustc call (dependencies, the trusted test crates, cargo's probes)
//! runs as cargo asked, in the scrubbed environment.

use std::ffi::OsString;
use std::fs;
use std::io::Write as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use landlock::{
    Access, AccessFs, AccessNet, BitFlags, Ruleset, RulesetAttr, RulesetCreatedAttr, RulesetStatus,
};
use serde::{Deserialize, Serialize};

use crate::confine::{PathRule, SYSTEM_READ_EXEC, TESTED_ABI, add_path_rules};

/// The environment variable that carries the [`Confinement`] (JSON) to the wrapper.
pub const CONFINEMENT_ENV: &str = "THREADLINGS_RUSTC_CONFINEMENT";

/// The error code the wrapper gives a build stopped at its time limit (rustc's
/// own codes look like `E0308`; a student's `compile_error!` has none).
pub const BUILD_TIMEOUT_CODE: &str = "threadlings::build_timeout";

/// The error code the wrapper gives a build it could not confine.
pub const NOT_CONFINED_CODE: &str = "threadlings::not_confined";

/// The code of the note the wrapper adds when the lock rule ran on a library:
/// cargo caches it with the library's other messages and replays it while the
/// library is fresh, so the checker can tell a build checked by the rule from
/// one compiled before the rule existed.
pub const LOCK_RULE_RAN_CODE: &str = "threadlings::lock_rule_ran";

/// The lints of the lock rule, forced on with `--force-warn` (no attribute in
/// the crate can lower them): the items of `clippy.toml` and a file loaded as a
/// module twice (`#[path = "word_count.rs"] mod x;` in bank.rs).
pub const LOCK_RULE_LINTS: [&str; 3] = [
    "clippy::disallowed_types",
    "clippy::disallowed_methods",
    "clippy::duplicate_mod",
];

/// The model-checking build's lock rule: the topic crate's library is compiled
/// by clippy-driver with [`LOCK_RULE_LINTS`] forced on, configured by the
/// `clippy.toml` in `conf_dir` (the forbidden locks).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LockRule {
    /// `clippy-driver` of the same toolchain (it takes rustc's arguments).
    pub clippy_driver: PathBuf,
    /// The folder holding the rule's `clippy.toml` (readable by the confined compiler).
    pub conf_dir: PathBuf,
}

/// What the wrapper confines, and how.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Confinement {
    /// The topic crate's folder in the sandbox (cargo's `CARGO_MANIFEST_DIR` for it).
    pub crate_dir: PathBuf,
    /// The toolchain's sysroot (`rustc --print sysroot`).
    pub sysroot: PathBuf,
    /// Library names of every topic crate: their compiled libraries (other
    /// submissions' code) are never readable.
    pub topic_crates: Vec<String>,
    /// Time limit of one rustc run on the crate's library.
    pub seconds: u64,
    /// Refuse to build when Landlock is not available (grading), instead of
    /// building with the environment scrubbed only (a student's own check).
    pub require_landlock: bool,
    /// Compile the library with the model-checking tier's lock rule (the
    /// model-checking build only).
    #[serde(default)]
    pub lock_rule: Option<LockRule>,
}

/// Runs as the rustc wrapper when cargo called this binary as one (the
/// [`CONFINEMENT_ENV`] variable is set and the first argument is a rustc);
/// `None` otherwise. Call it first thing in `main`.
pub fn main_if_wrapper() -> Option<ExitCode> {
    let config = std::env::var(CONFINEMENT_ENV).ok()?;
    let mut args = std::env::args_os().skip(1);
    let rustc = PathBuf::from(args.next()?);
    if !rustc
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("rustc"))
    {
        return None;
    }
    let args: Vec<OsString> = args.collect();
    let code = match serde_json::from_str::<Confinement>(&config) {
        Ok(confinement) => run_rustc(&confinement, &rustc, &args),
        Err(e) => {
            eprintln!("threadlings rustc wrapper: malformed {CONFINEMENT_ENV}: {e}");
            2
        }
    };
    Some(ExitCode::from(code))
}

/// Whether this rustc call compiles the topic crate's library.
fn compiles_student_code(confinement: &Confinement, args: &[OsString]) -> bool {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let same_crate = manifest_dir.is_some_and(|dir| {
        dir == confinement.crate_dir
            || dir.canonicalize().ok() == confinement.crate_dir.canonicalize().ok()
    });
    same_crate && args.iter().any(|a| a == "lib") && !args.iter().any(|a| a == "--test")
}

fn run_rustc(confinement: &Confinement, rustc: &Path, args: &[OsString]) -> u8 {
    if !compiles_student_code(confinement, args) {
        let error = Command::new(rustc).args(args).exec();
        eprintln!(
            "threadlings rustc wrapper: cannot run {}: {error}",
            rustc.display()
        );
        return 2;
    }
    match confined_rustc(confinement, rustc, args) {
        Ok(code) => code,
        Err(e) => {
            diagnostic(
                NOT_CONFINED_CODE,
                &format!("the checker could not confine this build: {e:#}"),
            );
            1
        }
    }
}

/// Runs rustc on student code, confined and time-limited; its exit code.
///
/// rustc writes into a private output folder, not cargo's `--out-dir`: rustc
/// reads back what it writes there (its temporary `rmeta` folder), and the real
/// output folder also holds every other compiled crate and test binary, which
/// student code must not `include_bytes!`. Each finished output is moved into
/// the real folder (the metadata file as soon as rustc announces it, so that
/// cargo's pipelining sees it where it expects it).
fn confined_rustc(confinement: &Confinement, rustc: &Path, args: &[OsString]) -> Result<u8> {
    let out_dir = arg_value(args, "--out-dir")
        .map(PathBuf::from)
        .context("rustc was called without --out-dir")?;
    let private = out_dir
        .parent()
        .unwrap_or(&out_dir)
        .join(format!(".threadlings-rustc-{}", std::process::id()));
    let private_tmp = private.join("tmp");
    fs::create_dir_all(&private_tmp)
        .with_context(|| format!("cannot create {}", private_tmp.display()))?;
    let result = (|| {
        let status = restrict_self(confinement, args, &out_dir, &private)?;
        if status == RulesetStatus::NotEnforced && confinement.require_landlock {
            bail!("Landlock is not available on this machine (grading needs it)");
        }
        let private_args: Vec<OsString> = args
            .iter()
            .map(|a| {
                if *a == *out_dir {
                    private.clone().into()
                } else {
                    a.clone()
                }
            })
            .collect();
        let mut command = match &confinement.lock_rule {
            None => Command::new(rustc),
            Some(rule) => {
                // clippy-driver is rustc with clippy's lints: the same arguments, plus
                // the rule's lints, forced on. Every other clippy lint stays off.
                let mut command = Command::new(&rule.clippy_driver);
                command.args(["-A", "clippy::all"]);
                for lint in LOCK_RULE_LINTS {
                    command.args(["--force-warn", lint]);
                }
                command
            }
        };
        let mut child = command
            .args(&private_args)
            .env_clear()
            .envs(std::env::vars_os().filter(|(k, _)| kept_for_rustc(k)))
            .env("TMPDIR", &private_tmp)
            .envs(
                confinement
                    .lock_rule
                    .iter()
                    .map(|rule| ("CLIPPY_CONF_DIR", rule.conf_dir.as_os_str())),
            )
            .stdin(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .with_context(|| match &confinement.lock_rule {
                None => "cannot start rustc".to_owned(),
                Some(rule) => format!("cannot start {}", rule.clippy_driver.display()),
            })?;
        let stderr = child.stderr.take().context("rustc's stderr")?;
        let forward = {
            let (private, out_dir) = (private.clone(), out_dir.clone());
            std::thread::spawn(move || forward_diagnostics(stderr, &private, &out_dir))
        };
        let deadline = Instant::now() + Duration::from_secs(confinement.seconds);
        let code = loop {
            if let Some(status) = child.try_wait().context("waiting for rustc")? {
                break status.code().map_or(1, |c| c.clamp(0, 255) as u8);
            }
            if Instant::now() >= deadline {
                // SAFETY: killpg has no memory effects.
                unsafe {
                    libc::killpg(child.id() as i32, libc::SIGKILL);
                }
                let _ = child.wait();
                let _ = forward.join();
                diagnostic(
                    BUILD_TIMEOUT_CODE,
                    &format!(
                        "the build took longer than {} s and was stopped: an endless `const` \
                         evaluation or an enormous macro expansion?",
                        confinement.seconds
                    ),
                );
                return Ok(1);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let _ = forward.join();
        if code == 0 {
            move_outputs(&private, &out_dir)?;
            if confinement.lock_rule.is_some() {
                note(
                    LOCK_RULE_RAN_CODE,
                    "the model-checking tier's lock rule checked this library",
                );
            }
        }
        Ok(code)
    })();
    let _ = fs::remove_dir_all(&private);
    result
}

/// Passes rustc's diagnostics on to cargo with the private folder's paths
/// replaced by the real ones; an announced artifact is copied there first.
fn forward_diagnostics(stderr: impl std::io::Read, private: &Path, out_dir: &Path) {
    use std::io::BufRead as _;
    let (private_text, out_text) = (private.display().to_string(), out_dir.display().to_string());
    let mut sink = std::io::stderr();
    for line in std::io::BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
    {
        if line.starts_with("{\"$message_type\":\"artifact\"")
            && let Ok(artifact) = serde_json::from_str::<serde_json::Value>(&line)
            && let Some(path) = artifact["artifact"].as_str()
            && let Some(name) = Path::new(path).file_name()
        {
            let _ = fs::copy(path, out_dir.join(name));
        }
        let _ = writeln!(sink, "{}", line.replace(&private_text, &out_text));
    }
}

/// Moves rustc's outputs into cargo's output folder; dep-info files get the
/// real folder's paths.
fn move_outputs(private: &Path, out_dir: &Path) -> Result<()> {
    for entry in
        fs::read_dir(private).with_context(|| format!("cannot list {}", private.display()))?
    {
        let entry = entry?;
        if !entry.file_type()?.is_file() {
            continue;
        }
        let from = entry.path();
        let to = out_dir.join(entry.file_name());
        if from.extension().is_some_and(|e| e == "d") {
            let text = fs::read_to_string(&from)
                .with_context(|| format!("cannot read {}", from.display()))?;
            let text = text.replace(
                &private.display().to_string(),
                &out_dir.display().to_string(),
            );
            fs::write(&to, text).with_context(|| format!("cannot write {}", to.display()))?;
        } else {
            fs::rename(&from, &to)
                .with_context(|| format!("cannot move {} to {}", from.display(), to.display()))?;
        }
    }
    Ok(())
}

/// The variables rustc may see: cargo's per-crate ones (`CARGO_PKG_NAME`, …)
/// and the jobserver. Everything else of the grader's environment is dropped.
fn kept_for_rustc(key: &std::ffi::OsStr) -> bool {
    let key = key.to_string_lossy();
    (key.starts_with("CARGO_") && key != "CARGO_HOME") || key == "PATH"
}

/// The value after `flag` (`--out-dir DIR`).
fn arg_value<'a>(args: &'a [OsString], flag: &str) -> Option<&'a OsString> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
}

/// Confines this process (and so rustc, its child) with Landlock.
fn restrict_self(
    confinement: &Confinement,
    args: &[OsString],
    out_dir: &Path,
    private: &Path,
) -> Result<RulesetStatus> {
    let abi = TESTED_ABI;
    let read_exec = AccessFs::from_read(abi);
    let read_file = AccessFs::ReadFile;
    let optional = |path: &str, access: BitFlags<AccessFs>| (PathBuf::from(path), access, false);
    let mut rules: Vec<PathRule> = SYSTEM_READ_EXEC
        .iter()
        .map(|path| optional(path, read_exec))
        .collect();
    rules.push(optional("/etc/ld.so.cache", read_file.into()));
    rules.push(optional("/dev/null", read_file | AccessFs::WriteFile));
    rules.push(optional("/dev/urandom", read_file.into()));
    rules.push((confinement.sysroot.clone(), read_exec, true));
    rules.push((confinement.crate_dir.join("src"), read_exec, true));
    if let Some(rule) = &confinement.lock_rule {
        rules.push((rule.conf_dir.clone(), read_exec, true));
    }
    // Cargo's output folder: rustc's outputs are moved in, nothing is read.
    rules.push((out_dir.to_path_buf(), AccessFs::from_write(abi), true));
    rules.push((private.to_path_buf(), AccessFs::from_all(abi), true));
    // The compiled dependencies rustc may load: what `--extern` names, and the
    // libraries in the `-L dependency=` folders it searches for their own
    // dependencies, but never a topic crate's library or anything not a library.
    let mut search_dirs = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        let next = args.get(i + 1).map(|a| a.to_string_lossy().into_owned());
        if arg == "--extern"
            && let Some(spec) = &next
            && let Some((_, path)) = spec.split_once('=')
        {
            rules.push((PathBuf::from(path), read_file.into(), false));
        }
        if arg == "-L"
            && let Some(spec) = &next
        {
            let dir = spec.split_once('=').map_or(spec.as_str(), |(_, d)| d);
            search_dirs.push(PathBuf::from(dir));
        }
    }
    for dir in search_dirs {
        rules.push((dir.clone(), AccessFs::ReadDir.into(), false));
        for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_dependency_library(&name, &confinement.topic_crates) {
                rules.push((entry.path(), read_file | AccessFs::Execute, false));
            }
        }
    }

    // No network either: nothing at compile time has a reason to connect.
    let created = Ruleset::default()
        .handle_access(AccessFs::from_all(abi))
        .and_then(|r| r.handle_access(AccessNet::from_all(abi)))
        .and_then(|r| r.create())
        .context("cannot create the Landlock ruleset")?;
    let ruleset = add_path_rules(created, rules)?;
    let status = ruleset
        .no_new_privs(true)
        .restrict_self()
        .context("cannot enter the Landlock domain")?;
    Ok(status.ruleset)
}

/// `libcrossbeam_channel-0a1b….rlib` yes; a topic crate's library, a test
/// binary or a dep-info file no.
fn is_dependency_library(file_name: &str, topic_crates: &[String]) -> bool {
    let Some(rest) = file_name.strip_prefix("lib") else {
        return false;
    };
    let is_library = [".rlib", ".rmeta", ".so"]
        .iter()
        .any(|ext| rest.ends_with(ext));
    let crate_name = rest.rsplit_once('-').map_or(rest, |(name, _)| name);
    is_library && !topic_crates.iter().any(|t| t == crate_name)
}

/// Prints one warning-level note in rustc's JSON diagnostic format, which cargo
/// passes on (and caches with the crate's other messages).
fn note(code: &str, message: &str) {
    emit("warning", "note", code, message);
}

/// Prints one error in rustc's JSON diagnostic format, which cargo passes on.
fn diagnostic(code: &str, message: &str) {
    emit("error", "error", code, message);
}

/// Prints one message of `level` in rustc's JSON diagnostic format, rendered
/// for a person as `label: message`.
fn emit(level: &str, label: &str, code: &str, message: &str) {
    let json = serde_json::json!({
        "$message_type": "diagnostic",
        "message": message,
        "code": { "code": code, "explanation": null },
        "level": level,
        "spans": [],
        "children": [],
        "rendered": format!("{label}: {message}\n"),
    });
    let _ = writeln!(std::io::stderr(), "{json}");
}

#[cfg(test)]
mod tests {
    use super::is_dependency_library;

    #[test]
    fn only_dependency_libraries_are_readable() {
        let topics = vec!["thread_basics".to_owned(), "ipc".to_owned()];
        assert!(is_dependency_library(
            "libcrossbeam_channel-0a1b2c.rlib",
            &topics
        ));
        assert!(is_dependency_library("libshuttle-99.rmeta", &topics));
        assert!(!is_dependency_library(
            "libthread_basics-0a1b.rlib",
            &topics
        ));
        assert!(!is_dependency_library("libipc-0a1b.rmeta", &topics));
        assert!(!is_dependency_library("suite-0a1b2c", &topics));
        assert!(!is_dependency_library("libfoo-0a1b.d", &topics));
    }
}
