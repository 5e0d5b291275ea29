//! What a [`Snapshot`] of the record means: lock-order deadlocks (a cycle of
//! threads each waiting for a lock the next holds) and lost wakeups (a thread
//! waiting on a condition variable with no running thread left to notify it).
//! Pure functions on plain data, so the grader can run them on a snapshot read
//! back from a hung test, and the tests below on fixed inputs.

use serde::{Deserialize, Serialize};

/// Every instrumented thread of a process at one moment (at most 64).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The threads, waiting ones first.
    #[serde(default)]
    pub threads: Vec<ThreadView>,
}

/// One thread of a [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadView {
    /// The kernel's thread id (what `/proc/<pid>/task/<tid>` is named).
    pub tid: i32,
    /// The thread's name, if it was given one.
    #[serde(default)]
    pub name: Option<String>,
    /// Whether the thread has ended.
    #[serde(default)]
    pub finished: bool,
    /// Whether this thread took the snapshot (it is looking, not waiting).
    #[serde(default)]
    pub observer: bool,
    /// What it waits for, if it is blocked in an instrumented lock or condition variable.
    #[serde(default)]
    pub waits: Option<Wait>,
}

/// A thread's wait.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wait {
    /// The lock or condition variable.
    pub on: Object,
    /// The source line of the call that waits (`src/bank.rs:21`).
    pub at: String,
    /// How long it has waited, in seconds.
    pub for_secs: f64,
    /// Whether the wait has a time limit (`wait_timeout`): it ends by itself.
    #[serde(default)]
    pub timed: bool,
    /// For a lock: the thread holding it and where it took it.
    #[serde(default)]
    pub holder: Option<Holder>,
}

/// A lock or a condition variable, by number and the line that created it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Object {
    /// A `Mutex`.
    Lock {
        /// Its number in the process, from 1.
        id: u32,
        /// Where it was created.
        created: String,
    },
    /// A `Condvar`, waited on with the lock numbered `lock`.
    Condvar {
        /// Its number in the process, from 1.
        id: u32,
        /// Where it was created.
        created: String,
        /// The lock released while waiting.
        lock: u32,
    },
}

/// Who holds a lock a thread waits for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holder {
    /// The holder's thread id.
    pub tid: i32,
    /// Where it took the lock.
    pub at: String,
}

/// What a thread is doing, as far as something outside the record can tell
/// (the grader reads it from `/proc`; inside the process nothing can).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// Running or ready to run, or sleeping for a while: it may still notify.
    Running,
    /// Blocked on something that is not recorded (a join, a channel, a pipe).
    Blocked,
    /// Gone.
    Finished,
    /// Not known: counted as possibly running.
    Unknown,
}

/// A wait shorter than this is not named: a snapshot reads the threads one
/// after another, so a wait that just began may already be over.
const SETTLED_SECS: f64 = 0.2;
/// A condition-variable wait named as a lost wakeup has lasted at least this long.
const LOST_AFTER_SECS: f64 = 1.0;
/// Cycles and lost wakeups named at most.
const NAMED: usize = 3;
/// Longest text taken from a snapshot field (it comes from the process under test).
const FIELD_CAP: usize = 120;

impl Snapshot {
    /// The snapshot fit to show: at most 64 threads, every text field printable
    /// and short. Apply it to a snapshot read from a process under test.
    pub fn capped(mut self) -> Snapshot {
        self.threads.truncate(64);
        for thread in &mut self.threads {
            thread.name = thread.name.as_deref().map(clean);
            if let Some(wait) = &mut thread.waits {
                wait.at = clean(&wait.at);
                wait.for_secs = if wait.for_secs.is_finite() {
                    wait.for_secs.clamp(0.0, 1e6)
                } else {
                    0.0
                };
                match &mut wait.on {
                    Object::Lock { created, .. } | Object::Condvar { created, .. } => {
                        *created = clean(created);
                    }
                }
                if let Some(holder) = &mut wait.holder {
                    holder.at = clean(&holder.at);
                }
            }
        }
        self
    }
}

/// Printable, without backquotes, at most [`FIELD_CAP`] characters.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() || c == '`' { '?' } else { c })
        .take(FIELD_CAP)
        .collect()
}

