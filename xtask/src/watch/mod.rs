//! `cargo xtask watch [TOPIC] [--manual]`: re-check the topic whose file was saved
//! and redraw a compact screen.
//!
//! Keys are whole lines (type the letter, then Enter), so watch also works with
//! piped input: `h` next hint, `l` list, `r` (or an empty line) re-check,
//! `t NN` switch topic, `q` quit; the end of input quits too.
//!
//! Split the way rustlings splits its watch mode: this file is the event loop;
//! [`file_events`] turns saves into topics (notify's events, debounced by
//! `notify-debouncer-full`: a change is acted on once it is [`DEBOUNCE`] old),
//! [`poll`] is the safety net under them (a change found by polling that no
//! event announced means events do not arrive on this file system, and the
//! screen suggests `--manual`), [`terminal_events`] reads command lines,
//! [`state`] holds what watch knows and acts on it, [`render`] draws the screen.

mod file_events;
mod poll;
mod render;
mod state;
mod terminal_events;

use std::process::ExitCode;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use checker::hints::Lang;

use crate::hint;
use poll::{EventMonitor, POLL};
use state::WatchState;
use terminal_events::Command;

/// How old a file change is before its topic is checked.
pub const DEBOUNCE: Duration = Duration::from_millis(300);

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

/// What wakes the event loop.
pub enum WatchEvent {
    /// The sources of these topics changed (debounced file events).
    Changed(Vec<String>),
    /// The file watcher reported a problem.
    FileError(String),
    /// A command line was typed.
    Input(Command),
    /// The input ended.
    InputEnd,
}

/// Runs watch until `q` or the end of input.
pub fn run(args: Args) -> Result<ExitCode> {
    let project = crate::project()?;
    let lang = Lang::resolve(args.lang)?;
    let results = checker::results::load(&project).unwrap_or_default();
    let current = match &args.topic {
        Some(name) => project.find(name)?.clone(),
        None => checker::results::next_unfinished(&project.topics, &results)
            .or(project.topics.first())
            .cloned()
            .context("the project has no topics")?,
    };
    let (tx, rx) = mpsc::channel();
    let mut manual = args.manual;
    let mut notice = None;
    let _watcher = if manual {
        None
    } else {
        match file_events::start(tx.clone(), &project) {
            Ok(w) => Some(w),
            Err(e) => {
                manual = true;
                notice = Some(format!(
                    "Cannot watch {} for changes ({e:#}): switched to manual mode, press Enter to re-check.",
                    project.root.join("exercises").display()
                ));
                None
            }
        }
    };
    terminal_events::spawn_stdin_reader(tx);

    let mut watch = WatchState::new(project, lang, manual, current, results, notice);
    watch.check(vec![watch.current.clone()]);

    let mut monitor = EventMonitor::default();
    let mut next_poll = Instant::now() + POLL;
    loop {
        match rx.recv_timeout(next_poll.saturating_duration_since(Instant::now())) {
            Ok(WatchEvent::Changed(dirs)) => {
                let now = Instant::now();
                for dir in &dirs {
                    monitor.event(dir, now);
                }
                let topics = watch.topics_named(&watch.unchecked_changes(&dirs));
                watch.check(topics);
            }
            Ok(WatchEvent::FileError(e)) => {
                watch.notice = Some(format!(
                    "The file watcher reported a problem ({e}); if saves are missed, run `cargo xtask watch --manual`."
                ));
            }
            Ok(WatchEvent::Input(command)) => {
                if !watch.command(command) {
                    break;
                }
            }
            Ok(WatchEvent::InputEnd) | Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {}
        }

        if !watch.manual && Instant::now() >= next_poll {
            next_poll = Instant::now() + POLL;
            let now = Instant::now();
            for topic in watch.polled_changes() {
                monitor.polled_change(&topic, now);
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
