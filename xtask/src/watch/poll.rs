//! The safety net under file events: the watched files are polled, and a change
//! found by polling that no event announced means events do not arrive on this
//! file system (network drives, WSL `/mnt`, some container volumes), which the
//! screen then says.

use std::collections::HashMap;
use std::fs;
use std::hash::{DefaultHasher, Hasher};
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use checker::{Project, Topic};

/// How often the watched files are polled.
pub const POLL: Duration = Duration::from_secs(1);
/// How long a change found by polling waits for its file event before the
/// events are declared missing. Far longer than the debounce, so an event still
/// being debounced arrives in time.
pub const EVENT_GRACE: Duration = Duration::from_secs(3);

/// Modification time, size and a hash of the content of every watched file of
/// a topic (`None` for a file that cannot be read).
pub type Fingerprint = Vec<(PathBuf, Option<(SystemTime, u64, u64)>)>;

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

/// The fingerprint of a topic's watched files now. The content hash catches an
/// edit that keeps the size within one tick of a coarse modification time.
pub fn fingerprint(project: &Project, topic: &Topic) -> Fingerprint {
    watched_files(project, topic)
        .into_iter()
        .map(|path| {
            let stamp = fs::metadata(&path).ok().and_then(|m| {
                let content = fs::read(&path).ok()?;
                let mut hasher = DefaultHasher::new();
                hasher.write(&content);
                Some((m.modified().ok()?, m.len(), hasher.finish()))
            });
            (path, stamp)
        })
        .collect()
}

/// Tells whether file events arrive: a change found by polling that no event
/// announced within [`EVENT_GRACE`] was missed by the watcher.
#[derive(Debug, Default)]
pub struct EventMonitor {
    /// The last event per topic.
    last_event: HashMap<String, Instant>,
    /// Topics changed (seen by polling) without an event yet, since when.
    suspects: HashMap<String, Instant>,
}

impl EventMonitor {
    /// A (debounced) file event for `topic` arrived.
    pub fn event(&mut self, topic: &str, now: Instant) {
        self.last_event.insert(topic.to_owned(), now);
        self.suspects.remove(topic);
    }

    /// Polling found `topic`'s files changed.
    pub fn polled_change(&mut self, topic: &str, now: Instant) {
        let announced = self
            .last_event
            .get(topic)
            .is_some_and(|t| now.saturating_duration_since(*t) < EVENT_GRACE);
        if !announced {
            self.suspects.entry(topic.to_owned()).or_insert(now);
        }
    }

    /// Topics whose change no event announced in time (each reported once).
    pub fn missed(&mut self, now: Instant) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_no_event_announced_is_reported_once() {
        let t0 = Instant::now();
        let mut m = EventMonitor::default();
        // Events arrive: polling agrees, nothing is missed.
        m.event("01", t0);
        m.polled_change("01", t0 + Duration::from_secs(1));
        assert!(m.missed(t0 + Duration::from_secs(10)).is_empty());
        // A change that an event announces a little later (still being
        // debounced when polling saw it) is not missed either.
        m.polled_change("02", t0 + Duration::from_secs(20));
        m.event("02", t0 + Duration::from_millis(20_500));
        assert!(m.missed(t0 + Duration::from_secs(30)).is_empty());
        // A change no event announces is reported after the grace period, once.
        m.polled_change("03", t0 + Duration::from_secs(40));
        assert!(m.missed(t0 + Duration::from_secs(41)).is_empty());
        assert_eq!(m.missed(t0 + Duration::from_secs(40) + EVENT_GRACE), ["03"]);
        assert!(m.missed(t0 + Duration::from_secs(60)).is_empty());
    }

    #[test]
    fn a_fingerprint_sees_an_edit_of_the_same_size() {
        let dir = tempfile::tempdir().unwrap();
        let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
        let mut project = Project::load(&root).unwrap();
        project.root = dir.path().to_owned();
        let topic = project.topics[0].clone();
        let src = project.exercise_dir(&topic).join("src");
        fs::create_dir_all(&src).unwrap();
        let file = src.join("lib.rs");
        fs::write(&file, "fn a() {}").unwrap();
        let before = fingerprint(&project, &topic);
        assert!(
            before
                .iter()
                .any(|(p, stamp)| p == &file && stamp.is_some())
        );
        fs::write(&file, "fn b() {}").unwrap();
        // Same size, and (on a coarse clock) possibly the same modification time.
        let f = fs::File::options().write(true).open(&file).unwrap();
        f.set_modified(before_time(&before, &file)).unwrap();
        assert_ne!(fingerprint(&project, &topic), before);
    }

    fn before_time(fp: &Fingerprint, file: &PathBuf) -> SystemTime {
        fp.iter()
            .find(|(p, _)| p == file)
            .and_then(|(_, stamp)| stamp.map(|(time, _, _)| time))
            .unwrap()
    }
}
