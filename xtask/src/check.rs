//! `cargo xtask check`: run the pipeline on one source and print the verdicts.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use checker::judge::Failure;
use checker::manifest::Visibility;
use checker::report::points;
use checker::{CheckOptions, CheckReport, Progress, Reuse, Source, TestResult, TopicResult};
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};

use crate::ui::{self, Paint};
use crate::{CommandError, Outcome};

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for people.
    Human,
    /// One JSON document (schema in README.md).
    Json,
}

/// Arguments of `cargo xtask check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Topics to check (`02`, `02_join_all` or `join_all`); all when none is given.
    pub topics: Vec<String>,
    /// Check the reference solutions instead of exercises/.
    #[arg(long, conflicts_with = "source")]
    pub solutions: bool,
    /// Check a student-shaped directory (DIR/exercises/NN_topic/src/...).
    #[arg(long, value_name = "DIR")]
    pub source: Option<PathBuf>,
    /// Run every test N times; it passes only if all N runs pass.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub repeat: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Only the tests whose name contains TEST.
    #[arg(long, value_name = "TEST")]
    pub test: Option<String>,
    /// Replay seeded tests with this seed (printed by a failing test).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Replay this model-checking schedule (printed by a failing model test).
    #[arg(long, value_name = "SCHEDULE")]
    pub replay: Option<String>,
    /// Tests run at once (serial tests always run alone); default: one per core.
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Also append a Markdown summary to FILE (for CI: `$GITHUB_STEP_SUMMARY`).
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Also write the result document of GitHub Classroom's autograding reporter to FILE.
    #[arg(long, value_name = "FILE")]
    pub classroom: Option<PathBuf>,
    /// Show every test of every topic (by default a topic not started yet takes one line).
    #[arg(long, short)]
    pub verbose: bool,
    /// Run every test again, even of a topic unchanged since its last check
    /// (by default a topic whose tests all passed, or stopped at a `todo!()`,
    /// is not run again until something it depends on changes).
    #[arg(long)]
    pub fresh: bool,
}

