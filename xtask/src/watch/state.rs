//! Watch's state: the topic shown, the last results, what the screen adds to
//! them; and the actions on it (check topics, run a command).

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use checker::hints::{self, Lang};
use checker::{CheckOptions, Progress, Project, Source, Topic, TopicResult};

use super::poll::{Fingerprint, fingerprint};
use super::terminal_events::Command;
use crate::{hint, list};

/// Everything watch knows between two events.
pub struct WatchState {
    /// The checkout being watched.
    pub project: Project,
    /// Language of the hints.
    pub lang: Lang,
    /// Whether saves are not watched (Enter re-checks).
    pub manual: bool,
    /// Whether to paint with ANSI colours.
    pub color: bool,
    /// Whether to clear the terminal before each screen.
    pub clear: bool,
    /// The topic shown.
    pub current: Topic,
    /// The last result of each topic, by directory name.
    pub results: BTreeMap<String, TopicResult>,
    /// Seconds the last check of each topic took (checks run by this watch).
    pub seconds: HashMap<String, f64>,
    /// Shown under the screen until the next check (a hint, the list, help).
    pub extra: Option<String>,
    /// Shown until watch ends (events missing, watcher problems).
    pub notice: Option<String>,
    /// Per topic, its files when polling last looked.
    polled: HashMap<String, Fingerprint>,
    /// Per topic, its files when its last check started.
    checked: HashMap<String, Fingerprint>,
    /// Per topic, the files saved since its check before the last one
    /// (`src/spawn.rs`): the screen shows their tasks first.
    pub saved: HashMap<String, Vec<String>>,
}

impl WatchState {
    /// The state before the first check; the files as they are now are the
    /// reference for polling.
    pub fn new(
        project: Project,
        lang: Lang,
        manual: bool,
        current: Topic,
        results: BTreeMap<String, TopicResult>,
        notice: Option<String>,
    ) -> WatchState {
        let polled = project
            .topics
            .iter()
            .map(|t| (t.dir.clone(), fingerprint(&project, t)))
            .collect();
        WatchState {
            lang,
            manual,
            color: crate::ui::color_stdout(),
            clear: std::io::IsTerminal::is_terminal(&std::io::stdout()),
            current,
            results,
            seconds: HashMap::new(),
            extra: None,
            notice,
            polled,
            checked: HashMap::new(),
            saved: HashMap::new(),
            project,
        }
    }

    /// The topics of `dirs`, in course order, the topic shown last (so the
    /// screen after checking them shows it).
    pub fn topics_named(&self, dirs: &[String]) -> Vec<Topic> {
        let mut topics: Vec<Topic> = self
            .project
            .topics
            .iter()
            .filter(|t| dirs.contains(&t.dir))
            .cloned()
            .collect();
        if let Some(i) = topics.iter().position(|t| t.dir == self.current.dir) {
            let current = topics.remove(i);
            topics.push(current);
        }
        topics
    }

    /// Topics whose files differ from what polling last saw (which is updated).
    pub fn polled_changes(&mut self) -> Vec<String> {
        let mut changed = Vec::new();
        for topic in &self.project.topics {
            let now = fingerprint(&self.project, topic);
            if self.polled.get(&topic.dir) != Some(&now) {
                self.polled.insert(topic.dir.clone(), now);
                changed.push(topic.dir.clone());
            }
        }
        changed
    }

    /// Of `dirs`, the topics whose files differ from what their last check saw:
    /// a save of one file can reach watch as two debounced batches, or arrive
    /// while the check it started is running; the second must not check again.
    pub fn unchecked_changes(&self, dirs: &[String]) -> Vec<String> {
        dirs.iter()
            .filter(|dir| {
                let now = self
                    .project
                    .topics
                    .iter()
                    .find(|t| &t.dir == *dir)
                    .map(|t| fingerprint(&self.project, t));
                now.is_none() || self.checked.get(*dir) != now.as_ref()
            })
            .cloned()
            .collect()
    }

    /// Runs one command; false to quit.
    pub fn command(&mut self, command: Command) -> bool {
        match command {
            Command::Quit => return false,
            Command::Recheck => {
                let mut changed = self.polled_changes();
                if !changed.contains(&self.current.dir) {
                    changed.push(self.current.dir.clone());
                }
                let topics = self.topics_named(&changed);
                self.check(topics);
                return true;
            }
            Command::Hint => self.extra = Some(self.hint()),
            Command::List => {
                self.extra = Some(list::table(
                    &self.project,
                    &self.project.topics,
                    &self.results,
                    false,
                    self.color,
                ))
            }
            Command::Next | Command::Topic(_) => {
                let target = match &command {
                    Command::Topic(name) => self.project.find(name).cloned(),
                    _ => {
                        let i = self
                            .project
                            .topics
                            .iter()
                            .position(|t| t.dir == self.current.dir)
                            .unwrap_or(0);
                        Ok(self.project.topics[(i + 1) % self.project.topics.len()].clone())
                    }
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
            Command::Help => self.extra = Some(self.keys(true)),
            Command::Unknown(other) => {
                self.extra = Some(format!(
                    "Unknown command {other:?}. {}",
                    self.keys(false).trim()
                ))
            }
        }
        self.draw();
        true
    }

    /// The next hint of the topic shown (or why there is none).
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

    /// Checks `topics` (the last one is shown), keeps the results and redraws.
    pub fn check(&mut self, topics: Vec<Topic>) {
        if topics.is_empty() {
            return;
        }
        if let Some(last) = topics.last() {
            self.current = last.clone();
        }
        for topic in &topics {
            let seen = fingerprint(&self.project, topic);
            let before = self
                .checked
                .get(&topic.dir)
                .or_else(|| self.polled.get(&topic.dir));
            let saved = before
                .map(|before| saved_files(&self.project.exercise_dir(topic), before, &seen))
                .unwrap_or_default();
            self.saved.insert(topic.dir.clone(), saved);
            self.polled.insert(topic.dir.clone(), seen.clone());
            self.checked.insert(topic.dir.clone(), seen);
        }
        let names: Vec<&str> = topics.iter().map(|t| t.dir.as_str()).collect();
        println!("\nChecking {} …", names.join(", "));
        std::io::stdout().flush().ok();
        let mut options = CheckOptions::new(Source::Exercises, topics);
        options.student_check = true;
        options.reuse = checker::Reuse::WhenUnchanged;
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
}

/// The files of `now` that are new or differ from `before`, relative to the
/// topic folder `dir` (`src/spawn.rs`).
fn saved_files(dir: &std::path::Path, before: &Fingerprint, now: &Fingerprint) -> Vec<String> {
    now.iter()
        .filter(|entry| !before.contains(entry))
        .filter_map(|(path, _)| path.strip_prefix(dir).ok())
        .map(|rel| rel.to_string_lossy().replace('\\', "/"))
        .collect()
}
