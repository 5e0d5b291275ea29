//! `cargo xtask watch [TOPIC] [--manual]`: re-check the topic whose file was saved
//! and redraw a compact screen.
//!
//! Keys are whole lines (type the letter, then Enter), so watch also works with
//! piped input: `h` next hint, `l` list, `r` (or an empty line) re-check,
//! `t NN` switch topic, `q` quit; the end of input quits too.
//!
//! File events come from `notify` and are debounced by hand: a topic is checked
//! once its files have been quiet for [`DEBOUNCE`]. As a safety net the watched
//! files are also polled; a change found by polling that no event announced
//! means events do not arrive on this file system, and the screen suggests
//! `--manual` (Enter re-checks whatever changed).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result};
use checker::hints::{self, Lang};
use checker::judge::Failure;
use checker::report::points;
use checker::{CheckOptions, Progress, Project, Source, Topic, TopicResult};
use notify::{EventKind, RecursiveMode, Watcher};

use crate::{hint, list, ui};

/// Quiet time after the last file event before a topic is checked.
pub const DEBOUNCE: Duration = Duration::from_millis(300);
/// How often the watched files are polled (the safety net under notify).
const POLL: Duration = Duration::from_secs(1);
/// How long a change found by polling waits for its file event before the
/// events are declared missing.
const EVENT_GRACE: Duration = Duration::from_secs(3);
/// Lines of a long failure message shown on the screen.
const MAX_MESSAGE_LINES: usize = 24;

/// Arguments of `cargo xtask watch`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Topic to start on (`02`, `02_join_all` or `join_all`); default: the first
    /// topic not finished at the last check.
    pub topic: Option<String>,
    /// Do not watch files: press Enter to re-check (for file systems where change
    /// events do not arrive: network drives, some containers and VMs).
    #[arg(long)]
    pub manual: bool,
    /// Language of the hints: en or zh (default: $THREADLINGS_LANG, else en).
    #[arg(long, value_parser = hint::parse_lang)]
    pub lang: Option<Lang>,
}

enum Msg {
    Fs(Vec<PathBuf>),
    FsError(String),
    Line(String),
    Eof,
}

/// Modification time and size of every watched file of a topic.
type Fingerprint = Vec<(PathBuf, Option<(SystemTime, u64)>)>;

struct Watch {
    project: Project,
    lang: Lang,
    manual: bool,
    color: bool,
    clear: bool,
    current: Topic,
    results: BTreeMap<String, TopicResult>,
    /// Seconds the last check of each topic took (checks run by this watch).
    seconds: HashMap<String, f64>,
    /// Shown under the screen until the next check (a hint, the list, help).
    extra: Option<String>,
    /// Shown until watch ends (events missing, watcher problems).
    notice: Option<String>,
    fingerprints: HashMap<String, Fingerprint>,
}