/// How a thread is named in a message.
fn who(thread: &ThreadView) -> String {
    match &thread.name {
        Some(name) => format!("thread `{}`", clean(name)),
        None => format!("an unnamed thread (id {})", thread.tid),
    }
}

fn lock_id(object: &Object) -> Option<u32> {
    match object {
        Object::Lock { id, .. } => Some(*id),
        Object::Condvar { .. } => None,
    }
}

/// The deadlocks and lost wakeups `snapshot` shows, one sentence each (none
/// when it shows neither). `activity` tells what a thread not waiting in the
/// record is doing; `outsider_may_notify` says whether some thread outside the
/// record (one that never used an instrumented lock) may still be running.
pub fn diagnose(
    snapshot: &Snapshot,
    activity: &dyn Fn(&ThreadView) -> Activity,
    outsider_may_notify: bool,
) -> Vec<String> {
    let mut found = deadlocks(snapshot);
    found.extend(lost_wakeups(snapshot, activity, outsider_may_notify));
    found
}

/// Every cycle of "waits for a lock held by" among settled waits.
fn deadlocks(snapshot: &Snapshot) -> Vec<String> {
    let threads = &snapshot.threads;
    // next[i]: the thread holding the lock thread i waits for.
    let next: Vec<Option<usize>> = threads
        .iter()
        .map(|thread| {
            let wait = thread.waits.as_ref()?;
            lock_id(&wait.on)?;
            if thread.finished || wait.for_secs < SETTLED_SECS {
                return None;
            }
            let holder = wait.holder.as_ref()?;
            threads
                .iter()
                .position(|t| t.tid == holder.tid && !t.finished)
        })
        .collect();
    let mut seen_cycles: Vec<Vec<usize>> = Vec::new();
    let mut sentences = Vec::new();
    for start in 0..threads.len() {
        let mut path = vec![start];
        let mut current = start;
        while let Some(following) = next[current] {
            if let Some(at) = path.iter().position(|&p| p == following) {
                let cycle = path[at..].to_vec();
                let mut key = cycle.clone();
                key.sort_unstable();
                if cycle.len() > 1 && !seen_cycles.contains(&key) {
                    seen_cycles.push(key);
                    sentences.push(describe_cycle(threads, &cycle));
                }
                break;
            }
            if path.len() > threads.len() {
                break;
            }
            path.push(following);
            current = following;
        }
        if sentences.len() >= NAMED {
            break;
        }
    }
    sentences
}

/// "lock-order deadlock: thread `a` holds lock #1 (taken at …) and waits for
/// lock #2 (at …); thread `b` holds lock #2 (…) and waits for lock #1 (…)".
fn describe_cycle(threads: &[ThreadView], cycle: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut created = Vec::new();
    for (k, &index) in cycle.iter().enumerate() {
        let thread = &threads[index];
        // The thread before this one in the cycle waits for the lock this one holds.
        let before = &threads[cycle[(k + cycle.len() - 1) % cycle.len()]];
        let (Some(wait), Some(held)) = (&thread.waits, &before.waits) else {
            continue;
        };
        let (
            Object::Lock {
                id: wants,
                created: wants_created,
            },
            Object::Lock { id: holds, .. },
        ) = (&wait.on, &held.on)
        else {
            continue;
        };
        let taken_at = held.holder.as_ref().map_or("?", |h| h.at.as_str());
        parts.push(format!(
            "{} holds lock #{holds} (taken at {taken_at}) and waits for lock #{wants} (at {})",
            who(thread),
            wait.at
        ));
        created.push(format!("lock #{wants} at {wants_created}"));
    }
    format!(
        "lock-order deadlock: {}. (Created: {}.) Two threads took the same locks in opposite \
         orders: take them in one fixed order everywhere.",
        parts.join("; "),
        created.join(", ")
    )
}

