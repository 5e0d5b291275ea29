//! `cargo xtask list`: the progress table, from the last check results kept under
//! `target/threadlings/last-check.json`; nothing is compiled.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::time::SystemTime;

use checker::report::points;
use checker::results::TaskProgress;
use checker::{Project, Topic, TopicResult};

use crate::Outcome;
use crate::ui::{self, Paint};

/// Arguments of `cargo xtask list`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Topics to show (`02`, `02_join_all` or `join_all`); all when none is given.
    pub topics: Vec<String>,
    /// One line per topic, without its tasks.
    #[arg(long)]
    pub short: bool,
}

/// Prints the table. Exit 0 (2 for an unknown topic).
pub fn run(args: Args) -> Outcome {
    let project = crate::project()?;
    let topics = project.select(&args.topics)?;
    let results = checker::results::load(&project).unwrap_or_default();
    print!(
        "{}",
        table(&project, &topics, &results, !args.short, ui::color_stdout())
    );
    Ok(())
}

/// One row: a topic or a task.
struct Row {
    name: String,
    passed: usize,
    tests: usize,
    points: f64,
    max_points: f64,
    checked: bool,
}

impl From<TaskProgress> for Row {
    fn from(task: TaskProgress) -> Self {
        Row {
            name: task.task,
            passed: task.passed,
            tests: task.tests,
            points: task.points,
            max_points: task.max_points,
            checked: task.checked,
        }
    }
}

/// Whether a student file of `topic` was saved after the results were written.
fn edited_since_check(project: &Project, topic: &Topic, results_time: Option<SystemTime>) -> bool {
    let Some(checked) = results_time else {
        return false;
    };
    topic.student_files.iter().any(|rel| {
        fs::metadata(project.exercise_dir(topic).join(rel))
            .and_then(|m| m.modified())
            .is_ok_and(|modified| modified > checked)
    })
}

/// The progress table: topics (and their tasks) with tests passed and points.
pub fn table(
    project: &Project,
    topics: &[Topic],
    results: &BTreeMap<String, TopicResult>,
    with_tasks: bool,
    color: bool,
) -> String {
    let painter = Paint::new(color);
    let paint = |style: anstyle::Style, text: String| painter.paint(style, &text);
    let results_time = fs::metadata(checker::results::path(project))
        .and_then(|m| m.modified())
        .ok();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        paint(
            ui::BOLD,
            format!("{:<34} {:>7} {:>9}", "topic / task", "tests", "points")
        )
    );
    let (mut total, mut total_max, mut total_passed, mut total_tests) = (0.0, 0.0, 0, 0);
    for topic in topics {
        let result = results.get(&topic.dir);
        let tasks: Vec<Row> = checker::results::tasks(project, topic, result)
            .into_iter()
            .map(Row::from)
            .collect();
        let summary = Row {
            name: topic.dir.clone(),
            passed: tasks.iter().map(|r| r.passed).sum(),
            tests: tasks.iter().map(|r| r.tests).sum(),
            points: tasks.iter().map(|r| r.points).sum(),
            max_points: tasks.iter().map(|r| r.max_points).sum(),
            checked: result.is_some(),
        };
        total += summary.points;
        total_max += summary.max_points;
        total_passed += summary.passed;
        total_tests += summary.tests;
        let done = checker::results::done(result);
        let status = match result {
            None if tasks.is_empty() => paint(ui::RED, "no grading manifest yet".into()),
            None => paint(ui::DIM, "not checked yet".into()),
            Some(r) if r.problem.is_some() && r.tests.iter().all(|t| !t.verdict.passed()) => {
                let what = match &r.problem {
                    Some(checker::judge::Failure::CompileError { .. }) => "does not compile",
                    _ => "could not be checked",
                };
                paint(ui::RED, what.into())
            }
            Some(_) if done => paint(ui::GREEN, "✓ done".into()),
            Some(_) => String::new(),
        };
        let stale = if result.is_some() && edited_since_check(project, topic, results_time) {
            paint(ui::YELLOW, "(edited since the last check)".into())
        } else {
            String::new()
        };
        let line = format!(
            "{} {status} {stale}",
            paint(ui::BOLD, format_row(&summary, 0))
        );
        let _ = writeln!(out, "{}", line.trim_end());
        if with_tasks {
            for task in &tasks {
                let line = format_row(task, 2);
                let line = if task.checked && task.passed == task.tests {
                    paint(ui::GREEN, line)
                } else {
                    line
                };
                let _ = writeln!(out, "{}", line.trim_end());
            }
        }
    }
    let _ = writeln!(
        out,
        "{}",
        paint(
            ui::BOLD,
            format!(
                "{:<34} {:>7} {:>9}",
                "total",
                if results.is_empty() {
                    format!("–/{total_tests}")
                } else {
                    format!("{total_passed}/{total_tests}")
                },
                if results.is_empty() {
                    format!("–/{}", points(total_max + 0.0))
                } else {
                    format!("{}/{}", points(total + 0.0), points(total_max + 0.0))
                }
            )
        )
    );
    if results.is_empty() {
        let _ = writeln!(
            out,
            "\nNothing checked yet: run `cargo xtask check` (or `cargo xtask watch`) to fill this table."
        );
    } else if let Some(topic) = checker::results::next_unfinished(topics, results) {
        let _ = writeln!(
            out,
            "\nNext: {} — `cargo xtask check {}`, `cargo xtask hint {}` for a hint.",
            topic.dir,
            topic.number(),
            topic.number()
        );
    } else {
        let _ = writeln!(out, "\nEvery topic passes every test. Well done!");
    }
    out
}

fn format_row(row: &Row, indent: usize) -> String {
    let name = format!("{}{}", " ".repeat(indent), row.name);
    // `+ 0.0` turns the -0 of an empty sum into 0.
    let (got, max) = (row.points + 0.0, row.max_points + 0.0);
    let tests = if row.checked {
        format!("{}/{}", row.passed, row.tests)
    } else {
        format!("–/{}", row.tests)
    };
    let pts = if row.checked {
        format!("{}/{}", points(got), points(max))
    } else {
        format!("–/{}", points(max))
    };
    format!("{name:<34} {tests:>7} {pts:>9}")
}