/// Runs watch until `q` or the end of input.
pub fn run(args: Args) -> Result<ExitCode> {
    let project = crate::project()?;
    let lang = Lang::resolve(args.lang)?;
    let results = checker::results::load(&project).unwrap_or_default();
    let current = match &args.topic {
        Some(name) => project.find(name)?.clone(),
        None => project
            .topics
            .iter()
            .find(|t| !results.get(&t.dir).is_some_and(TopicResult::all_passed))
            .or(project.topics.first())
            .cloned()
            .context("the project has no topics")?,
    };
    let (tx, rx) = mpsc::channel();
    let exercises = project.root.join("exercises");
    let mut manual = args.manual;
    let mut notice = None;
    let _watcher = if manual {
        None
    } else {
        match start_watcher(tx.clone(), &exercises) {
            Ok(w) => Some(w),
            Err(e) => {
                manual = true;
                notice = Some(format!(
                    "Cannot watch {} for changes ({e:#}): switched to manual mode, press Enter to re-check.",
                    exercises.display()
                ));
                None
            }
        }
    };
    spawn_stdin_reader(tx);

    let mut watch = Watch {
        lang,
        manual,
        color: ui::color_stdout(),
        clear: std::io::stdout().is_terminal(),
        current,
        results,
        seconds: HashMap::new(),
        extra: None,
        notice,
        fingerprints: HashMap::new(),
        project,
    };
    for topic in watch.project.topics.clone() {
        let fp = fingerprint(&watch.project, &topic);
        watch.fingerprints.insert(topic.dir.clone(), fp);
    }
    watch.check(vec![watch.current.clone()]);

    let mut pending: HashMap<String, Instant> = HashMap::new();
    let mut monitor = EventMonitor::default();
    let mut next_poll = Instant::now() + POLL;
    loop {
        let now = Instant::now();
        let wake = pending
            .values()
            .map(|t| *t + DEBOUNCE)
            .chain(std::iter::once(next_poll))
            .min()
            .unwrap_or(next_poll);
        match rx.recv_timeout(wake.saturating_duration_since(now)) {
            Ok(Msg::Fs(paths)) => {
                for path in paths {
                    if let Some(topic) = topic_of(&watch.project, &path) {
                        let now = Instant::now();
                        pending.insert(topic.clone(), now);
                        monitor.event(&topic, now);
                    }
                }
            }
            Ok(Msg::FsError(e)) => {
                watch.notice = Some(format!(
                    "The file watcher reported a problem ({e}); if saves are missed, run `cargo xtask watch --manual`."
                ));
            }
            Ok(Msg::Line(line)) => {
                if !watch.command(line.trim()) {
                    break;
                }
            }
            Ok(Msg::Eof) | Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {}
        }

        let ready: Vec<String> = pending
            .iter()
            .filter(|(_, t)| t.elapsed() >= DEBOUNCE)
            .map(|(topic, _)| topic.clone())
            .collect();
        if !ready.is_empty() {
            for topic in &ready {
                pending.remove(topic);
            }
            let topics = watch.topics_named(&ready);
            watch.check(topics);
            // What the check saw is now the reference for polling.
            for topic in &ready {
                if let Some(t) = watch.project.topics.iter().find(|t| &t.dir == topic) {
                    let fp = fingerprint(&watch.project, t);
                    watch.fingerprints.insert(topic.clone(), fp);
                }
            }
        }

        if !watch.manual && Instant::now() >= next_poll {
            next_poll = Instant::now() + POLL;
            let now = Instant::now();
            for topic in watch.changed_topics() {
                monitor.polled_change(&topic, pending.contains_key(&topic), now);
            }
            let missed = monitor.missed(now);
            if !missed.is_empty() {
                watch.notice = Some(
                    "A saved file was noticed only by polling: file change events do not seem to arrive on this file system \
                     (network drive, WSL /mnt, a container volume?). If saves are missed, run `cargo xtask watch --manual` \
                     and press Enter to re-check."
                        .into(),
                );
                let topics = watch.topics_named(&missed);
                watch.check(topics);
            }
        }
    }
    if !watch.clear {
        println!("watch: bye");
    }
    Ok(ExitCode::SUCCESS)
}

/// Tells whether file events arrive: a change found by polling that no event
/// announced within [`EVENT_GRACE`] was missed by the watcher.
#[derive(Debug, Default)]
struct EventMonitor {
    /// The last event per topic.
    last_event: HashMap<String, Instant>,
    /// Topics changed (seen by polling) without an event yet, since when.
    suspects: HashMap<String, Instant>,
}

impl EventMonitor {
    /// A file event for `topic` arrived.
    fn event(&mut self, topic: &str, now: Instant) {
        self.last_event.insert(topic.to_owned(), now);
        self.suspects.remove(topic);
    }

    /// Polling found `topic`'s files changed; `pending` when an event already
    /// queued a check of it.
    fn polled_change(&mut self, topic: &str, pending: bool, now: Instant) {
        let announced = pending
            || self
                .last_event
                .get(topic)
                .is_some_and(|t| now.saturating_duration_since(*t) < EVENT_GRACE);
        if !announced {
            self.suspects.entry(topic.to_owned()).or_insert(now);
        }
    }

    /// Topics whose change no event announced in time (each reported once).
    fn missed(&mut self, now: Instant) -> Vec<String> {
        let missed: Vec<String> = self
            .suspects
            .iter()
            .filter(|(_, since)| now.saturating_duration_since(**since) >= EVENT_GRACE)
            .map(|(topic, _)| topic.clone())
            .collect();
        for topic in &missed {
            self.suspects.remove(topic);
        }
        missed
    }
}

fn start_watcher(tx: Sender<Msg>, dir: &Path) -> Result<notify::RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let msg = match event {
            Ok(event) if is_change(&event.kind) => Msg::Fs(event.paths),
            Ok(_) => return,
            Err(e) => Msg::FsError(e.to_string()),
        };
        let _ = tx.send(msg);
    })
    .context("cannot start the file watcher")?;
    watcher
        .watch(dir, RecursiveMode::Recursive)
        .with_context(|| format!("cannot watch {}", dir.display()))?;
    Ok(watcher)
}

