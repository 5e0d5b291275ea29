//! Batch grading: every submission of a class through the same pipeline as
//! `check`, with results written per submission as soon as it is graded, and the
//! class-wide files (grades.csv, junit.xml, summary.md, report.html) rewritten after each one,
//! so a run that is killed keeps everything it finished.
//!
//! Layout of an output directory:
//!
//! ```text
//! OUT/<id>/results.json   Gradescope's format (see [`gradescope`])
//! OUT/<id>/check.json     the full check report, read back by `merge`
//! OUT/<id>/timelines/     pictures (SVG) of failing runs' event logs, per topic
//! OUT/grades.csv          submission,total,max,<topic>...
//! OUT/junit.xml           one testsuite per submission
//! OUT/summary.md          for a CI step summary
//! OUT/report.html         the class at a glance (one file, opens from disk)
//! OUT/shard.json          which shard this directory holds
//! ```

pub mod class;
pub mod csv;
pub mod gradescope;
pub mod html;
pub mod junit;
#[cfg(test)]
mod sample;
pub mod summary;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::check::{CheckOptions, CheckReport, check};
use crate::judge::Failure;
use crate::parallel::parallel_for;
use crate::project::{Project, Topic};
use crate::source::Source;

/// One graded submission.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubmissionResult {
    /// The student id (the submission's directory name).
    pub id: String,
    /// A problem with the submission as a whole (layout), shown first.
    pub problem: Option<String>,
    /// The check of every topic.
    pub report: CheckReport,
}

impl SubmissionResult {
    /// Points awarded.
    pub fn points(&self) -> f64 {
        self.report.points()
    }

    /// Points possible.
    pub fn max_points(&self) -> f64 {
        self.report.max_points()
    }

    /// Whether the checker itself failed somewhere (not the student's fault).
    pub fn has_checker_error(&self) -> bool {
        self.report.topics.iter().any(|t| {
            matches!(t.problem, Some(Failure::CheckerError { .. }))
                || t.tests
                    .iter()
                    .any(|r| matches!(r.verdict.failure, Some(Failure::CheckerError { .. })))
        })
    }
}

/// A shard: the `index`-th (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// 1..=count.
    pub index: u32,
    /// Number of shards.
    pub count: u32,
}

impl Shard {
    /// Parses `I/N` with 1 ≤ I ≤ N.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let (i, n) = text
            .split_once('/')
            .ok_or_else(|| format!("--shard takes I/N (e.g. 2/4), not {text:?}"))?;
        let index: u32 = i
            .trim()
            .parse()
            .map_err(|_| format!("--shard {text}: {i:?} is not a number"))?;
        let count: u32 = n
            .trim()
            .parse()
            .map_err(|_| format!("--shard {text}: {n:?} is not a number"))?;
        if count == 0 || index == 0 || index > count {
            return Err(format!("--shard {text}: need 1 ≤ I ≤ N"));
        }
        Ok(Shard { index, count })
    }

    /// Whether submission `id` belongs to this shard. Stable: depends only on the
    /// id and N, never on the other submissions, so re-runs and late submissions
    /// land in the same shard.
    pub fn contains(&self, id: &str) -> bool {
        (crate::source::fnv1a(id.as_bytes()) % u64::from(self.count)) as u32 + 1 == self.index
    }
}

/// What one output directory holds (written as `shard.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunInfo {
    /// The shard graded, if any.
    pub shard: Option<Shard>,
    /// Topic directories graded, in order (the CSV columns).
    pub topics: Vec<String>,
    /// Submissions of this shard, graded or not yet.
    pub submissions: Vec<String>,
    /// Whether the run finished.
    pub finished: bool,
    /// Wall time so far, seconds.
    pub seconds: f64,
    /// The sandbox layers student code ran under (one line; `--no-sandbox` says so).
    #[serde(default)]
    pub sandbox: String,
}

/// Options of a grading run.
#[derive(Debug, Clone)]
pub struct GradeOptions {
    /// The folder holding one directory per student.
    pub submissions: PathBuf,
    /// Where results go.
    pub out: PathBuf,
    /// Submissions graded at once, and test processes running at once.
    pub jobs: usize,
    /// Only this shard's submissions.
    pub shard: Option<Shard>,
    /// Runs per test.
    pub repeat: u32,
    /// Topics graded (all by default).
    pub topics: Vec<Topic>,
    /// Keep each submission's sandboxes (default: removed once graded, for disk).
    pub keep_sandboxes: bool,
    /// The sandbox layers in force, as the results record them.
    pub sandbox: String,
    /// Refuse to build or run student code without Landlock (see [`CheckOptions`]).
    pub require_landlock: bool,
}

