#![cfg(feature = "model-check")]
//! Model-checking tier: shuttle runs small queue scenarios under thousands of
//! thread interleavings. A failure prints the schedule that broke the queue and
//! the command that replays exactly that interleaving. The checker's lock rule
//! (checker/lock_rule/clippy.toml) makes sure queue.rs locks only with
//! `crate::sync`: a test fails before it runs when queue.rs names another lock.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use producer_consumer::BoundedQueue;
use shuttle::scheduler::{PctScheduler, RandomScheduler, Scheduler};
use shuttle::sync::Arc;
use shuttle::{Config, FailurePersistence, MaxSteps, Runner, thread};

const TOPIC: &str = "05_producer_consumer";
/// Environment variable through which `cargo xtask check --replay` passes a schedule.
const REPLAY_ENV: &str = "THREADLINGS_REPLAY";
/// Explorations run one at a time: shuttle's failure report is process-wide.
static EXPLORING: Mutex<()> = Mutex::new(());

/// The newest schedule file shuttle wrote into `dir`.
fn newest_schedule(dir: &Path) -> Option<String> {
    let newest = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .max()?
        .1;
    // Shuttle wraps a long schedule over several lines; the replay command
    // needs it in one piece.
    let text = std::fs::read_to_string(newest).ok()?;
    Some(text.split_whitespace().collect())
}

/// Shuttle's settings: the scenarios take a few hundred steps, a spinning
/// lock is stopped quickly, and shuttle's own warnings stay quiet.
fn config() -> Config {
    let mut config = Config::new();
    config.max_steps = MaxSteps::FailAfter(50_000);
    config.silence_warnings = true;
    config
}

