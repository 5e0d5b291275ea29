//! `cargo xtask hint TOPIC [TASK]`: progressive hints, one level more each call.
//!
//! Hints come from `exercises/NN_topic/hints.toml` (loaded and checked by
//! `checker::hints`); how many levels a student has seen is kept here, per topic
//! and task, in `target/threadlings/hints.json` (the checker's work directory):
//! each call shows one more. Deleting that file (or `cargo clean`) starts every
//! task at the first hint again.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

use anyhow::{Context, Result};
use checker::hints::{self, Hints, LEVELS, Lang, TaskHints};
use checker::{Project, Topic, TopicResult};
use serde::{Deserialize, Serialize};

use crate::Outcome;
use crate::ui::{self, Paint};

/// Arguments of `cargo xtask hint`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The topic (`02`, `02_join_all` or `join_all`).
    pub topic: String,
    /// The task (`join_all`) or its file (`src/join.rs`); default: the task of
    /// the first failing test of the last check.
    pub task: Option<String>,
    /// Language of the hints: en or zh (default: $THREADLINGS_LANG, else en).
    #[arg(long, value_parser = parse_lang)]
    pub lang: Option<Lang>,
    /// Start this topic's hints (or the task's) from the first level again.
    #[arg(long)]
    pub restart: bool,
}

/// Parses `--lang`.
pub fn parse_lang(text: &str) -> Result<Lang, String> {
    Lang::parse(text).map_err(|e| e.to_string())
}

/// Shows the next hint.
pub fn run(args: Args) -> Outcome {
    let project = crate::project()?;
    let lang = Lang::resolve(args.lang)?;
    let topic = project.find(&args.topic)?.clone();
    let hints = hints::load(&project, &topic)?;
    if args.restart {
        let mut state = HintState::load(&project);
        match &args.task {
            Some(name) => {
                let task = hints.find(name)?;
                if let Some(tasks) = state.seen.get_mut(&topic.dir) {
                    tasks.remove(&task.name);
                }
            }
            None => state.forget(&topic.dir),
        }
        state.save(&project)?;
    }
    let task = match &args.task {
        Some(name) => hints.find(name)?,
        None => {
            let results = checker::results::load(&project).unwrap_or_default();
            let last = results.get(&topic.dir);
            match current_task(&project, &hints, last) {
                Some(task) => task,
                None => {
                    println!("{}", nothing_to_hint(&topic, &hints, last, lang));
                    return Ok(());
                }
            }
        }
    };
    print!(
        "{}",
        next_hint(&project, &topic, &hints, task, lang, ui::color_stdout())?
    );
    Ok(())
}

/// The task a student most likely wants a hint for ([`Hints::current`]), with
/// the levels seen so far. Shared with `watch`.
pub fn current_task<'a>(
    project: &Project,
    hints: &'a Hints,
    last: Option<&TopicResult>,
) -> Option<&'a TaskHints> {
    let state = HintState::load(project);
    hints.current(last, &|task| state.seen(&hints.topic, task))
}

/// What to say when no task needs a hint: every hinted task passed at the last
/// check (only the demo may still fail).
pub fn nothing_to_hint(
    topic: &Topic,
    hints: &Hints,
    last: Option<&TopicResult>,
    lang: Lang,
) -> String {
    let all_passed = last.is_some_and(TopicResult::all_passed);
    let (n, names) = (topic.number(), hints.names());
    match (lang, all_passed) {
        (Lang::En, true) => format!(
            "Every test of {} passed at the last check. For a task's hints anyway: cargo xtask hint {n} TASK ({names}).",
            topic.dir
        ),
        (Lang::En, false) => format!(
            "Every task with hints passed at the last check; what still fails has no hints (the demo: run it with \
             `cargo run -p {} --bin demo` and compare with the lesson). For a task's hints anyway: cargo xtask hint {n} TASK ({names}).",
            crate_name(topic)
        ),
        (Lang::Zh, true) => format!(
            "上次检查时 {} 的测试全部通过。仍想看某个任务的提示：cargo xtask hint {n} 任务名（{names}）。",
            topic.dir
        ),
        (Lang::Zh, false) => format!(
            "上次检查时所有有提示的任务都已通过；仍失败的测试没有提示（演示程序：用 `cargo run -p {} --bin demo` 运行它，\
             并与课程内容对照）。仍想看某个任务的提示：cargo xtask hint {n} 任务名（{names}）。",
            crate_name(topic)
        ),
    }
}

