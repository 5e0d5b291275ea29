//! `cargo xtask check`: run the pipeline on one source and print the verdicts.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use checker::manifest::Visibility;
use checker::report::points;
use checker::{CheckOptions, CheckReport, Progress, Source, TestResult, TopicResult};
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
    print_report(&report, args.format)?;
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
                "{} {}/{} points",
                result.topic,
                checker::report::points(result.points()),
                checker::report::points(result.max_points())
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

fn print_report(report: &CheckReport, format: Format) -> Result<()> {
    match format {
        Format::Human => print!("{}", table(report, Paint::stdout())),
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
    let tests: Vec<&TestResult> = report.topics.iter().flat_map(|t| &t.tests).collect();
    let passed = tests.iter().filter(|t| t.verdict.passed()).count();
    let _ = writeln!(
        out,
        "\nTotal: {}/{} points, {passed} of {} tests passed ({:.1} s)",
        points(report.points()),
        points(report.max_points()),
        tests.len(),
        report.seconds
    );
    out
}

fn topic_table(out: &mut String, topic: &TopicResult, paint: Paint) {
    let header = format!(
        "{:<52} {:>7}",
        topic.topic,
        format!("{}/{}", points(topic.points()), points(topic.max_points()))
    );
    let _ = writeln!(out, "{}", paint.paint(ui::BOLD, &header));
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