/// Progress of a grading run.
#[derive(Debug)]
pub enum GradeEvent<'a> {
    /// Grading starts: this many submissions in this shard.
    Started {
        /// Submissions to grade.
        total: usize,
    },
    /// A submission started.
    SubmissionStarted {
        /// Its id.
        id: &'a str,
    },
    /// A submission was graded and its results written.
    SubmissionDone {
        /// Its result.
        result: &'a SubmissionResult,
        /// Submissions done so far.
        done: usize,
        /// Submissions in total.
        total: usize,
    },
    /// A results file could not be written (the run goes on; exit code 3).
    WriteFailed {
        /// What failed.
        message: String,
    },
}

/// Why a grading run could not start (bad usage: exit code 2).
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Why a grading run stopped: bad usage (nothing graded), or the grader failed.
#[derive(Debug)]
pub enum GradeError {
    /// The run could not start: no such folder, no submission in it.
    Usage(UsageError),
    /// The grader itself failed (what was graded before is written).
    Failed(anyhow::Error),
}

impl From<UsageError> for GradeError {
    fn from(error: UsageError) -> Self {
        GradeError::Usage(error)
    }
}

impl From<anyhow::Error> for GradeError {
    fn from(error: anyhow::Error) -> Self {
        GradeError::Failed(error)
    }
}

/// The submissions in `dir`: every directory not starting with `.`, sorted by id.
pub fn discover(dir: &Path, exclude: Option<&Path>) -> Result<Vec<(String, PathBuf)>, UsageError> {
    let meta = fs::metadata(dir).map_err(|_| {
        UsageError(format!(
            "the submissions folder {} does not exist",
            dir.display()
        ))
    })?;
    if !meta.is_dir() {
        return Err(UsageError(format!(
            "{} is not a folder: SUBMISSIONS holds one folder per student, named by the student id",
            dir.display()
        )));
    }
    let entries =
        fs::read_dir(dir).map_err(|e| UsageError(format!("cannot list {}: {e}", dir.display())))?;
    let exclude = exclude.and_then(|p| p.canonicalize().ok());
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        if exclude.is_some() && path.canonicalize().ok() == exclude {
            continue;
        }
        found.push((name, path));
    }
    if found.is_empty() {
        return Err(UsageError(format!(
            "{} holds no submission: expected one folder per student (SUBMISSIONS/<id>/exercises/NN_topic/src/...)",
            dir.display()
        )));
    }
    found.sort();
    Ok(found)
}

/// The outcome of a grading run.
#[derive(Debug)]
pub struct GradeRun {
    /// Every graded submission, sorted by id.
    pub results: Vec<SubmissionResult>,
    /// Whether the grader failed anywhere (a checker error, a file not written).
    pub grader_failed: bool,
}

