//! The whole pipeline for one source: assemble, build, run, judge — per topic,
//! each topic independent of the others.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::assemble::{self, Sandbox};
use crate::compile::{self, Binaries, BuildPlan};
use crate::confine::{Policy, SHARED_MEMORY_DIR};
use crate::judge::{self, Failure, Verdict};
use crate::manifest::{TestSpec, Visibility};
use crate::project::{Project, Topic};
use crate::run::{self, RunRequest};
use crate::source::Source;

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
}

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
        }
    }
}

/// One job per available core.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The result of one test.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestResult {
    /// The test's name.
    pub name: String,
    /// The contract item it grades.
    pub task: String,
    /// Public or hidden.
    pub visibility: Visibility,
    /// Points it is worth.
    pub max_points: f64,
    /// Points awarded (all or nothing).
    pub points: f64,
    /// Pass, or why not.
    pub verdict: Verdict,
    /// Wall time of all its runs, in seconds.
    pub seconds: f64,
}

/// The result of one topic.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TopicResult {
    /// Topic directory name.
    pub topic: String,
    /// A problem that failed the whole topic (compile error, bad submission).
    pub problem: Option<Failure>,
    /// Every graded test, in manifest order.
    pub tests: Vec<TestResult>,
}

impl TopicResult {
    /// Points awarded.
    pub fn points(&self) -> f64 {
        self.tests.iter().map(|t| t.points).sum()
    }

    /// Points possible.
    pub fn max_points(&self) -> f64 {
        self.tests.iter().map(|t| t.max_points).sum()
    }

    /// Whether every test passed.
    pub fn all_passed(&self) -> bool {
        self.problem.is_none() && self.tests.iter().all(|t| t.verdict.passed())
    }
}

/// The result of checking one source.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckReport {
    /// What was checked (`exercises/`, a submission directory …).
    pub source: String,
    /// Per topic, in the order asked.
    pub topics: Vec<TopicResult>,
    /// Wall time in seconds.
    pub seconds: f64,
}

impl CheckReport {
    /// Points awarded over all topics.
    pub fn points(&self) -> f64 {
        self.topics.iter().map(TopicResult::points).sum()
    }

    /// Points possible over all topics.
    pub fn max_points(&self) -> f64 {
        self.topics.iter().map(TopicResult::max_points).sum()
    }