/// Explores `scenario` under a random and a PCT scheduler, both seeded, or replays
/// the schedule in `THREADLINGS_REPLAY`. A failing interleaving panics with the
/// schedule and the command that replays it.
fn explore(test: &str, what: &str, scenario: fn()) {
    let _one_at_a_time = EXPLORING.lock().unwrap_or_else(|e| e.into_inner());

    if let Ok(schedule) = std::env::var(REPLAY_ENV) {
        // Copied from a terminal, the schedule may be wrapped or quoted.
        let schedule: String = schedule.split_whitespace().collect();
        let schedule = schedule.trim_matches('\'').trim_matches('"').to_owned();
        let result = panic::catch_unwind(AssertUnwindSafe(|| shuttle::replay(scenario, &schedule)));
        if let Err(payload) = result {
            let message = threadlings_harness::payload_text(payload.as_ref());
            let diverged = [
                "schedule ended early",
                "scheduled task is not runnable",
                "expected context switch",
                "expected random choice",
                "invalid schedule",
            ]
            .iter()
            .any(|m| message.contains(m));
            if diverged {
                panic!(
                    "{what}: the schedule '{schedule}' does not fit this code. A schedule replays only the \
                     exact code that printed it: the queue has changed since (or the schedule was mistyped). \
                     Run the test without --replay to explore the current code."
                );
            }
            let _timeline =
                threadlings_harness::model::schedule_timeline(scenario, &schedule, config());
            panic!("{what}: the replayed schedule fails: {message}\nschedule: '{schedule}'");
        }
        threadlings_harness::note("the replayed schedule passed");
        return;
    }

    let dir: PathBuf =
        std::env::temp_dir().join(format!("threadlings-shuttle-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("cannot create a directory for shuttle's schedules");
    let mut exploring = config();
    exploring.failure_persistence = FailurePersistence::File(Some(dir.clone()));

    let schedulers: Vec<(&str, Box<dyn Scheduler + Send>)> = vec![
        ("random", Box::new(RandomScheduler::new_from_seed(5, 2_000))),
        ("PCT", Box::new(PctScheduler::new_from_seed(5, 3, 2_000))),
    ];
    for (name, scheduler) in schedulers {
        let runner = Runner::new(scheduler, exploring.clone());
        let result = panic::catch_unwind(AssertUnwindSafe(|| runner.run(scenario)));
        if let Err(payload) = result {
            let schedule =
                newest_schedule(&dir).unwrap_or_else(|| "<schedule not recorded>".into());
            let _ = std::fs::remove_dir_all(&dir);
            let _timeline =
                threadlings_harness::model::schedule_timeline(scenario, &schedule, config());
            panic!(
                "{what}: shuttle's {name} scheduler found an interleaving that breaks the queue:\n  {}\n\
                 A deadlock here means a lost wakeup: a thread waits on a condition variable that \
                 nobody will notify again. Usual causes: one Condvar shared by putters and getters \
                 with notify_one (it can wake the wrong side), a missing notify after put or get, or \
                 an `if` instead of a `while` around wait.\nfailing schedule: '{schedule}'\n\
                 replay it with: cargo xtask check {TOPIC} --test {test} --replay '{schedule}'",
                threadlings_harness::payload_text(payload.as_ref())
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Two producers put two items each through a queue of capacity 1 to two consumers.
fn two_producers_two_consumers() {
    let q = Arc::new(BoundedQueue::new(1));
    let closed = Arc::new(AtomicBool::new(false));
    let producers: Vec<_> = (0..2)
        .map(|p| {
            let q = q.clone();
            thread::spawn(move || {
                for i in 0..2 {
                    assert!(
                        q.put((p, i)).is_ok(),
                        "put failed although the queue was open"
                    );
                    assert!(q.len() <= 1, "len() went above the capacity 1");
                }
            })
        })
        .collect();
    let consumers: Vec<_> = (0..2)
        .map(|_| {
            let (q, closed) = (q.clone(), closed.clone());
            thread::spawn(move || {
                let mut got = Vec::new();
                while let Some(item) = q.get() {
                    got.push(item);
                }
                assert!(
                    closed.load(Ordering::SeqCst),
                    "get returned None while the queue was still open"
                );
                got
            })
        })
        .collect();
    for p in producers {
        p.join().unwrap();
    }
    closed.store(true, Ordering::SeqCst);
    q.close();
    let mut all = Vec::new();
    for c in consumers {
        let got = c.join().unwrap();
        for p in 0..2 {
            let mine: Vec<_> = got
                .iter()
                .filter(|(q, _)| *q == p)
                .map(|(_, i)| *i)
                .collect();
            assert!(
                mine.windows(2).all(|w| w[0] < w[1]),
                "a consumer got producer {p}'s items out of order: {mine:?}"
            );
        }
        all.extend(got);
    }
    all.sort();
    assert_eq!(
        all,
        vec![(0, 0), (0, 1), (1, 0), (1, 1)],
        "every item must come out exactly once"
    );
}

/// Two putters wait on a full queue and two getters on an empty one; close wakes them all.
fn close_wakes_everyone() {
    let full = Arc::new(BoundedQueue::new(1));
    full.put(0).unwrap();
    let empty = Arc::new(BoundedQueue::<u32>::new(1));
    let mut waiters = Vec::new();
    for i in 1..=2 {
        let full = full.clone();
        waiters.push(thread::spawn(move || {
            assert!(
                full.put(i).is_err(),
                "put succeeded on a full queue that got closed"
            )
        }));
        let empty = empty.clone();
        waiters.push(thread::spawn(move || {
            assert_eq!(
                empty.get(),
                None,
                "get on a closed, empty queue must return None"
            )
        }));
    }
    full.close();
    empty.close();
    for w in waiters {
        w.join().unwrap();
    }
}

#[test]
fn model_two_producers_two_consumers_capacity_one() {
    threadlings_harness::graded(|| {
        explore(
            "model_two_producers_two_consumers_capacity_one",
            "2 producers and 2 consumers through a queue of capacity 1",
            two_producers_two_consumers,
        );
    });
}

#[test]
fn model_close_wakes_every_waiter() {
    threadlings_harness::graded(|| {
        explore(
            "model_close_wakes_every_waiter",
            "close() with 2 putters waiting on a full queue and 2 getters on an empty one",
            close_wakes_everyone,
        );
    });
}

#[test]
fn queue_takes_its_locks_from_crate_sync() {
    threadlings_harness::graded(|| {
        // Where the locks come from is the checker's lock rule: it fails this test
        // before it runs when queue.rs names another lock (see the manifest's
        // model_files). Here: the queue runs under the model checker, on one thread.
        shuttle::check_random(
            || {
                let q = BoundedQueue::new(2);
                assert_eq!(q.put(1), Ok(()), "put into an empty queue must succeed");
                assert_eq!(
                    q.try_put(2),
                    Ok(()),
                    "try_put into a queue with room must succeed"
                );
                assert_eq!(q.len(), 2, "len() after two puts");
                assert_eq!(q.get(), Some(1), "get must return the oldest item");
                q.close();
                assert_eq!(q.get(), Some(2), "a closed queue must still be drained");
                assert_eq!(
                    q.get(),
                    None,
                    "get on a closed, empty queue must return None"
                );
            },
            1,
        );
    });
}
