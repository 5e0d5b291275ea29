//! The whole pipeline for one source: assemble, build, run, judge — per topic,
//! each topic independent of the others. The runs of a built topic's tests are
//! [`crate::test_run`]'s; what comes out is [`crate::check_result`]'s.

use std::fs;
use std::sync::mpsc;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::assemble::{self, Sandbox};
pub use crate::check_result::{CheckReport, TestResult, TopicResult};
use crate::compile::{self, Binaries, BuildPlan};
use crate::judge::{Failure, Verdict};
use crate::manifest::TestSpec;
use crate::project::{Project, Topic};
use crate::reuse;
use crate::source::Source;
use crate::test_run;

/// What to check and how.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Where the student files come from.
    pub source: Source,
    /// Topics to check, in order.
    pub topics: Vec<Topic>,
    /// Runs per test; a test passes only if every run passes.
    pub repeat: u32,
    /// Tests run at once (serial tests always run alone).
    pub jobs: usize,
    /// Only tests whose name contains this.
    pub test_filter: Option<String>,
    /// Pins seeded tests to one seed (`THREADLINGS_SEED`).
    pub seed: Option<u64>,
    /// A model-checking schedule to replay (`THREADLINGS_REPLAY`).
    pub replay: Option<String>,
    /// Let insta write snapshots (authors' `bless`); otherwise suite files are guarded.
    pub bless: bool,
    /// Refuse to compile or run student code without Landlock (grading), rather
    /// than fall back to the other layers (a student's own check).
    pub require_landlock: bool,
    /// Where the pictures of failing runs' event logs go (see
    /// [`crate::timeline`]), a folder per topic below it (`grade`: the
    /// submission's output folder). `None`: the folder `timelines/` of each
    /// topic's sandbox, in the checker's work folder.
    pub timelines: Option<std::path::PathBuf>,
    /// A student's check (`check`, `watch`), tuned for quick feedback: a test's
    /// time limit is at most [`STUDENT_TIME_LIMIT_SECS`] or a third of the
    /// manifest's, whichever is longer (performance tests keep theirs);
    /// once a test of a task timed out, that task's tests not started yet
    /// are not run; a performance test runs only once its task's other tests
    /// passed. Tests not run count as not passed. Off (grading, the default),
    /// every test runs with its manifest's full time limit.
    pub student_check: bool,
    /// Whether a topic's last result may stand in for a run (see
    /// [`crate::reuse`]). [`Reuse::Never`] by default (grading).
    pub reuse: Reuse,
}

/// Whether a topic's last result may stand in for a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reuse {
    /// Run every test and keep nothing (grading, authors' tools).
    Never,
    /// Run every test and keep a result worth keeping for the next check
    /// (a student's `--fresh` or `--repeat`).
    Refresh,
    /// Reuse the last result kept when nothing it depends on changed; else
    /// run and keep (a student's `check` and `watch`).
    WhenUnchanged,
}

/// The time limit of a (non-performance) test in a student's check, in seconds,
/// unless a third of its manifest limit is longer: reference tests take a
/// second or two on a busy machine, so a hang is reported in seconds rather
/// than after a grading limit of up to a minute.
pub const STUDENT_TIME_LIMIT_SECS: f64 = 10.0;

impl CheckOptions {
    /// Defaults: every test once, one job per core.
    pub fn new(source: Source, topics: Vec<Topic>) -> CheckOptions {
        CheckOptions {
            source,
            topics,
            repeat: 1,
            jobs: default_jobs(),
            test_filter: None,
            seed: None,
            replay: None,
            bless: false,
            require_landlock: false,
            timelines: None,
            student_check: false,
            reuse: Reuse::Never,
        }
    }
}

/// One job per available core.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Progress as the pipeline goes, for a live display.
#[derive(Debug, Clone)]
pub enum Progress<'a> {
    /// A topic's sandbox is being built.
    Building {
        /// The topic.
        topic: &'a str,
    },
    /// A test finished.
    TestDone {
        /// The topic.
        topic: &'a str,
        /// The result.
        result: &'a TestResult,
    },
    /// A topic is done.
    TopicDone {
        /// The result.
        result: &'a TopicResult,
    },
}