    /// Whether everything checked passed.
    pub fn all_passed(&self) -> bool {
        self.topics.iter().all(TopicResult::all_passed)
    }
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
pub fn check(
    project: &Project,
    options: &CheckOptions,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> CheckReport {
    let started = Instant::now();
    let topics = options
        .topics
        .iter()
        .map(|topic| {
            let result = check_topic(project, options, topic, progress);
            progress(Progress::TopicDone { result: &result });
            result
        })
        .collect();
    CheckReport {
        source: options.source.describe(),
        topics,
        seconds: started.elapsed().as_secs_f64(),
    }
}

fn check_topic(
    project: &Project,
    options: &CheckOptions,
    topic: &Topic,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> TopicResult {
    let manifest = match project.manifest(topic) {
        Ok(manifest) => manifest,
        Err(e) => {
            return TopicResult {
                topic: topic.dir.clone(),
                problem: Some(Failure::CheckerError {
                    message: format!("{e:#}"),
                }),
                tests: Vec::new(),
            };
        }
    };
    let selected: Vec<&TestSpec> = manifest
        .tests
        .iter()
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
            .map(|spec| result_of(spec, Verdict::failed(failure.clone()), 0.0))
            .collect(),
    };
    if let Some(spec) = selected.iter().find(|spec| {
        spec.model_files
            .iter()
            .any(|f| !topic.student_files.contains(f))
    }) {
        return fail_all(Failure::CheckerError {
            message: format!(
                "the manifest's model_files of {} ({}) must be student files of {} ({})",
                spec.name,
                spec.model_files.join(", "),
                topic.dir,
                topic.student_files.join(", ")
            ),
        });
    }
    if selected.is_empty() {
        return TopicResult {
            topic: topic.dir.clone(),
            problem: None,
            tests: Vec::new(),
        };
    }

    let student_files = match options.source.read_student_files(project, topic) {
        Ok(files) => files,
        Err(problem) => return fail_all(Failure::BadSubmission { message: problem.0 }),
    };
    progress(Progress::Building { topic: &topic.dir });
    let sandbox = Sandbox::locate(project, &options.source.key(), topic);
    // Two checks of the same source and topic (a `watch` and a `check`, say) take
    // turns: one must not rewrite or delete the sandbox the other is running.
    let _sandbox_lock = match lock_sandbox(&sandbox) {
        Ok(lock) => lock,
        Err(e) => {
            return fail_all(Failure::CheckerError {
                message: format!("{e:#}"),
            });
        }
    };
    let binaries = match prepare(project, topic, &sandbox, &student_files, &selected, options) {
        Ok(Ok(binaries)) => binaries,
        Ok(Err(failure)) => return fail_all(failure),
        Err(e) => {
            return fail_all(Failure::CheckerError {
                message: format!("{e:#}"),
            });
        }
    };
    let tests = run_tests(
        options,
        topic,
        &sandbox,
        &binaries,
        &selected,
        manifest.shared_memory,
        progress,
    );
    TopicResult {
        topic: topic.dir.clone(),
        problem: None,
        tests,
    }
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

fn result_of(spec: &TestSpec, verdict: Verdict, seconds: f64) -> TestResult {
    let points = if verdict.passed() { spec.points } else { 0.0 };
    TestResult {
        name: spec.name.clone(),
        task: spec.task.clone(),
        visibility: spec.visibility,
        max_points: spec.points,
        points,
        verdict,
        seconds,
    }
}

/// Runs the selected tests: parallel ones on `jobs` workers, then serial ones alone.
/// `shared_memory`: the topic's tests may write `/dev/shm`.
fn run_tests(
    options: &CheckOptions,
    topic: &Topic,
    sandbox: &Sandbox,
    binaries: &Binaries,
    selected: &[&TestSpec],
    shared_memory: bool,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Vec<TestResult> {
    let guard = SuiteGuard::new(sandbox);
    let policy = policy_of(options, sandbox, shared_memory);
    let results: Mutex<BTreeMap<usize, TestResult>> = Mutex::new(BTreeMap::new());
    let run_one = |index: usize| {
        let spec = selected[index];
        let started = Instant::now();
        let lock_verdict = crate::lock_rule::verdict(
            &spec.model_files,
            &topic.student_files,
            &binaries.lock_findings,
        );
        let verdict = match (lock_verdict, binaries.tests.get(spec.binary())) {
            // A foreign lock in a file the test relies on: it fails without running
            // (the model checker could not explore the file; a std lock could hang).
            (Some(verdict), _) => verdict,
            (None, None) => Verdict::failed(Failure::CheckerError {
                message: format!("no test binary was built for {}.rs", spec.file),
            }),
            (None, Some(binary)) => {
                let runs = (0..options.repeat.max(1))
                    .map(|_| {
                        run_once(
                            options,
                            topic,
                            sandbox,
                            binary.clone(),
                            spec,
                            &guard,
                            &policy,
                        )
                    })
                    .collect();
                judge::combine_repeats(runs)
            }
        };
        let result = result_of(spec, verdict, started.elapsed().as_secs_f64());
        progress(Progress::TestDone {
            topic: &topic.dir,
            result: &result,
        });
        if let Ok(mut all) = results.lock() {
            all.insert(index, result);
        }
    };

    let parallel: Vec<usize> = (0..selected.len())
        .filter(|&i| !selected[i].serial)
        .collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.max(1).min(parallel.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&index) = parallel.get(k) else { break };
                    run_one(index);
                }
            });
        }
    });
    for index in (0..selected.len()).filter(|&i| selected[i].serial) {
        run_one(index);
    }
    results
        .into_inner()
        .map(|m| m.into_values().collect())
        .unwrap_or_default()
}

/// What every test of a sandbox may touch (see [`crate::confine`]): execute the
/// sandbox's binaries (its target folder), read its snapshots (all public; insta
/// reads them), write `/dev/shm` when the topic needs it and the snapshots when
/// blessing; a private temporary folder is made in the sandbox's `run/` folder.
fn policy_of(options: &CheckOptions, sandbox: &Sandbox, shared_memory: bool) -> Policy {
    let snapshots = sandbox.snapshot_dir();
    let mut policy = Policy {
        read_exec: vec![sandbox.target_dir.clone()],
        temp_parent: sandbox.root.join("run"),
        ..Policy::default()
    };
    if options.bless {
        policy.write.push(snapshots);
    } else if snapshots.is_dir() {
        policy.read.push(snapshots);
    }
    if shared_memory {
        policy.write.push(PathBuf::from(SHARED_MEMORY_DIR));
    }
    policy
}