/// The package name of a topic crate (`01_thread_basics` → `thread_basics`).
fn crate_name(topic: &Topic) -> &str {
    topic.short_name()
}

/// Reveals one more level of `task` and formats every level seen so far, the new
/// one last. Shared with `watch` (its `h` key).
pub fn next_hint(
    project: &Project,
    topic: &Topic,
    hints: &Hints,
    task: &TaskHints,
    lang: Lang,
    color: bool,
) -> Result<String> {
    let (level, shown) = reveal(project, hints, task, lang)?;
    let paint = Paint::new(color);
    let file = format!("exercises/{}/{}", topic.dir, task.file);
    let mut out = String::new();
    let title = match lang {
        Lang::En => format!(
            "Hint {level} of {LEVELS} · {} · {} ({file})",
            topic.dir, task.name
        ),
        Lang::Zh => format!(
            "提示 {level}/{LEVELS} · {} · {}（{file}）",
            topic.dir, task.name
        ),
    };
    let _ = writeln!(out, "{}\n", paint.paint(ui::BOLD, &title));
    for (i, hint) in shown.iter().enumerate() {
        let text = wrap(hint, 76, 5);
        let label = format!("  {}. ", i + 1);
        if i + 1 == shown.len() {
            let _ = writeln!(
                out,
                "{}{}",
                paint.paint(ui::BOLD, &label),
                paint.paint(ui::CYAN, &text)
            );
        } else {
            let _ = writeln!(out, "{}{}", label, paint.paint(ui::DIM, &text));
        }
    }
    let footer = match (lang, level < LEVELS) {
        (Lang::En, true) => format!(
            "Run `cargo xtask hint {} {}` again for the next hint.",
            topic.number(),
            task.name
        ),
        (Lang::En, false) => format!(
            "That was the last hint for {}. Still stuck? Re-read the lesson: exercises/{}/README.md",
            task.name, topic.dir
        ),
        (Lang::Zh, true) => format!(
            "再次运行 `cargo xtask hint {} {} --lang zh` 查看下一条提示。",
            topic.number(),
            task.name
        ),
        (Lang::Zh, false) => format!(
            "这是 {} 的最后一条提示。仍然卡住？重读课程：exercises/{}/README.zh.md",
            task.name, topic.dir
        ),
    };
    let _ = writeln!(out, "\n{}", paint.paint(ui::DIM, &footer));
    Ok(out)
}

/// How many hint levels of each task a student has seen, by topic then task.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HintState {
    /// Topic directory → task name → levels seen (0..=[`LEVELS`]).
    #[serde(default)]
    pub seen: BTreeMap<String, BTreeMap<String, usize>>,
}

/// `target/threadlings/hints.json`.
pub fn state_path(project: &Project) -> PathBuf {
    project.work_dir().join("hints.json")
}