/// Whether an event may have changed a file's content (opening and reading,
/// which the checker itself does, do not).
fn is_change(kind: &EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode};
    match kind {
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) => true,
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    }
}

fn spawn_stdin_reader(tx: Sender<Msg>) {
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut lines = stdin.lock();
        loop {
            let mut line = String::new();
            match lines.read_line(&mut line) {
                Ok(0) | Err(_) => {
                    let _ = tx.send(Msg::Eof);
                    return;
                }
                Ok(_) => {
                    if tx.send(Msg::Line(line)).is_err() {
                        return;
                    }
                }
            }
        }
    });
}

/// The files whose change affects a topic's verdict: its `src/` and `Cargo.toml`.
fn watched_files(project: &Project, topic: &Topic) -> Vec<PathBuf> {
    let dir = project.exercise_dir(topic);
    let mut files = vec![dir.join("Cargo.toml")];
    let mut stack = vec![dir.join("src")];
    while let Some(current) = stack.pop() {
        let Ok(entries) = fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => stack.push(path),
                Ok(_) if path.extension().is_some_and(|e| e == "rs") => files.push(path),
                _ => {}
            }
        }
    }
    for rel in &topic.student_files {
        let path = dir.join(rel);
        if !files.contains(&path) {
            files.push(path);
        }
    }
    files.sort();
    files
}

fn fingerprint(project: &Project, topic: &Topic) -> Fingerprint {
    watched_files(project, topic)
        .into_iter()
        .map(|path| {
            let stamp = fs::metadata(&path)
                .ok()
                .and_then(|m| Some((m.modified().ok()?, m.len())));
            (path, stamp)
        })
        .collect()
}

/// The topic a changed path belongs to, when it can change a verdict (a `.rs`
/// file under its `src/`, or its `Cargo.toml`).
fn topic_of(project: &Project, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(project.root.join("exercises")).ok()?;
    let mut parts = rel.components();
    let dir = parts.next()?.as_os_str().to_str()?;
    let topic = project.topics.iter().find(|t| t.dir == dir)?;
    let inner: PathBuf = parts.collect();
    let relevant = inner == Path::new("Cargo.toml")
        || (inner.starts_with("src") && inner.extension().is_some_and(|e| e == "rs"));
    relevant.then(|| topic.dir.clone())
}

impl Watch {
    fn topics_named(&self, dirs: &[String]) -> Vec<Topic> {
        let mut topics: Vec<Topic> = self
            .project
            .topics
            .iter()
            .filter(|t| dirs.contains(&t.dir))
            .cloned()
            .collect();
        // The topic being looked at goes last, so the screen shows it.
        if let Some(i) = topics.iter().position(|t| t.dir == self.current.dir) {
            let current = topics.remove(i);
            topics.push(current);
        }
        topics
    }

    /// Topics whose files differ from the last fingerprint (which is updated).
    fn changed_topics(&mut self) -> Vec<String> {
        let mut changed = Vec::new();
        for topic in &self.project.topics {
            let now = fingerprint(&self.project, topic);
            if self.fingerprints.get(&topic.dir) != Some(&now) {
                self.fingerprints.insert(topic.dir.clone(), now);
                changed.push(topic.dir.clone());
            }
        }
        changed
    }

    /// Handles one input line; false to quit.
    fn command(&mut self, line: &str) -> bool {
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        match word {
            "q" | "quit" | "exit" => return false,
            "" | "r" | "c" | "check" => {
                let mut changed = self.changed_topics();
                if !changed.contains(&self.current.dir) {
                    changed.push(self.current.dir.clone());
                }
                let topics = self.topics_named(&changed);
                self.check(topics);
                return true;
            }
            "h" | "hint" => self.extra = Some(self.hint()),
            "l" | "list" => {
                self.extra = Some(list::table(
                    &self.project,
                    &self.project.topics,
                    &self.results,
                    false,
                    self.color,
                ))
            }
            "t" | "topic" | "n" | "next" => {
                let target = if word.starts_with('n') && rest.trim().is_empty() {
                    let i = self
                        .project
                        .topics
                        .iter()
                        .position(|t| t.dir == self.current.dir)
                        .unwrap_or(0);
                    Ok(self.project.topics[(i + 1) % self.project.topics.len()].clone())
                } else {
                    self.project.find(rest.trim()).cloned()
                };
                match target {
                    Ok(topic) => {
                        self.current = topic.clone();
                        self.check(vec![topic]);
                        return true;
                    }
                    Err(e) => self.extra = Some(format!("{e:#}")),
                }
            }
            "?" | "help" => self.extra = Some(self.keys(true)),
            other => {
                self.extra = Some(format!(
                    "Unknown command {other:?}. {}",
                    self.keys(false).trim()
                ))
            }
        }
        self.draw();
        true
    }

