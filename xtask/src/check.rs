//! `cargo xtask check`: run the pipeline on one source and print the verdicts.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use checker::{CheckOptions, CheckReport, Progress, Source};
use clap::ValueEnum;

use crate::ui;

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
pub fn run(args: Args) -> Result<ExitCode> {
    let project = crate::project()?;
    let source = if args.solutions {
        if !project.has_solutions() {
            bail!(
                "there is no solutions/ folder here: reference solutions are not part of a student release"
            );
        }
        Source::Solutions
    } else if let Some(dir) = args.source {
        let dir = dir
            .canonicalize()
            .with_context(|| format!("the source directory {} does not exist", dir.display()))?;
        if !dir.join("exercises").is_dir() {
            bail!(
                "{} has no exercises/ folder: a source is laid out like the student release (DIR/exercises/NN_topic/src/...)",
                dir.display()
            );
        }
        Source::Dir(dir)
    } else {
        Source::Exercises
    };
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

    let live = args.format == Format::Human && ui::progress_on_stderr();
    if args.format == Format::Human {
        eprintln!("sandbox: {}", checker::confine::layers());
    }
    let report = checker::check(&project, &options, &|event| {
        if live && let Progress::Building { topic } = event {
            eprintln!("building {topic} …");
        }
    });
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
    Ok(if report.all_passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
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
        Format::Human => print!("{}", checker::report::human(report, ui::color_stdout())),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&checker::report::json(report))
                .context("cannot encode the report")?
        ),
    }
    Ok(())
}