/// Runs `check`: exit 0 when everything checked passed, 1 when something failed.
pub fn run(args: Args) -> Outcome {
    let project = crate::project()?;
    let source = source(&project, args.solutions, args.source)?;
    let topics = project.select(&args.topics)?;
    if let Some(filter) = &args.test {
        refuse_empty_filter(&project, &topics, filter)?;
    }
    let mut options = CheckOptions::new(source.clone(), topics);
    options.repeat = args.repeat;
    options.test_filter = args.test;
    options.seed = args.seed;
    options.replay = args.replay;
    // A student's check: hangs reported in seconds, performance after function.
    options.student_check = true;
    // An unchanged topic's result stands; `--repeat` asks for new runs.
    options.reuse = if args.fresh || args.repeat > 1 {
        Reuse::Refresh
    } else {
        Reuse::WhenUnchanged
    };
    if let Some(jobs) = args.jobs {
        options.jobs = jobs.max(1);
    }

    if args.format == Format::Human {
        eprintln!("sandbox: {}", checker::confine::layers());
    }
    let live = (args.format == Format::Human && ui::progress_on_stderr()).then(Live::start);
    let report = checker::check(&project, &options, &|event| {
        if let Some(live) = &live {
            live.show(&event);
        }
    });
    if let Some(live) = live {
        live.finish();
    }
    if source == Source::Exercises && options.test_filter.is_none() {
        // Kept for `cargo xtask list`; losing it only loses the progress table.
        let _ = checker::results::record(&project, &report);
    }
    print_report(&report, args.format, args.verbose)?;
    if let Some(path) = &args.summary {
        append(path, &checker::report::markdown(&report))?;
    }
    if let Some(path) = &args.classroom {
        let json = serde_json::to_string_pretty(&checker::report::classroom(&report))
            .context("cannot encode the classroom report")?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if report.all_passed() {
        Ok(())
    } else {
        Err(CommandError::Unsuccessful)
    }
}

/// The source `--solutions` or `--source DIR` names (default: exercises/).
fn source(project: &checker::Project, solutions: bool, dir: Option<PathBuf>) -> Result<Source> {
    if solutions {
        if !project.has_solutions() {
            bail!(
                "there is no solutions/ folder here: reference solutions are not part of a student release"
            );
        }
        return Ok(Source::Solutions);
    }
    let Some(dir) = dir else {
        return Ok(Source::Exercises);
    };
    let dir = dir
        .canonicalize()
        .with_context(|| format!("the source directory {} does not exist", dir.display()))?;
    if !dir.join("exercises").is_dir() {
        bail!(
            "{} has no exercises/ folder: a source is laid out like the student release (DIR/exercises/NN_topic/src/...)",
            dir.display()
        );
    }
    Ok(Source::Dir(dir))
}

/// The live display of a check on a terminal (stderr): a "building" line per
/// topic, and one status line naming the last finished test, replaced by the
/// next and cleared before the table. Never used when stderr is not a terminal.
struct Live {
    bar: ProgressBar,
    done: AtomicUsize,
}

impl Live {
    fn start() -> Live {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        Live {
            bar,
            done: AtomicUsize::new(0),
        }
    }

    fn show(&self, event: &Progress<'_>) {
        match event {
            Progress::Building { topic } => self.bar.println(format!("building {topic} …")),
            Progress::TestDone { topic, result } => {
                let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
                let mark = if result.verdict.passed() {
                    "✓"
                } else {
                    "✗"
                };
                self.bar.set_message(format!(
                    "{done} tests done · {mark} {topic} · {}",
                    result.name
                ));
            }
            // A finished topic's score stays above the spinner until the table.
            Progress::TopicDone { result } => self.bar.println(format!(
                "{} {}/{} points{}",
                result.topic,
                checker::report::points(result.points()),
                checker::report::points(result.max_points()),
                if result.reused {
                    format!(" ({REUSED})")
                } else {
                    String::new()
                }
            )),
        }
    }

    fn finish(self) {
        self.bar.finish_and_clear();
    }
}

/// A `--test` filter that selects no test of the chosen topics is a usage error
/// (exit 2) that lists the tests there are, rather than an empty "success".
fn refuse_empty_filter(
    project: &checker::Project,
    topics: &[checker::Topic],
    filter: &str,
) -> Result<()> {
    let mut names = Vec::new();
    for topic in topics {
        let manifest = project.manifest(topic)?;
        if manifest.tests.iter().any(|t| t.name.contains(filter)) {
            return Ok(());
        }
        names.extend(
            manifest
                .tests
                .iter()
                .map(|t| format!("  {}: {}", topic.dir, t.name)),
        );
    }
    bail!(
        "no test name contains {filter:?}; the tests of {} are:\n{}",
        if topics.len() == 1 {
            topics[0].dir.as_str()
        } else {
            "these topics"
        },
        names.join("\n")
    )
}

/// Appends `text` to `path` (a step summary may already hold other steps' text).
fn append(path: &std::path::Path, text: &str) -> Result<()> {
    use std::io::Write as _;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .with_context(|| format!("cannot write the summary to {}", path.display()))
}

fn print_report(report: &CheckReport, format: Format, verbose: bool) -> Result<()> {
    match format {
        // A topic asked for alone is shown in full: its test names are the to-do list.
        Format::Human if verbose || report.topics.len() == 1 => {
            print!("{}", table(report, Paint::stdout()))
        }
        Format::Human => print!("{}", first_screen(report, Paint::stdout())),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&checker::report::json(report))
                .context("cannot encode the report")?
        ),
    }
    Ok(())
}

/// The per-topic, per-test table a person reads (also `bless`'s).
pub fn table(report: &CheckReport, paint: Paint) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Checked {}", report.source);
    for topic in &report.topics {
        out.push('\n');
        topic_table(&mut out, topic, paint);
    }
    total(&mut out, report);
    out
}

/// The last line: points and tests passed over every topic checked.
fn total(out: &mut String, report: &CheckReport) {
    let tests: Vec<&TestResult> = report.topics.iter().flat_map(|t| &t.tests).collect();
    let passed = tests.iter().filter(|t| t.verdict.passed()).count();
    let reused = report.topics.iter().filter(|t| t.reused).count();
    let reused = match reused {
        0 => String::new(),
        1 => "; 1 topic unchanged, not run again".to_owned(),
        n => format!("; {n} topics unchanged, not run again"),
    };
    let _ = writeln!(
        out,
        "\nTotal: {}/{} points, {passed} of {} tests passed ({:.1} s{reused})",
        points(report.points()),
        points(report.max_points()),
        tests.len(),
        report.seconds
    );
}