/// Checks every selected topic of `options.source`. A failure of one topic (even
/// of the checker) is recorded in that topic and the others go on.
///
/// Topics go through two stages at once: while one topic's tests run, the next
/// topic is assembled and built (one ahead at most). A build holds the same
/// shared access as a parallel test, so it never runs beside a serial test.
pub fn check(
    project: &Project,
    options: &CheckOptions,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> CheckReport {
    let started = Instant::now();
    let topics = std::thread::scope(|scope| {
        // A rendezvous: the builder hands a topic over once the tests of the
        // one before are done, and builds the next meanwhile.
        let (hand_over, built) = mpsc::sync_channel(0);
        scope.spawn(move || {
            for topic in &options.topics {
                if hand_over
                    .send(prepare_topic(project, options, topic, progress))
                    .is_err()
                {
                    break;
                }
            }
        });
        built
            .iter()
            .map(|prepared| {
                let result = match prepared {
                    Ok(prepared) => run_topic(options, prepared, progress),
                    Err(result) => result,
                };
                progress(Progress::TopicDone { result: &result });
                result
            })
            .collect()
    });
    CheckReport {
        source: options.source.describe(),
        topics,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// A topic built and ready for its tests to run.
struct Prepared<'a> {
    topic: &'a Topic,
    /// The tests to run, in manifest order.
    selected: Vec<TestSpec>,
    shared_memory: bool,
    sandbox: Sandbox,
    /// Held until the topic's tests are done (see [`lock_sandbox`]).
    _sandbox_lock: fs::File,
    binaries: Binaries,
    /// What the result is kept under for the next check, when results are reused.
    fingerprint: Option<String>,
}

/// Runs a built topic's tests.
fn run_topic(
    options: &CheckOptions,
    prepared: Prepared<'_>,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> TopicResult {
    let selected: Vec<&TestSpec> = prepared.selected.iter().collect();
    let tests = test_run::run_tests(
        options,
        prepared.topic,
        &prepared.sandbox,
        &prepared.binaries,
        &selected,
        prepared.shared_memory,
        progress,
    );
    let result = TopicResult {
        topic: prepared.topic.dir.clone(),
        problem: None,
        tests,
        reused: false,
    };
    if let Some(fingerprint) = &prepared.fingerprint {
        reuse::keep(&prepared.sandbox, fingerprint, &result);
    }
    result
}

/// Assembles and builds one topic; `Err` is the topic's whole result when it
/// cannot get as far as running tests (or has none to run).
fn prepare_topic<'a>(
    project: &Project,
    options: &CheckOptions,
    topic: &'a Topic,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Result<Prepared<'a>, TopicResult> {
    let manifest = match project.manifest(topic) {
        Ok(manifest) => manifest,
        Err(e) => {
            return Err(TopicResult {
                topic: topic.dir.clone(),
                problem: Some(Failure::CheckerError {
                    message: format!("{e:#}"),
                }),
                tests: Vec::new(),
                reused: false,
            });
        }
    };
    let selected: Vec<TestSpec> = manifest
        .tests
        .into_iter()
        .filter(|t| {
            options
                .test_filter
                .as_ref()
                .is_none_or(|f| t.name.contains(f.as_str()))
        })
        .collect();
    let fail_all = |failure: Failure| TopicResult {
        topic: topic.dir.clone(),
        problem: Some(failure.clone()),
        tests: selected
            .iter()
            .map(|spec| TestResult::of(spec, Verdict::failed(failure.clone()), 0.0))
            .collect(),
        reused: false,
    };
    if let Some(spec) = selected.iter().find(|spec| {
        spec.model_files
            .iter()
            .any(|f| !topic.student_files.contains(f))
    }) {
        return Err(fail_all(Failure::CheckerError {
            message: format!(
                "the manifest's model_files of {} ({}) must be student files of {} ({})",
                spec.name,
                spec.model_files.join(", "),
                topic.dir,
                topic.student_files.join(", ")
            ),
        }));
    }
    if selected.is_empty() {
        return Err(TopicResult {
            topic: topic.dir.clone(),
            problem: None,
            tests: Vec::new(),
            reused: false,
        });
    }

    let student_files = match options.source.read_student_files(project, topic) {
        Ok(files) => files,
        Err(problem) => return Err(fail_all(Failure::BadSubmission { message: problem.0 })),
    };
    progress(Progress::Building { topic: &topic.dir });
    let sandbox = project.sandbox(&options.source.key(), topic);
    // Two checks of the same source and topic (a `watch` and a `check`, say) take
    // turns: one must not rewrite or delete the sandbox the other is running.
    let sandbox_lock = match lock_sandbox(&sandbox) {
        Ok(lock) => lock,
        Err(e) => {
            return Err(fail_all(Failure::CheckerError {
                message: format!("{e:#}"),
            }));
        }
    };
    let selected_refs: Vec<&TestSpec> = selected.iter().collect();
    let binaries = match prepare(
        project,
        topic,
        &sandbox,
        &student_files,
        &selected_refs,
        options,
    ) {
        Ok(Ok(binaries)) => binaries,
        Ok(Err(failure)) => return Err(fail_all(failure)),
        Err(e) => {
            return Err(fail_all(Failure::CheckerError {
                message: format!("{e:#}"),
            }));
        }
    };
    // A fingerprint that cannot be taken only costs the reuse.
    let fingerprint = match options.reuse {
        Reuse::Never => None,
        Reuse::Refresh | Reuse::WhenUnchanged => {
            reuse::fingerprint(&sandbox, &binaries, options).ok()
        }
    };
    if options.reuse == Reuse::WhenUnchanged
        && let Some(last) = fingerprint
            .as_deref()
            .and_then(|fingerprint| reuse::last_result(&sandbox, fingerprint))
    {
        return Err(last);
    }
    Ok(Prepared {
        fingerprint,
        topic,
        shared_memory: manifest.shared_memory,
        selected,
        sandbox,
        _sandbox_lock: sandbox_lock,
        binaries,
    })
}

/// Makes `dir` (created if missing) and its files writable by anyone, for bless.
fn open_for_writing(dir: &std::path::Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o777))
        .with_context(|| format!("cannot open {} for writing", dir.display()))?;
    for file in assemble::walk(dir)? {
        fs::set_permissions(&file, fs::Permissions::from_mode(0o666))
            .with_context(|| format!("cannot open {} for writing", file.display()))?;
    }
    Ok(())
}

