//! File events: notify's events, debounced by `notify-debouncer-full`, turned
//! into the topics whose sources changed.
//!
//! Only a `.rs` file under a topic's `src/`, or its `Cargo.toml`, can change a
//! verdict; opening and reading a file (which the checker itself does) is no
//! change.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;

use anyhow::{Context, Result};
use checker::Project;
use notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, DebouncedEvent, Debouncer, RecommendedCache};

use super::{DEBOUNCE, WatchEvent};

/// The running watcher; dropping it stops the events.
pub type FileWatcher = Debouncer<RecommendedWatcher, RecommendedCache>;

/// Watches `project`'s `exercises/` and sends [`WatchEvent::Changed`] with the
/// topics whose sources changed, once a change is [`DEBOUNCE`] old (or
/// [`WatchEvent::FileError`] when the watcher reports a problem).
pub fn start(tx: Sender<WatchEvent>, project: &Project) -> Result<FileWatcher> {
    let dir = project.root.join("exercises");
    let project = project.clone();
    let mut watcher =
        notify_debouncer_full::new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
            let event = match result {
                Ok(events) => {
                    let topics = changed_topics(&project, &events);
                    if topics.is_empty() {
                        return;
                    }
                    WatchEvent::Changed(topics)
                }
                Err(errors) => WatchEvent::FileError(
                    errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            };
            let _ = tx.send(event);
        })
        .context("cannot start the file watcher")?;
    watcher
        .watch(&dir, RecursiveMode::Recursive)
        .with_context(|| format!("cannot watch {}", dir.display()))?;
    Ok(watcher)
}

/// The topics (directory names, each once, in order of appearance) that
/// `events` changed.
fn changed_topics(project: &Project, events: &[DebouncedEvent]) -> Vec<String> {
    let mut topics: Vec<String> = Vec::new();
    let paths = events
        .iter()
        .filter(|e| is_change(&e.kind))
        .flat_map(|e| &e.paths);
    for path in paths {
        if let Some(topic) = topic_of(project, path)
            && !topics.contains(&topic)
        {
            topics.push(topic);
        }
    }
    topics
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

/// The topic a changed path belongs to, when it can change a verdict (a `.rs`
/// file under its `src/`, or its `Cargo.toml`).
pub fn topic_of(project: &Project, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(project.root.join("exercises")).ok()?;
    let mut parts = rel.components();
    let dir = parts.next()?.as_os_str().to_str()?;
    let topic = project.topics.iter().find(|t| t.dir == dir)?;
    let inner: PathBuf = parts.collect();
    let relevant = inner == Path::new("Cargo.toml")
        || (inner.starts_with("src") && inner.extension().is_some_and(|e| e == "rs"));
    relevant.then(|| topic.dir.clone())
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use notify::Event;
    use notify::event::{AccessKind, AccessMode, ModifyKind};

    use super::*;

    fn project() -> Project {
        let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
        Project::load(&root).unwrap()
    }

    #[test]
    fn only_sources_of_a_topic_trigger_a_check() {
        let project = project();
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
    fn a_save_arrives_as_its_topic() {
        let dir = tempfile::tempdir().unwrap();
        let mut project = project();
        project.root = dir.path().to_owned();
        let src = project.exercise_dir(&project.topics[1]).join("src");
        std::fs::create_dir_all(&src).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let _watcher = start(tx, &project).unwrap();
        std::fs::write(src.join("notes.txt"), "not a source").unwrap();
        std::fs::write(src.join("join.rs"), "pub fn f() {}").unwrap();
        // Wide margin: two busy cores can delay the debouncer's thread.
        match rx.recv_timeout(std::time::Duration::from_secs(30)) {
            Ok(WatchEvent::Changed(topics)) => assert_eq!(topics, [project.topics[1].dir.clone()]),
            Ok(_) => panic!("expected a change of the topic"),
            Err(e) => panic!("no file event within 30 s: {e}"),
        }
    }

    #[test]
    fn a_batch_names_each_changed_topic_once() {
        let project = project();
        let ex = project.root.join("exercises");
        let event = |kind: EventKind, path: PathBuf| {
            DebouncedEvent::new(Event::new(kind).add_path(path), Instant::now())
        };
        let write = EventKind::Modify(ModifyKind::Any);
        let read = EventKind::Access(AccessKind::Close(AccessMode::Read));
        let events = [
            event(read, ex.join("01_thread_basics/src/spawn.rs")),
            event(write, ex.join("02_join_all/src/join.rs")),
            event(write, ex.join("02_join_all/README.md")),
            event(write, ex.join("02_join_all/Cargo.toml")),
            event(
                EventKind::Access(AccessKind::Close(AccessMode::Write)),
                ex.join("01_thread_basics/src/spawn.rs"),
            ),
        ];
        assert_eq!(
            changed_topics(&project, &events),
            ["02_join_all", "01_thread_basics"]
        );
        assert!(changed_topics(&project, &events[..1]).is_empty());
    }
}