/// Every settled, untimed condition-variable wait that no thread can end.
fn lost_wakeups(
    snapshot: &Snapshot,
    activity: &dyn Fn(&ThreadView) -> Activity,
    outsider_may_notify: bool,
) -> Vec<String> {
    if outsider_may_notify {
        return Vec::new();
    }
    let threads = &snapshot.threads;
    let may_notify = |thread: &ThreadView| {
        if thread.finished || thread.observer {
            return false;
        }
        match &thread.waits {
            Some(wait) => wait.timed || wait.for_secs < SETTLED_SECS,
            None => matches!(activity(thread), Activity::Running | Activity::Unknown),
        }
    };
    if threads.iter().any(may_notify) {
        return Vec::new();
    }
    // Threads stuck at the same wait (condition variable and line) make one sentence.
    let mut groups: Vec<(&Wait, Vec<&ThreadView>)> = Vec::new();
    for thread in threads.iter().filter(|t| !t.finished && !t.observer) {
        let Some(wait) = &thread.waits else { continue };
        if !matches!(wait.on, Object::Condvar { .. })
            || wait.timed
            || wait.for_secs < LOST_AFTER_SECS
        {
            continue;
        }
        match groups
            .iter_mut()
            .find(|(w, _)| w.on == wait.on && w.at == wait.at)
        {
            Some((_, members)) => members.push(thread),
            None => groups.push((wait, vec![thread])),
        }
    }
    groups
        .into_iter()
        .take(NAMED)
        .map(|(wait, members)| {
            let Object::Condvar { id, created, .. } = &wait.on else {
                unreachable!("only condition-variable waits are grouped")
            };
            let longest = members
                .iter()
                .filter_map(|t| t.waits.as_ref().map(|w| w.for_secs))
                .fold(0.0, f64::max);
            let mut names: Vec<String> = members.iter().take(NAMED).map(|t| who(t)).collect();
            if members.len() > NAMED {
                names.push(format!("{} more", members.len() - NAMED));
            }
            let (subject, verb) = if members.len() == 1 {
                (names.join(""), "has")
            } else {
                (
                    format!("{} threads ({})", members.len(), names.join(", ")),
                    "have",
                )
            };
            format!(
                "lost wakeup: {subject} {verb} waited up to {longest:.1} s on condition variable \
                 #{id} (created at {created}) at {}, and no running thread is left to notify \
                 it. Does every change that can end this wait call notify_one or notify_all?",
                wait.at
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thread(tid: i32, name: &str, waits: Option<Wait>) -> ThreadView {
        ThreadView {
            tid,
            name: (!name.is_empty()).then(|| name.to_owned()),
            finished: false,
            observer: false,
            waits,
        }
    }

    fn lock_wait(id: u32, at: &str, holder: i32, taken_at: &str) -> Option<Wait> {
        Some(Wait {
            on: Object::Lock {
                id,
                created: "src/bank.rs:29".into(),
            },
            at: at.into(),
            for_secs: 2.0,
            timed: false,
            holder: Some(Holder {
                tid: holder,
                at: taken_at.into(),
            }),
        })
    }

    fn condvar_wait(secs: f64, timed: bool) -> Option<Wait> {
        Some(Wait {
            on: Object::Condvar {
                id: 2,
                created: "src/queue.rs:45".into(),
                lock: 1,
            },
            at: "src/queue.rs:60".into(),
            for_secs: secs,
            timed,
            holder: None,
        })
    }

    fn unknown(_: &ThreadView) -> Activity {
        Activity::Unknown
    }

    #[test]
    fn a_cycle_is_a_lock_order_deadlock_with_both_threads_locks_and_lines() {
        let snapshot = Snapshot {
            threads: vec![
                thread(
                    11,
                    "a",
                    lock_wait(2, "src/bank.rs:21", 12, "src/bank.rs:20"),
                ),
                thread(12, "", lock_wait(1, "src/bank.rs:21", 11, "src/bank.rs:20")),
                thread(
                    13,
                    "total",
                    lock_wait(1, "src/bank.rs:40", 11, "src/bank.rs:20"),
                ),
            ],
        };
        let found = diagnose(&snapshot, &unknown, true);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0],
            "lock-order deadlock: thread `a` holds lock #1 (taken at src/bank.rs:20) and waits \
             for lock #2 (at src/bank.rs:21); an unnamed thread (id 12) holds lock #2 (taken at \
             src/bank.rs:20) and waits for lock #1 (at src/bank.rs:21). (Created: lock #2 at \
             src/bank.rs:29, lock #1 at src/bank.rs:29.) Two threads took the same locks in \
             opposite orders: take them in one fixed order everywhere."
        );
    }

    #[test]
    fn a_chain_without_a_cycle_or_a_fresh_wait_is_no_deadlock() {
        let mut fresh = lock_wait(1, "src/bank.rs:21", 11, "src/bank.rs:20");
        if let Some(wait) = &mut fresh {
            wait.for_secs = 0.01;
        }
        let snapshot = Snapshot {
            threads: vec![
                thread(
                    11,
                    "a",
                    lock_wait(2, "src/bank.rs:21", 12, "src/bank.rs:20"),
                ),
                thread(12, "b", fresh),
            ],
        };
        assert!(diagnose(&snapshot, &unknown, true).is_empty());
    }

    #[test]
    fn a_condvar_wait_nobody_can_end_is_a_lost_wakeup() {
        let mut observer = thread(10, "test", None);
        observer.observer = true;
        let mut gone = thread(14, "consumer", None);
        gone.finished = true;
        let snapshot = Snapshot {
            threads: vec![
                thread(11, "producer", condvar_wait(3.0, false)),
                observer,
                gone,
            ],
        };
        let found = diagnose(&snapshot, &unknown, false);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with(
                "lost wakeup: thread `producer` has waited up to 3.0 s on condition variable \
                 #2 (created at src/queue.rs:45) at src/queue.rs:60, and no running thread"
            ),
            "{found:?}"
        );
    }

    #[test]
    fn threads_stuck_at_the_same_wait_make_one_sentence() {
        let snapshot = Snapshot {
            threads: (1..=5)
                .map(|tid| thread(tid, "", condvar_wait(f64::from(tid), false)))
                .collect(),
        };
        let found = diagnose(&snapshot, &unknown, false);
        assert_eq!(
            found,
            [
                "lost wakeup: 5 threads (an unnamed thread (id 1), an unnamed thread (id 2), an \
              unnamed thread (id 3), 2 more) have waited up to 5.0 s on condition variable #2 \
              (created at src/queue.rs:45) at src/queue.rs:60, and no running thread is left \
              to notify it. Does every change that can end this wait call notify_one or \
              notify_all?"
            ]
        );
    }

    #[test]
    fn a_thread_that_may_still_notify_means_no_lost_wakeup() {
        let waiting = thread(11, "producer", condvar_wait(3.0, false));
        let other = thread(12, "consumer", None);
        let snapshot = Snapshot {
            threads: vec![waiting.clone(), other],
        };
        // Nothing known of the consumer: it may still notify.
        assert!(diagnose(&snapshot, &unknown, false).is_empty());
        // Known to be blocked (say in a join): nobody can.
        assert_eq!(diagnose(&snapshot, &|_| Activity::Blocked, false).len(), 1);
        // A thread outside the record may still run.
        assert!(diagnose(&snapshot, &|_| Activity::Blocked, true).is_empty());
        // A short or timed wait is no lost wakeup.
        for wait in [condvar_wait(0.5, false), condvar_wait(3.0, true)] {
            let snapshot = Snapshot {
                threads: vec![thread(11, "producer", wait)],
            };
            assert!(diagnose(&snapshot, &unknown, false).is_empty());
        }
    }

    #[test]
    fn hostile_fields_are_cleaned_and_cut() {
        let mut wait = condvar_wait(f64::NAN, false);
        if let Some(wait) = &mut wait {
            wait.at = format!("src/x.rs:1\x1b[2J`{}", "y".repeat(500));
        }
        let capped = Snapshot {
            threads: vec![thread(1, "evil\nname`", wait); 100],
        }
        .capped();
        assert_eq!(capped.threads.len(), 64);
        let first = &capped.threads[0];
        assert_eq!(first.name.as_deref(), Some("evil?name?"));
        let wait = first.waits.as_ref().expect("a wait");
        assert_eq!(wait.at.chars().count(), FIELD_CAP);
        assert!(!wait.at.contains('\x1b') && !wait.at.contains('`'));
        assert_eq!(wait.for_secs, 0.0);
    }
}