/// The table for a student's screen: a topic not started yet (every test
/// failed at a `todo!()`) takes one line saying where to start; the topics
/// with work in them are shown in full, the unfinished ones first, in
/// teaching order. `--verbose` shows [`table`] instead.
pub fn first_screen(report: &CheckReport, paint: Paint) -> String {
    let started: Vec<&TopicResult> = report
        .topics
        .iter()
        .filter(|t| not_started(t).is_none())
        .collect();
    let (finished, unfinished): (Vec<&TopicResult>, Vec<&TopicResult>) =
        started.into_iter().partition(|t| t.all_passed());
    let mut out = String::new();
    let _ = writeln!(out, "Checked {}", report.source);
    for topic in unfinished.into_iter().chain(finished) {
        out.push('\n');
        topic_table(&mut out, topic, paint);
    }
    let mut collapsed = 0;
    for topic in &report.topics {
        if let Some(start) = not_started(topic) {
            if collapsed == 0 {
                out.push('\n');
            }
            collapsed += 1;
            let header = format!(
                "{:<52} {:>7}",
                topic.topic,
                format!("{}/{}", points(topic.points()), points(topic.max_points()))
            );
            let _ = writeln!(
                out,
                "{}  {}",
                paint.paint(ui::BOLD, &header),
                paint.paint(
                    ui::DIM,
                    &format!(
                        "not started: {} tests, start with {start}",
                        topic.tests.len()
                    )
                )
            );
        }
    }
    total(&mut out, report);
    if collapsed > 0 {
        let _ = writeln!(
            out,
            "{}",
            paint.paint(
                ui::DIM,
                "(a topic not started takes one line; --verbose shows every test)"
            )
        );
    }
    out
}

/// The student file to start a topic with, when every one of its tests
/// failed at a `todo!()`: the file of the first test's (manifest order).
fn not_started(topic: &TopicResult) -> Option<&str> {
    if topic.problem.is_some() || topic.tests.is_empty() {
        return None;
    }
    let mut locations = topic.tests.iter().map(|t| {
        t.verdict
            .failure
            .as_ref()
            .and_then(checker::judge::Failure::todo_location)
    });
    let first = locations.next().flatten()?;
    if !locations.all(|l| l.is_some()) {
        return None;
    }
    first.split(':').next()
}

/// What a topic's header says when its result is its last check's.
const REUSED: &str = "unchanged since its last check: not run again (--fresh runs it)";

fn topic_table(out: &mut String, topic: &TopicResult, paint: Paint) {
    let header = format!(
        "{:<52} {:>7}",
        topic.topic,
        format!("{}/{}", points(topic.points()), points(topic.max_points()))
    );
    if topic.reused {
        let _ = writeln!(
            out,
            "{}  {}",
            paint.paint(ui::BOLD, &header),
            paint.paint(ui::DIM, REUSED)
        );
    } else {
        let _ = writeln!(out, "{}", paint.paint(ui::BOLD, &header));
    }
    if let Some(problem) = &topic.problem {
        let _ = writeln!(
            out,
            "  {}",
            paint.paint(ui::RED, &indent(&problem.message(), 2))
        );
    }
    let width = topic
        .tests
        .iter()
        .map(|t| t.name.len())
        .max()
        .unwrap_or(0)
        .min(60);
    for test in &topic.tests {
        let mark = if test.verdict.passed() {
            paint.paint(ui::GREEN, "✓")
        } else if matches!(test.verdict.failure, Some(Failure::NotRun { .. })) {
            paint.paint(ui::DIM, "-")
        } else {
            paint.paint(ui::RED, "✗")
        };
        let hidden = if test.visibility == Visibility::Hidden {
            " (hidden)"
        } else {
            ""
        };
        let score = format!("{}/{}", points(test.points), points(test.max_points));
        let _ = write!(out, "  {mark} {:<width$} {score:>6}{hidden}", test.name);
        match &test.verdict.failure {
            None => {}
            // The topic's problem was printed once above.
            Some(_) if topic.problem.is_some() => {}
            Some(failure) => {
                let _ = write!(out, "\n      {}", indent(&failure.message(), 6));
                if let Some(path) = &test.timeline {
                    let _ = write!(out, "\n      timeline: {path}");
                }
            }
        }
        for note in &test.verdict.notes {
            let _ = write!(out, "\n      note: {}", indent(note, 6));
        }
        out.push('\n');
    }
}

