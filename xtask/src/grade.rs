//! `cargo xtask grade`: grade a folder of submissions with the hidden tests.
//!
//! Exit codes (DESIGN.md): 0 every submission was graded, whatever the scores;
//! 2 bad usage; 3 the grader itself failed (results are still written).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::anyhow;
use checker::grading::{self, GradeEvent, GradeOptions, Shard};
use checker::report::points;
use indicatif::{ProgressBar, ProgressStyle};

use crate::ui;
use crate::{CommandError, Outcome};

/// Arguments of `cargo xtask grade`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder holding one submission folder per student, named by the student id.
    pub submissions: PathBuf,
    /// Where results go (DIR/<id>/results.json, DIR/grades.csv, junit.xml, summary.md, report.html).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Submissions graded at once (and test processes at once); default: one per core.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub jobs: Option<u32>,
    /// Grade only shard I of N (a stable subset: by a hash of the student id).
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// Run every test N times; it passes only if all N runs pass.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub repeat: u32,
    /// Only these topics (all by default).
    #[arg(long = "topic", value_name = "TOPIC")]
    pub topics: Vec<String>,
    /// Keep every submission's sandbox after grading (debugging; uses disk).
    #[arg(long)]
    pub keep_sandboxes: bool,
    /// Grade even where Landlock cannot confine student code (only for code you trust).
    #[arg(long)]
    pub no_sandbox: bool,
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    Shard::parse(text)
}

/// Runs `grade` (exit codes in the module doc).
pub fn run(args: Args) -> Outcome {
    let project = crate::project().map_err(CommandError::Grader)?;
    if !project.has_hidden_tests() {
        eprintln!(
            "warning: this is a student release (no hidden tests): only the public tests will grade"
        );
    }
    let selected = project.select(&args.topics)?;
    // Teaching order, whatever the order asked: the CSV columns stay stable.
    let topics = project
        .topics
        .iter()
        .filter(|t| selected.iter().any(|s| s.dir == t.dir))
        .cloned()
        .collect();
    grading::discover(&args.submissions, Some(&args.out)).map_err(|e| anyhow!(e.0))?;
    // Student code is compiled and run under Landlock; without it, grading would
    // trust every submission. Say what is in force, and refuse what is not enough.
    let layers = checker::confine::layers();
    let sandbox = if layers.complete() {
        layers.to_string()
    } else if args.no_sandbox {
        format!(
            "{layers}; lacking {} (graded with --no-sandbox)",
            layers.missing().join(", ")
        )
    } else {
        return Err(CommandError::Usage(anyhow!(
            "this machine cannot confine student code: it lacks {} (sandbox: {layers}). \
             Grade as root on a Linux 6.7+ kernel that allows Landlock (a plain CI runner rather \
             than a container), or pass --no-sandbox for code you trust",
            layers.missing().join(", ")
        )));
    };
    eprintln!("sandbox: {sandbox}");
    let jobs = args
        .jobs
        .map_or_else(checker::check::default_jobs, |j| j as usize);
    let options = GradeOptions {
        submissions: args.submissions.clone(),
        out: args.out.clone(),
        jobs,
        shard: args.shard,
        repeat: args.repeat,
        topics,
        keep_sandboxes: args.keep_sandboxes,
        sandbox,
        require_landlock: !args.no_sandbox,
    };

    let bar = ui::progress_on_stderr().then(|| {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} grading [{bar:30}] {pos}/{len} submissions, {elapsed} elapsed, ETA {eta} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    });
    let report = |line: String| match &bar {
        Some(bar) => bar.println(line),
        None => eprintln!("{line}"),
    };
    let outcome = grading::grade(&project, &options, &|event| match event {
        GradeEvent::Started { total } => {
            if let Some(bar) = &bar {
                bar.set_length(total as u64);
            }
            let shard = args
                .shard
                .map(|s| format!(" (shard {}/{})", s.index, s.count))
                .unwrap_or_default();
            report(format!(
                "grading {total} submissions{shard} with {jobs} jobs into {}",
                args.out.display()
            ));
        }
        GradeEvent::SubmissionStarted { id } => {
            if let Some(bar) = &bar {
                bar.set_message(id.to_owned());
            }
        }
        GradeEvent::SubmissionDone {
            result,
            done,
            total,
        } => {
            if let Some(bar) = &bar {
                bar.set_position(done as u64);
            }
            let mut line = format!(
                "[{done}/{total}] {}: {}/{} points ({:.1} s)",
                result.id,
                points(result.points()),
                points(result.max_points()),
                result.report.seconds
            );
            if let Some(problem) = &result.problem {
                line.push_str(&format!(
                    " — {}",
                    problem.lines().next().unwrap_or_default()
                ));
            }
            for topic in &result.report.topics {
                if let Some(problem) = &topic.problem {
                    let message = problem.message();
                    line.push_str(&format!(
                        "\n    {}: {}",
                        topic.topic,
                        message.lines().next().unwrap_or_default()
                    ));
                }
            }
            report(line);
        }
        GradeEvent::WriteFailed { message } => report(format!("error: {message}")),
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let run = outcome.map_err(CommandError::from_grading)?;
    println!(
        "graded {} submissions: {}",
        run.results.len(),
        args.out.join("grades.csv").display()
    );
    if run.grader_failed {
        return Err(CommandError::Grader(anyhow!(
            "the grader failed for some tests (\"checker error\" in the results); the other results are written"
        )));
    }
    Ok(())
}
