//! Rendering: the screen drawn from [`WatchState`] after each check or command.

use std::fmt::Write as _;
use std::io::Write;

use checker::hints;
use checker::judge::Failure;
use checker::report::points;
use checker::{TestResult, TopicResult};

use anstyle::Style;

use super::state::WatchState;
use crate::ui;

/// Lines of a long failure message shown on the screen.
const MAX_MESSAGE_LINES: usize = 24;

impl WatchState {
    /// `text` in `style` when colour is on (the one painting place is [`ui`]).
    fn paint(&self, style: Style, text: &str) -> String {
        ui::Paint::new(self.color).paint(style, text)
    }

    /// Prints the screen: over the previous one on a terminal, after it otherwise.
    pub fn draw(&self) {
        let mut out = String::new();
        if self.clear {
            out.push_str("\x1b[H\x1b[2J\x1b[3J");
        } else {
            out.push('\n');
        }
        out.push_str(&self.screen());
        print!("{out}");
        std::io::stdout().flush().ok();
    }

    /// The keys, in one line (`long`: with a second line of explanation).
    pub fn keys(&self, long: bool) -> String {
        let trigger = if self.manual {
            "Enter: re-check"
        } else {
            "save a file to re-check"
        };
        let mut out = format!(
            "{trigger} · h: next hint · l: list · r: re-check · t NN: topic · n: next topic · q: quit"
        );
        if long {
            out.push_str(
                "\n(type the letter, then Enter; watch re-checks the topic whose file you saved)",
            );
        } else {
            out.push_str("  (letter + Enter)");
        }
        out.push('\n');
        out
    }

    /// The screen, from the last results.
    fn screen(&self) -> String {
        let mut out = String::new();
        let topic = &self.current;
        let result = self.results.get(&topic.dir);
        let title = format!("threadlings watch · {}", topic.dir);
        match result {
            None => {
                let _ = writeln!(out, "{}\n\n  not checked yet", self.paint(ui::BOLD, &title));
            }
            Some(result) => self.topic_screen(&mut out, &title, result),
        }

        // One line for the whole course.
        let mut line = String::from("\nTopics: ");
        for (i, t) in self.project.topics.iter().enumerate() {
            if i > 0 {
                line.push_str(" · ");
            }
            let result = self.results.get(&t.dir);
            let mark = match result {
                None => format!("{} –", t.number()),
                Some(_) if checker::results::done(result) => {
                    self.paint(ui::GREEN, &format!("{} ✓", t.number()))
                }
                Some(r) => format!("{} {}%", t.number(), percent(r.points(), r.max_points())),
            };
            if t.dir == topic.dir {
                line.push_str(&self.paint(ui::BOLD, &format!("[{mark}]")));
            } else {
                line.push_str(&mark);
            }
        }
        let _ = writeln!(out, "{line}");
        if let Some(notice) = &self.notice {
            let _ = writeln!(out, "\n{}", self.paint(ui::YELLOW, notice));
        }
        let _ = writeln!(
            out,
            "\n{}",
            self.paint(ui::DIM, self.keys(false).trim_end())
        );
        if let Some(extra) = &self.extra {
            let _ = write!(out, "\n{}", extra.trim_end());
            out.push('\n');
        }
        out
    }