/// Indents every line after the first by `n` spaces.
fn indent(text: &str, n: usize) -> String {
    text.trim_end()
        .replace('\n', &format!("\n{}", " ".repeat(n)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use checker::judge::{Failure, Verdict};

    fn test(name: &str, failure: Option<Failure>) -> TestResult {
        TestResult {
            name: name.into(),
            task: "task".into(),
            visibility: Visibility::Public,
            max_points: 10.0,
            points: if failure.is_none() { 10.0 } else { 0.0 },
            verdict: Verdict {
                failure,
                notes: Vec::new(),
            },
            seconds: 0.1,
            timeline: None,
        }
    }

    fn todo(location: &str) -> Option<Failure> {
        Some(Failure::NotImplemented {
            location: location.into(),
        })
    }

    fn topic(name: &str, tests: Vec<TestResult>) -> TopicResult {
        TopicResult {
            topic: name.into(),
            problem: None,
            tests,
            reused: false,
        }
    }

    fn report() -> CheckReport {
        CheckReport {
            source: "exercises/".into(),
            topics: vec![
                topic("01_done", vec![test("done_one", None)]),
                topic(
                    "02_working",
                    vec![
                        test("works", None),
                        test(
                            "fails",
                            Some(Failure::Assertion {
                                message: "expected 3".into(),
                            }),
                        ),
                    ],
                ),
                topic(
                    "03_fresh",
                    vec![
                        test("first", todo("src/spawn.rs:14")),
                        test(
                            "by_a_child",
                            Some(Failure::Assertion {
                                message: "not implemented yet: src/stop.rs:3 (reached in the demo \
                                          process)"
                                    .into(),
                            }),
                        ),
                    ],
                ),
            ],
            seconds: 1.0,
        }
    }

    #[test]
    fn a_topic_not_started_takes_one_line_saying_where_to_start() {
        let screen = first_screen(&report(), Paint::new(false));
        assert!(
            screen.contains("0/20  not started: 2 tests, start with src/spawn.rs"),
            "{screen}"
        );
        assert!(!screen.contains("by_a_child"), "{screen}");
        assert!(screen.contains("--verbose shows every test"), "{screen}");
    }

    #[test]
    fn the_first_unfinished_topic_comes_first_then_finished_ones() {
        let screen = first_screen(&report(), Paint::new(false));
        let working = screen.find("02_working").expect("02 shown");
        let done = screen.find("01_done").expect("01 shown");
        let fresh = screen.find("03_fresh").expect("03 shown");
        assert!(working < done && done < fresh, "{screen}");
        assert!(screen.contains("expected 3"), "{screen}");
        assert!(
            screen.contains("Total: 20/50 points, 2 of 5 tests passed"),
            "{screen}"
        );
    }

    #[test]
    fn verbose_keeps_every_line_in_teaching_order() {
        let full = table(&report(), Paint::new(false));
        assert!(full.contains("by_a_child"), "{full}");
        assert!(!full.contains("not started"), "{full}");
        assert!(full.find("01_done") < full.find("02_working"), "{full}");
    }

    #[test]
    fn a_topic_with_any_other_failure_is_not_collapsed() {
        let mut report = report();
        report.topics[2].tests[1].verdict.failure = Some(Failure::TimedOut {
            seconds: 5.0,
            cause: None,
            threads: Vec::new(),
        });
        let screen = first_screen(&report, Paint::new(false));
        assert!(!screen.contains("not started"), "{screen}");
        assert!(screen.contains("by_a_child"), "{screen}");
    }

    #[test]
    fn a_failure_with_a_timeline_names_its_picture_under_the_message() {
        let mut report = report();
        report.topics[1].tests[1].timeline = Some("/t/timelines/fails.svg".into());
        let screen = table(&report, Paint::new(false));
        assert!(
            screen.contains("expected 3\n      timeline: /t/timelines/fails.svg\n"),
            "{screen}"
        );
        assert_eq!(screen.matches("timeline:").count(), 1, "{screen}");
    }
}