/// Takes the sandbox's lock file, waiting while another check holds it.
fn lock_sandbox(sandbox: &Sandbox) -> Result<fs::File> {
    fs::create_dir_all(&sandbox.root)
        .with_context(|| format!("cannot create {}", sandbox.root.display()))?;
    let path = sandbox.root.join(".lock");
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    file.lock()
        .with_context(|| format!("cannot lock {}", path.display()))?;
    Ok(file)
}

/// Assembles and builds; the inner error is a verdict for the whole topic.
fn prepare(
    project: &Project,
    topic: &Topic,
    sandbox: &Sandbox,
    student_files: &[(String, String)],
    selected: &[&TestSpec],
    options: &CheckOptions,
) -> Result<Result<Binaries, Failure>> {
    assemble::assemble(project, topic, sandbox, student_files)?;
    if options.bless {
        // Tests may run as an unprivileged user; bless needs insta to write snapshots.
        open_for_writing(&sandbox.snapshot_dir())?;
    }
    let plan = BuildPlan {
        suite: selected.iter().any(|spec| !spec.is_model_check()),
        model: selected.iter().any(|spec| spec.is_model_check()),
    };
    let crate_dir = sandbox.crate_dir.display().to_string();
    let show_path = |text: &str| -> String {
        // `exercises/02_join_all/`: the topic folder as the student knows it.
        let shown = format!(
            "{}/",
            options
                .source
                .display_path(project, topic, "")
                .trim_end_matches('/')
        );
        text.replace(&format!("{crate_dir}/"), &shown)
            .replace(&format!("{}/src/", sandbox.member), &format!("{shown}src/"))
            .replace(&format!("{}/tests/", sandbox.member), "tests/")
    };
    Ok(compile::build(
        project,
        sandbox,
        &plan,
        options.require_landlock,
        &show_path,
    )?
    .map_err(|failure| Failure::CompileError {
        message: failure.message,
    }))
}