    fn hint(&self) -> String {
        let hints = match hints::load(&self.project, &self.current) {
            Ok(h) => h,
            Err(e) => return format!("{e:#}"),
        };
        let last = self.results.get(&self.current.dir);
        match hint::current_task(&self.project, &hints, last) {
            Some(task) => hint::next_hint(
                &self.project,
                &self.current,
                &hints,
                task,
                self.lang,
                self.color,
            )
            .unwrap_or_else(|e| format!("{e:#}")),
            None => hint::nothing_to_hint(&self.current, &hints, last, self.lang),
        }
    }

    fn check(&mut self, topics: Vec<Topic>) {
        if topics.is_empty() {
            return;
        }
        if let Some(last) = topics.last() {
            self.current = last.clone();
        }
        let names: Vec<&str> = topics.iter().map(|t| t.dir.as_str()).collect();
        println!("\nChecking {} …", names.join(", "));
        std::io::stdout().flush().ok();
        let options = CheckOptions::new(Source::Exercises, topics);
        let report = checker::check(&self.project, &options, &|event| {
            if let Progress::Building { topic } = event {
                println!("  building {topic} …");
            }
        });
        // Kept for `cargo xtask list`; losing it only loses the progress table.
        let _ = checker::results::record(&self.project, &report);
        let each = report.seconds / report.topics.len().max(1) as f64;
        for topic in report.topics {
            self.seconds.insert(topic.topic.clone(), each);
            self.results.insert(topic.topic.clone(), topic);
        }
        self.extra = None;
        self.draw();
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn draw(&self) {
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

    fn keys(&self, long: bool) -> String {
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
                let _ = writeln!(out, "{}\n\n  not checked yet", self.paint("1", &title));
            }
            Some(result) => self.topic_screen(&mut out, &title, result),
        }

        // One line for the whole course.
        let mut line = String::from("\nTopics: ");
        for (i, t) in self.project.topics.iter().enumerate() {
            if i > 0 {
                line.push_str(" · ");
            }
            let mark = match self.results.get(&t.dir) {
                None => format!("{} –", t.number()),
                Some(r) if r.all_passed() && !r.tests.is_empty() => {
                    self.paint("32", &format!("{} ✓", t.number()))
                }
                Some(r) => format!("{} {}%", t.number(), percent(r.points(), r.max_points())),
            };
            if t.dir == topic.dir {
                line.push_str(&self.paint("1", &format!("[{mark}]")));
            } else {
                line.push_str(&mark);
            }
        }
        let _ = writeln!(out, "{line}");
        if let Some(notice) = &self.notice {
            let _ = writeln!(out, "\n{}", self.paint("33", notice));
        }
        let _ = writeln!(out, "\n{}", self.paint("2", self.keys(false).trim_end()));
        if let Some(extra) = &self.extra {
            let _ = write!(out, "\n{}", extra.trim_end());
            out.push('\n');
        }
        out
    }

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
            self.paint("1", &format!("{title:<52}")),
            self.paint("1", &score)
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
            self.paint(if passed == total { "32" } else { "36" }, &bar)
        );

        // Per task: tests passed.
        let mut tasks: Vec<(&str, usize, usize)> = Vec::new();
        for t in &result.tests {
            match tasks.iter_mut().find(|(name, _, _)| *name == t.task) {
                Some(entry) => {
                    entry.1 += usize::from(t.verdict.passed());
                    entry.2 += 1;
                }
                None => tasks.push((&t.task, usize::from(t.verdict.passed()), 1)),
            }
        }
        let tasks_line: Vec<String> = tasks
            .iter()
            .map(|(name, ok, all)| {
                if ok == all {
                    self.paint("32", &format!("✓ {name}"))
                } else {
                    format!("{name} {ok}/{all}")
                }
            })
            .collect();
        let _ = writeln!(out, "{}\n", tasks_line.join(" · "));

        if let Some(problem) = &result.problem {
            let heading = match problem {
                Failure::CompileError { .. } => format!("✗ {} does not compile", result.topic),
                _ => format!("✗ {} could not be checked", result.topic),
            };
            let _ = writeln!(out, "{}", self.paint("31", &heading));
            let message = match problem {
                Failure::CompileError { message } => message.clone(),
                other => other.message(),
            };
            let _ = writeln!(out, "{}", shorten(&message, MAX_MESSAGE_LINES, 2));
            return;
        }
        match result.tests.iter().find(|t| !t.verdict.passed()) {
            Some(test) => {
                let file = hints::load(&self.project, &self.current)
                    .ok()
                    .and_then(|h| h.tasks.into_iter().find(|t| t.name == test.task))
                    .map(|t| format!(", exercises/{}/{}", result.topic, t.file))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "{} {}",
                    self.paint("31", "✗"),
                    self.paint("1", &format!("{} ({}{file})", test.name, test.task))
                );
                let message = test
                    .verdict
                    .failure
                    .as_ref()
                    .map(Failure::message)
                    .unwrap_or_default();
                let _ = writeln!(out, "{}", shorten(&message, MAX_MESSAGE_LINES, 4));
                let others = total - passed - 1;
                if others > 0 {
                    let _ = writeln!(
                        out,
                        "{}",
                        self.paint(
                            "2",
                            &format!(
                                "  … and {others} more failing; `cargo xtask check {}` shows them all.",
                                self.current.number()
                            )
                        )
                    );
                }
            }
            None if total > 0 => {
                let next = self.project.topics.iter().find(|t| {
                    !self
                        .results
                        .get(&t.dir)
                        .is_some_and(TopicResult::all_passed)
                });
                let _ = writeln!(
                    out,
                    "{}",
                    self.paint(
                        "32",
                        &format!("✓ Every test of {} passes. Well done!", result.topic)
                    )
                );
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

fn percent(p: f64, max: f64) -> u32 {
    if max <= 0.0 {
        0
    } else {
        (p * 100.0 / max).floor() as u32
    }
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
    fn a_change_no_event_announced_is_reported_once() {
        let t0 = Instant::now();
        let mut m = EventMonitor::default();
        // Events arrive: polling agrees, nothing is missed.
        m.event("01", t0);
        m.polled_change("01", false, t0 + Duration::from_secs(1));
        assert!(m.missed(t0 + Duration::from_secs(10)).is_empty());
        // A change that an event announces a little later is not missed either.
        m.polled_change("02", false, t0 + Duration::from_secs(20));
        m.event("02", t0 + Duration::from_millis(20_500));
        assert!(m.missed(t0 + Duration::from_secs(30)).is_empty());
        // A change no event announces is reported after the grace period, once.
        m.polled_change("03", false, t0 + Duration::from_secs(40));
        assert!(m.missed(t0 + Duration::from_secs(41)).is_empty());
        assert_eq!(m.missed(t0 + Duration::from_secs(40) + EVENT_GRACE), ["03"]);
        assert!(m.missed(t0 + Duration::from_secs(60)).is_empty());
        // A change already queued by an event is not suspect.
        m.polled_change("04", true, t0 + Duration::from_secs(70));
        assert!(m.missed(t0 + Duration::from_secs(80)).is_empty());
    }

    #[test]
    fn only_sources_of_a_topic_trigger_a_check() {
        let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
        let project = Project::load(&root).unwrap();
        let ex = project.root.join("exercises/02_join_all");
        let of = |p: PathBuf| topic_of(&project, &p);
        assert_eq!(of(ex.join("src/join.rs")).as_deref(), Some("02_join_all"));
        assert_eq!(
            of(ex.join("src/bin/demo.rs")).as_deref(),
            Some("02_join_all")
        );
        assert_eq!(of(ex.join("Cargo.toml")).as_deref(), Some("02_join_all"));
        assert_eq!(of(ex.join("README.md")), None);
        assert_eq!(of(ex.join("src/.join.rs.swp")), None);
        assert_eq!(of(ex.join("hints.toml")), None);
        assert_eq!(of(project.root.join("exercises/99_nope/src/a.rs")), None);
        assert_eq!(of(project.root.join("checker/src/lib.rs")), None);
    }

    #[test]
    fn opening_a_file_is_not_a_change() {
        use notify::event::{AccessKind, AccessMode, ModifyKind};
        assert!(!is_change(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(is_change(&EventKind::Modify(ModifyKind::Any)));
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