impl HintState {
    /// The saved state; an absent or unreadable file is a fresh start.
    pub fn load(project: &Project) -> HintState {
        fs::read_to_string(state_path(project))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// Saves the state.
    pub fn save(&self, project: &Project) -> Result<()> {
        let path = state_path(project);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let text = serde_json::to_string_pretty(self).context("cannot encode the hint state")?;
        fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Levels of `task` seen so far.
    pub fn seen(&self, topic: &str, task: &str) -> usize {
        self.seen
            .get(topic)
            .and_then(|tasks| tasks.get(task))
            .copied()
            .unwrap_or(0)
            .min(LEVELS)
    }

    /// Reveals one more level of `task` (never beyond [`LEVELS`]) and returns
    /// how many are now revealed.
    pub fn reveal_next(&mut self, topic: &str, task: &str) -> usize {
        let next = (self.seen(topic, task) + 1).min(LEVELS);
        self.seen
            .entry(topic.to_owned())
            .or_default()
            .insert(task.to_owned(), next);
        next
    }

    /// Forgets what was seen of a topic (every task starts at the first hint again).
    pub fn forget(&mut self, topic: &str) {
        self.seen.remove(topic);
    }
}

/// Reveals the next hint of `task` and saves the state: returns the revealed
/// levels (1..=[`LEVELS`]) and the hints shown so far.
fn reveal<'a>(
    project: &Project,
    hints: &Hints,
    task: &'a TaskHints,
    lang: Lang,
) -> Result<(usize, &'a [String])> {
    let mut state = HintState::load(project);
    let level = state.reveal_next(&hints.topic, &task.name);
    state.save(project)?;
    Ok((level, &task.levels(lang)[..level]))
}

/// Display width of a character (East Asian wide characters count 2).
fn char_width(c: char) -> usize {
    let c = c as u32;
    if (0x1100..=0x115F).contains(&c)
        || (0x2E80..=0xA4CF).contains(&c)
        || (0xAC00..=0xD7A3).contains(&c)
        || (0xF900..=0xFAFF).contains(&c)
        || (0xFE30..=0xFE4F).contains(&c)
        || (0xFF00..=0xFF60).contains(&c)
        || (0xFFE0..=0xFFE6).contains(&c)
    {
        2
    } else {
        1
    }
}

/// Wraps `text` to `width` columns, continuation lines indented by `indent`
/// spaces. Breaks at spaces, or between wide (CJK) characters.
pub fn wrap(text: &str, width: usize, indent: usize) -> String {
    let mut out = String::new();
    for (n, paragraph) in text.lines().enumerate() {
        if n > 0 {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
        }
        let mut line = String::new();
        let mut line_width = 0;
        let mut first = true;
        let flush = |out: &mut String, line: &str, first: &mut bool| {
            if !*first {
                out.push('\n');
                out.push_str(&" ".repeat(indent));
            }
            out.push_str(line.trim_end());
            *first = false;
        };
        // Tokens: runs of narrow non-space characters, single wide characters, spaces.
        let mut tokens: Vec<String> = Vec::new();
        for c in paragraph.chars() {
            let wide = char_width(c) == 2;
            match tokens.last_mut() {
                Some(last)
                    if !wide
                        && c != ' '
                        && !last.ends_with(' ')
                        && last.chars().last().is_some_and(|l| char_width(l) == 1) =>
                {
                    last.push(c)
                }
                _ => tokens.push(c.to_string()),
            }
        }
        for token in tokens {
            let w: usize = token.chars().map(char_width).sum();
            if token == " " {
                if line_width > 0 {
                    line.push(' ');
                    line_width += 1;
                }
                continue;
            }
            // Closing punctuation never starts a line (，。） …).
            let closing = token
                .chars()
                .next()
                .is_some_and(|c| "，。、；：！？）」』》”’,.;:!?)".contains(c));
            if line_width + w > width && line_width > 0 && !closing {
                flush(&mut out, &line, &mut first);
                line.clear();
                line_width = 0;
            }
            line.push_str(&token);
            line_width += w;
        }
        if !line.is_empty() || first {
            flush(&mut out, &line, &mut first);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{HintState, LEVELS, wrap};

    #[test]
    fn levels_stop_at_the_last_one() {
        let mut state = HintState::default();
        assert_eq!(state.seen("01", "a"), 0);
        for level in 1..=LEVELS {
            assert_eq!(state.reveal_next("01", "a"), level);
        }
        assert_eq!(state.reveal_next("01", "a"), LEVELS);
        assert_eq!(state.seen("01", "b"), 0);
        state.forget("01");
        assert_eq!(state.seen("01", "a"), 0);
    }

    #[test]
    fn wraps_words_and_wide_characters() {
        assert_eq!(wrap("aaa bbb ccc", 7, 2), "aaa bbb\n  ccc");
        assert_eq!(wrap("一二三四五", 4, 0), "一二\n三四\n五");
        assert_eq!(wrap("一二，三四", 4, 0), "一二，\n三四");
        assert_eq!(wrap("short", 80, 4), "short");
        assert_eq!(wrap("", 80, 4), "");
    }
}