/// One run of one test, judged.
fn run_once(
    options: &CheckOptions,
    topic: &Topic,
    sandbox: &Sandbox,
    binary: PathBuf,
    spec: &TestSpec,
    guard: &SuiteGuard,
    policy: &Policy,
) -> Verdict {
    match try_run_once(options, topic, sandbox, binary, spec, guard, policy) {
        Ok(verdict) => verdict,
        Err(e) => Verdict::failed(Failure::CheckerError {
            message: format!("{e:#}"),
        }),
    }
}

fn try_run_once(
    options: &CheckOptions,
    topic: &Topic,
    sandbox: &Sandbox,
    binary: PathBuf,
    spec: &TestSpec,
    guard: &SuiteGuard,
    policy: &Policy,
) -> Result<Verdict> {
    let timeout = Duration::from_secs_f64(spec.timeout);
    let mut env = vec![
        ("THREADLINGS_TOPIC".to_owned(), topic.dir.clone()),
        // file!() in the tests is relative to the sandbox workspace, so insta finds
        // snapshots from there.
        (
            "INSTA_WORKSPACE_ROOT".to_owned(),
            sandbox.root.display().to_string(),
        ),
    ];
    if let Some(seed) = options.seed {
        env.push(("THREADLINGS_SEED".into(), seed.to_string()));
    }
    if let Some(replay) = &options.replay {
        env.push(("THREADLINGS_REPLAY".into(), replay.clone()));
    }
    if options.bless {
        env.push(("INSTA_UPDATE".into(), "always".into()));
        env.push(("INSTA_FORCE_PASS".into(), "1".into()));
    }
    let _alone = spec.serial.then(run::exclusive);
    let output = run::run_test(&RunRequest {
        binary,
        test: spec.path_in_binary(),
        cwd: sandbox.crate_dir.clone(),
        timeout,
        env,
        policy: policy.clone(),
    })?;
    let mut verdict = judge::judge_run(&output, timeout);
    if options.bless {
        return Ok(verdict);
    }
    if let Some(changed) = guard.restore_if_changed()? {
        verdict = Verdict::failed(Failure::Crashed {
            message: format!(
                "the suite's files were modified while this test ran ({changed}); tests must not write them"
            ),
        });
    }
    Ok(verdict)
}

/// The suite files of a sandbox (tests and snapshots) as assembled, so a test
/// that rewrites them is caught and the originals put back.
struct SuiteGuard {
    dir: PathBuf,
    files: BTreeMap<PathBuf, Vec<u8>>,
    lock: Mutex<()>,
}

impl SuiteGuard {
    fn new(sandbox: &Sandbox) -> SuiteGuard {
        let dir = sandbox.crate_dir.join("tests");
        let files = assemble::walk(&dir)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|p| fs::read(&p).ok().map(|bytes| (p, bytes)))
            .collect();
        SuiteGuard {
            dir,
            files,
            lock: Mutex::new(()),
        }
    }

    /// Names the first changed or removed suite file, after restoring all of them.
    fn restore_if_changed(&self) -> Result<Option<String>> {
        let _serialised = self.lock.lock();
        let mut changed = None;
        for (path, bytes) in &self.files {
            let now = crate::source::read_untrusted(path, bytes.len() as u64).ok();
            if now.as_deref() != Some(bytes.as_slice()) {
                changed.get_or_insert_with(|| {
                    path.strip_prefix(&self.dir)
                        .unwrap_or(path)
                        .display()
                        .to_string()
                });
                // Whatever stands there now (a link, a FIFO, a folder) goes first:
                // the original is written in its place, never through it.
                match fs::symlink_metadata(path) {
                    Ok(meta) if meta.is_dir() => fs::remove_dir_all(path)?,
                    Ok(_) => fs::remove_file(path)?,
                    Err(_) => {}
                }
                assemble::write_if_changed(path, bytes)?;
            }
        }
        Ok(changed)
    }
}