/// Grades every submission of the shard, writing results as it goes.
pub fn grade(
    project: &Project,
    options: &GradeOptions,
    events: &(dyn Fn(GradeEvent<'_>) + Sync),
) -> Result<GradeRun, GradeError> {
    let started = Instant::now();
    let all = discover(&options.submissions, Some(&options.out))?;
    let mine: Vec<(String, PathBuf)> = all
        .into_iter()
        .filter(|(id, _)| options.shard.is_none_or(|s| s.contains(id)))
        .collect();
    fs::create_dir_all(&options.out)
        .with_context(|| format!("cannot create {}", options.out.display()))?;
    let topics: Vec<String> = options.topics.iter().map(|t| t.dir.clone()).collect();
    let info = |finished: bool| RunInfo {
        shard: options.shard,
        topics: topics.clone(),
        submissions: mine.iter().map(|(id, _)| id.clone()).collect(),
        finished,
        seconds: started.elapsed().as_secs_f64(),
        sandbox: options.sandbox.clone(),
    };
    // A fresh directory: results of an earlier run for other ids would be merged by mistake.
    write_aggregates(&options.out, &info(false), &[])?;
    events(GradeEvent::Started { total: mine.len() });

    let jobs = options.jobs.max(1);
    crate::run::set_max_concurrent_tests(jobs);
    let done: Mutex<Vec<SubmissionResult>> = Mutex::new(Vec::new());
    let failed = std::sync::atomic::AtomicBool::new(false);
    // Submissions start in the order listed; `done` is kept sorted by id as they finish.
    parallel_for(jobs, &mine, |(id, dir)| {
        events(GradeEvent::SubmissionStarted { id });
        let result = grade_one(project, options, id, dir, jobs);
        if result.has_checker_error() {
            failed.store(true, Ordering::SeqCst);
        }
        if let Err(e) = write_submission(&options.out, &result, &options.sandbox) {
            failed.store(true, Ordering::SeqCst);
            events(GradeEvent::WriteFailed {
                message: format!("{e:#}"),
            });
        }
        if !options.keep_sandboxes {
            let key = Source::Dir(dir.clone()).key();
            // Best effort: a leftover costs disk, never a grade.
            let _ = crate::assemble::remove_source_artifacts(project, &key);
        }
        let mut all = done.lock().unwrap_or_else(|e| e.into_inner());
        all.push(result);
        all.sort_by(|a, b| a.id.cmp(&b.id));
        if let Err(e) = write_aggregates(&options.out, &info(false), &all) {
            failed.store(true, Ordering::SeqCst);
            events(GradeEvent::WriteFailed {
                message: format!("{e:#}"),
            });
        }
        let result = all.iter().find(|r| &r.id == id).cloned();
        let count = all.len();
        drop(all);
        if let Some(result) = result {
            events(GradeEvent::SubmissionDone {
                result: &result,
                done: count,
                total: mine.len(),
            });
        }
    });
    let results = done.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut grader_failed = failed.load(Ordering::SeqCst);
    if let Err(e) = write_aggregates(&options.out, &info(true), &results) {
        grader_failed = true;
        events(GradeEvent::WriteFailed {
            message: format!("{e:#}"),
        });
    }
    Ok(GradeRun {
        results,
        grader_failed,
    })
}

/// Grades one submission: only its student files are read (see [`Source`]).
fn grade_one(
    project: &Project,
    options: &GradeOptions,
    id: &str,
    dir: &Path,
    jobs: usize,
) -> SubmissionResult {
    let problem = if dir.join("exercises").is_dir() {
        None
    } else {
        Some(format!(
            "the submission has no exercises/ folder: it must be laid out like the student release \
             ({id}/exercises/NN_topic/src/...); every topic scores 0"
        ))
    };
    let mut check_options =
        CheckOptions::new(Source::Dir(dir.to_path_buf()), options.topics.clone());
    check_options.repeat = options.repeat.max(1);
    check_options.jobs = jobs;
    check_options.require_landlock = options.require_landlock;
    // Pictures of failing runs go beside the submission's results (OUT/<id>/timelines/).
    check_options.timelines = Some(options.out.join(id).join("timelines"));
    let mut report = check(project, &check_options, &|_| {});
    report.source = id.to_owned();
    SubmissionResult {
        id: id.to_owned(),
        problem,
        report,
    }
}

/// Writes `OUT/<id>/results.json` and `OUT/<id>/check.json`; `sandbox` names
/// the layers in force (recorded in results.json's `extra_data`).
pub fn write_submission(out: &Path, result: &SubmissionResult, sandbox: &str) -> Result<()> {
    let dir = out.join(&result.id);
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let gradescope = serde_json::to_string_pretty(&gradescope::results(result, sandbox))
        .context("cannot encode results.json")?;
    write_atomic(&dir.join("results.json"), gradescope.as_bytes())?;
    let full = serde_json::to_string_pretty(result).context("cannot encode check.json")?;
    write_atomic(&dir.join("check.json"), full.as_bytes())
}

/// Writes grades.csv, junit.xml, summary.md, report.html and shard.json for `results`.
pub fn write_aggregates(out: &Path, info: &RunInfo, results: &[SubmissionResult]) -> Result<()> {
    write_atomic(
        &out.join("grades.csv"),
        csv::grades(&info.topics, results).as_bytes(),
    )?;
    write_atomic(&out.join("junit.xml"), junit::junit(results).as_bytes())?;
    write_atomic(
        &out.join("summary.md"),
        summary::summary(info, results).as_bytes(),
    )?;
    write_atomic(
        &out.join("report.html"),
        html::report(info, results).as_bytes(),
    )?;
    let text = serde_json::to_string_pretty(info).context("cannot encode shard.json")?;
    write_atomic(&out.join("shard.json"), text.as_bytes())
}

/// Writes through a temporary file and a rename: a reader never sees half a file.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

/// Reads the graded submissions of one output directory (its `<id>/check.json`).
pub fn load_dir(dir: &Path) -> Result<(RunInfo, Vec<SubmissionResult>)> {
    let info_path = dir.join("shard.json");
    let text = fs::read_to_string(&info_path).with_context(|| {
        format!(
            "{} is not a grading output folder (no shard.json)",
            dir.display()
        )
    })?;
    let info: RunInfo = serde_json::from_str(&text)
        .with_context(|| format!("{} is malformed", info_path.display()))?;
    let mut results = Vec::new();
    for id in &info.submissions {
        let path = dir.join(id).join("check.json");
        if !path.is_file() {
            continue;
        }
        let text =
            fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let result: SubmissionResult = serde_json::from_str(&text)
            .with_context(|| format!("{} is malformed", path.display()))?;
        results.push(result);
    }
    Ok((info, results))
}

/// The outcome of [`merge`].
#[derive(Debug)]
pub struct Merged {
    /// The merged run info (no shard).
    pub info: RunInfo,
    /// Every submission once, sorted by id.
    pub results: Vec<SubmissionResult>,
    /// Which folder each submission came from.
    pub origin: Vec<(PathBuf, String)>,
    /// A shard missing, a run unfinished.
    pub warnings: Vec<String>,
}

/// Joins shard outputs: every submission once, the union of topics.
pub fn merge(dirs: &[PathBuf]) -> Result<Merged> {
    let mut topics: Vec<String> = Vec::new();
    let mut results: Vec<SubmissionResult> = Vec::new();
    let mut origin: Vec<(PathBuf, String)> = Vec::new();
    let mut warnings = Vec::new();
    let mut submissions = Vec::new();
    let mut seen_shards: BTreeSet<u32> = BTreeSet::new();
    let mut shard_count = None;
    let mut seconds: f64 = 0.0;
    let mut sandboxes: Vec<String> = Vec::new();
    for dir in dirs {
        let (info, dir_results) = load_dir(dir)?;
        if !sandboxes.contains(&info.sandbox) {
            sandboxes.push(info.sandbox.clone());
        }
        for topic in &info.topics {
            if !topics.contains(topic) {
                topics.push(topic.clone());
            }
        }
        if !info.finished {
            warnings.push(format!(
                "{} is from a run that did not finish ({} of {} submissions graded)",
                dir.display(),
                dir_results.len(),
                info.submissions.len()
            ));
        } else if dir_results.len() < info.submissions.len() {
            warnings.push(format!(
                "{}: {} of {} submissions have results",
                dir.display(),
                dir_results.len(),
                info.submissions.len()
            ));
        }
        if let Some(shard) = info.shard {
            if shard_count.is_some_and(|n| n != shard.count) {
                bail!(
                    "{} is shard {}/{}, but other folders come from a run with a different shard count",
                    dir.display(),
                    shard.index,
                    shard.count
                );
            }
            shard_count = Some(shard.count);
            if !seen_shards.insert(shard.index) {
                bail!(
                    "shard {}/{} is given twice ({} is one of them)",
                    shard.index,
                    shard.count,
                    dir.display()
                );
            }
        }
        seconds = seconds.max(info.seconds);
        submissions.extend(info.submissions.iter().cloned());
        for result in dir_results {
            if let Some((other, _)) = origin.iter().find(|(_, id)| id == &result.id) {
                bail!(
                    "submission {} was graded in both {} and {}",
                    result.id,
                    other.display(),
                    dir.display()
                );
            }
            origin.push((dir.clone(), result.id.clone()));
            results.push(result);
        }
    }
    if let Some(count) = shard_count {
        let missing: Vec<String> = (1..=count)
            .filter(|i| !seen_shards.contains(i))
            .map(|i| format!("{i}/{count}"))
            .collect();
        if !missing.is_empty() {
            warnings.push(format!("shards missing: {}", missing.join(", ")));
        }
    }
    results.sort_by(|a, b| a.id.cmp(&b.id));
    submissions.sort();
    submissions.dedup();
    let info = RunInfo {
        shard: None,
        topics,
        submissions,
        finished: warnings.is_empty(),
        seconds,
        sandbox: sandboxes.join("; "),
    };
    Ok(Merged {
        info,
        results,
        origin,
        warnings,
    })
}

/// Truncates `text` to at most `max` bytes on a character boundary, saying so.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n… ({} more bytes)", &text[..end], text.len() - end)
}