    /// The part of the screen about the topic shown, checked.
    fn topic_screen(&self, out: &mut String, title: &str, result: &TopicResult) {
        let passed = result.tests.iter().filter(|t| t.verdict.passed()).count();
        let total = result.tests.len();
        let score = format!(
            "{}/{} points",
            points(result.points()),
            points(result.max_points())
        );
        let _ = writeln!(
            out,
            "{}{}",
            self.paint(ui::BOLD, &format!("{title:<52}")),
            self.paint(ui::BOLD, &score)
        );
        let width = 30;
        let filled = (passed * width).checked_div(total).unwrap_or(0);
        let bar = format!("{}{}", "█".repeat(filled), "░".repeat(width - filled));
        let took = self
            .seconds
            .get(&result.topic)
            .map(|s| format!(" · checked in {s:.1} s"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{} {passed} of {total} tests passed{took}",
            self.paint(if passed == total { ui::GREEN } else { ui::CYAN }, &bar)
        );

        // The tasks of the files just saved come first, on this line and below.
        let task_files: Vec<(String, String)> = hints::load(&self.project, &self.current)
            .map(|h| h.tasks.into_iter().map(|t| (t.name, t.file)).collect())
            .unwrap_or_default();
        let saved_files = self.saved.get(&result.topic).cloned().unwrap_or_default();
        let saved = |task: &str| {
            task_files
                .iter()
                .any(|(name, file)| name == task && saved_files.contains(file))
        };
        let mut tasks = checker::results::tasks(&self.project, &self.current, Some(result));
        tasks.sort_by_key(|task| !saved(&task.task));
        // Per task: tests passed.
        let tasks_line: Vec<String> = tasks
            .iter()
            .map(|task| {
                if task.done() {
                    self.paint(ui::GREEN, &format!("✓ {}", task.task))
                } else {
                    format!("{} {}/{}", task.task, task.passed, task.tests)
                }
            })
            .collect();
        let _ = writeln!(out, "{}\n", tasks_line.join(" · "));

        if let Some(problem) = &result.problem {
            let heading = match problem {
                Failure::CompileError { .. } => format!("✗ {} does not compile", result.topic),
                _ => format!("✗ {} could not be checked", result.topic),
            };
            let _ = writeln!(out, "{}", self.paint(ui::RED, &heading));
            let message = match problem {
                Failure::CompileError { message } => message.clone(),
                other => other.message(),
            };
            let _ = writeln!(out, "{}", shorten(&message, MAX_MESSAGE_LINES, 2));
            return;
        }
        let (of_saved, of_others): (Vec<&TestResult>, Vec<&TestResult>) =
            result.tests.iter().partition(|t| saved(&t.task));
        let first_failure = first_failure(&of_saved).or_else(|| first_failure(&of_others));
        if !of_saved.is_empty()
            && of_saved.iter().all(|t| t.verdict.passed())
            && first_failure.is_some()
        {
            let saved_tasks: Vec<&str> = tasks
                .iter()
                .filter(|task| saved(&task.task))
                .map(|task| task.task.as_str())
                .collect();
            let _ = writeln!(
                out,
                "{}",
                self.paint(
                    ui::GREEN,
                    &format!(
                        "✓ {}, which you saved: every test of {} passes.",
                        saved_files.join(", "),
                        saved_tasks.join(", ")
                    )
                )
            );
        }
        match first_failure {
            Some(test) => {
                let file = task_files
                    .iter()
                    .find(|(name, _)| *name == test.task)
                    .map(|(_, file)| format!(", exercises/{}/{file}", result.topic))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "{} {}",
                    self.paint(ui::RED, "✗"),
                    self.paint(ui::BOLD, &format!("{} ({}{file})", test.name, test.task))
                );
                let _ = writeln!(out, "{}", failure_lines(test));
                let others = total - passed - 1;
                if others > 0 {
                    let _ = writeln!(
                        out,
                        "{}",
                        self.paint(
                            ui::DIM,
                            &format!(
                                "  … and {others} more failing; `cargo xtask check {}` shows them all.",
                                self.current.number()
                            )
                        )
                    );
                }
            }
            None if total > 0 => {
                let _ = writeln!(
                    out,
                    "{}",
                    self.paint(
                        ui::GREEN,
                        &format!("✓ Every test of {} passes. Well done!", result.topic)
                    )
                );
                let next = checker::results::next_unfinished(&self.project.topics, &self.results);
                if let Some(next) = next {
                    let _ = writeln!(
                        out,
                        "  Next: {} — open its files, or type `t {}` + Enter.",
                        next.dir,
                        next.number()
                    );
                }
            }
            None => {
                let _ = writeln!(out, "  (no tests matched)");
            }
        }
    }
}

/// The failure to show first of `tests`: a test that ran and failed says more
/// than one not run because of it.
fn first_failure<'a>(tests: &[&'a TestResult]) -> Option<&'a TestResult> {
    let ran_and_failed = |t: &&TestResult| {
        !t.verdict.passed() && !matches!(t.verdict.failure, Some(Failure::NotRun { .. }))
    };
    let first = tests.iter().copied().find(ran_and_failed);
    first.or_else(|| tests.iter().copied().find(|t| !t.verdict.passed()))
}

/// `p` as a whole percentage of `max` (rounded down; 0 when nothing is possible).
fn percent(p: f64, max: f64) -> u32 {
    if max <= 0.0 {
        0
    } else {
        (p * 100.0 / max).floor() as u32
    }
}

/// A failed test's message (its first lines) and, when its failing run was
/// drawn, where the picture is.
fn failure_lines(test: &checker::TestResult) -> String {
    let message = test
        .verdict
        .failure
        .as_ref()
        .map(Failure::message)
        .unwrap_or_default();
    let mut text = shorten(&message, MAX_MESSAGE_LINES, 4);
    if let Some(path) = &test.timeline {
        text.push_str("\n    timeline: ");
        text.push_str(path);
    }
    text
}

/// Indents a message by `indent` spaces and keeps its first `max` lines.
fn shorten(message: &str, max: usize, indent: usize) -> String {
    let lines: Vec<&str> = message.trim_end().lines().collect();
    let pad = " ".repeat(indent);
    let mut out: Vec<String> = lines
        .iter()
        .take(max)
        .map(|l| format!("{pad}{l}"))
        .collect();
    if lines.len() > max {
        out.push(format!(
            "{pad}… ({} more lines: `cargo xtask check` prints everything)",
            lines.len() - max
        ));
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drawn_failure_names_its_timeline_under_the_message() {
        let mut test = checker::TestResult {
            name: "t".into(),
            task: "task".into(),
            visibility: checker::manifest::Visibility::Public,
            max_points: 1.0,
            points: 0.0,
            verdict: checker::judge::Verdict::failed(Failure::Assertion {
                message: "event 2: consumed before it was produced".into(),
            }),
            seconds: 0.1,
            timeline: None,
        };
        assert_eq!(
            failure_lines(&test),
            "    event 2: consumed before it was produced"
        );
        test.timeline = Some("/w/t.svg".into());
        assert_eq!(
            failure_lines(&test),
            "    event 2: consumed before it was produced\n    timeline: /w/t.svg"
        );
    }

    #[test]
    fn long_messages_are_cut() {
        let text = (1..=30)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        let short = shorten(&text, 3, 2);
        assert_eq!(
            short,
            "  1\n  2\n  3\n  … (27 more lines: `cargo xtask check` prints everything)"
        );
    }
}
