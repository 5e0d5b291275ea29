//! Hidden tests of `Runtime` and `Shutdown`: nested spawns, the grace period,
//! waking sleeping daemons, completion order, daemon bookkeeping and real threads.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use daemon_threads::{Runtime, Shutdown, Summary};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use threadlings_harness::timeline::Watch;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// What the test's own closures saw happen, in order: (thread, event). If a
/// check fails, the checker draws it (one lane per thread, the events the
/// failure is about highlighted). Only the test writes to it.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<(String, String)>>>);

impl Log {
    /// Appends `label` (`Returned t2`) to the lane of `thread`.
    fn note(&self, thread: &str, label: impl Into<String>) {
        let mut events = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        events.push((thread.to_owned(), label.into()));
    }

    /// The events so far, and a [`Watch`] of them for the checks that follow.
    fn watch(&self) -> (Vec<(String, String)>, Watch) {
        let events = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut watch = Watch::new();
        for (thread, label) in &events {
            watch.event(thread.as_str(), label.as_str());
        }
        (events, watch)
    }
}

/// The position of the first event `label` in `events`.
fn position(events: &[(String, String)], label: &str) -> Option<usize> {
    events.iter().position(|(_, l)| l == label)
}

/// A daemon body that ignores shutdown and never returns.
fn stubborn(_shutdown: Shutdown) {
    loop {
        thread::sleep(ms(20));
    }
}

/// A daemon body that returns as soon as shutdown is signalled.
fn polite(shutdown: Shutdown) {
    while !shutdown.sleep(ms(5)) {}
}

#[test]
fn finish_waits_for_threads_spawned_through_clones() {
    threadlings_harness::graded(|| {
        let runtime = Runtime::new();
        let grandchild_done = Arc::new(AtomicBool::new(false));
        let log = Log::default();

        let for_parent = runtime.clone();
        let flag = Arc::clone(&grandchild_done);
        let parent_log = log.clone();
        runtime.spawn("parent", move || {
            thread::sleep(ms(100));
            let for_child = for_parent.clone();
            let child_log = parent_log.clone();
            parent_log.note("parent", "Spawned child");
            for_parent.spawn("child", move || {
                thread::sleep(ms(200));
                let grandchild_log = child_log.clone();
                child_log.note("child", "Spawned grandchild");
                for_child.spawn("grandchild", move || {
                    thread::sleep(ms(200));
                    flag.store(true, Ordering::SeqCst);
                    grandchild_log.note("grandchild", "Returned grandchild");
                });
                child_log.note("child", "Returned child");
            });
            parent_log.note("parent", "Returned parent");
        });

        let summary = runtime.finish(ms(100));
        log.note("test", "finish() returned");

        // If the check fails, the picture highlights finish() returning, and the
        // latest spawn before it (a thread still running then).
        let (events, mut timeline) = log.watch();
        if let Some(at) = position(&events, "finish() returned") {
            timeline.at(at);
        }
        if let Some(at) = events.iter().rposition(|(_, l)| l.starts_with("Spawned")) {
            timeline.also(at);
        }
        assert!(
            grandchild_done.load(Ordering::SeqCst),
            "finish() returned before \"grandchild\" was done. \"parent\" spawned \"child\" \
             100 ms after finish() was called, and \"child\" spawned \"grandchild\", each \
             through a clone of the Runtime: finish() must wait until no ordinary thread is \
             running at all, not only for the threads that existed when it was called \
             (summary.finished: {:?})",
            summary.finished
        );
        timeline.done();
        assert_eq!(
            summary.finished,
            ["parent", "child", "grandchild"],
            "each thread returned about 200 ms after the previous one, so summary.finished \
             must list them in that order"
        );
    });
}

#[test]
fn finish_never_misses_a_child_spawned_as_its_parent_returns() {
    threadlings_harness::graded(|| {
        for round in 1..=50 {
            let runtime = Runtime::new();
            let child_done = Arc::new(AtomicBool::new(false));
            let for_parent = runtime.clone();
            let flag = Arc::clone(&child_done);
            runtime.spawn("parent", move || {
                // The parent's very last action: spawn a child, then return at once.
                for_parent.spawn("child", move || {
                    thread::sleep(ms(10));
                    flag.store(true, Ordering::SeqCst);
                });
            });

            let summary = runtime.finish(Duration::ZERO);

            assert!(
                child_done.load(Ordering::SeqCst),
                "round {round}: finish() returned before \"child\" was done. \"parent\" \
                 spawned it through a clone as its very last action: finish() must wait for \
                 threads spawned by other threads too, and the count of running threads must \
                 never drop to zero in between (count a thread in spawn() itself, before it \
                 starts) (summary.finished: {:?})",
                summary.finished
            );
        }
    });
}

#[test]
fn finish_gives_up_on_a_stubborn_daemon_after_grace() {
    threadlings_harness::graded(|| {
        let runtime = Runtime::new();
        runtime.spawn_daemon("stubborn", stubborn);
        runtime.spawn_daemon("polite", polite);
        let grace = ms(400);

        let started = Instant::now();
        let summary = runtime.finish(grace);
        let elapsed = started.elapsed();

        assert!(
            elapsed >= ms(360),
            "finish({grace:?}) returned after {elapsed:?} although the daemon \"stubborn\" \
             ignores shutdown: it must wait up to the whole grace period for daemons to stop"
        );
        assert!(
            elapsed < grace + ms(1500),
            "finish({grace:?}) took {elapsed:?} with one daemon that never stops: it must give \
             up on daemons once `grace` is over"
        );
        assert_eq!(
            (summary.daemons_stopped, summary.daemons_abandoned),
            (1, 1),
            "\"polite\" stops at once and \"stubborn\" never stops, so expected 1 stopped and 1 \
             abandoned daemon"
        );
    });
}

#[test]
fn shutdown_sleep_wakes_early_when_signalled() {
    threadlings_harness::graded(|| {
        let runtime = Runtime::new();
        let (tx, rx) = mpsc::channel();
        runtime.spawn_daemon("sleeper", move |shutdown| {
            let started = Instant::now();
            let first = shutdown.sleep(secs(20));
            let first_took = started.elapsed();
            let started = Instant::now();
            let second = shutdown.sleep(secs(20));
            let second_took = started.elapsed();
            tx.send((first, first_took, second, second_took)).unwrap();
        });
        runtime.spawn("worker", || thread::sleep(ms(100)));

        let started = Instant::now();
        let summary = runtime.finish(secs(3));
        let elapsed = started.elapsed();

        assert_eq!(
            (summary.daemons_stopped, summary.daemons_abandoned),
            (1, 0),
            "the daemon was still inside shutdown.sleep(20 s) when the 3 s grace ran out: \
             Shutdown::sleep must wake up as soon as shutdown is signalled (a Condvar's \
             wait_timeout can be woken up, thread::sleep cannot)"
        );
        assert!(
            elapsed < secs(2),
            "finish() took {elapsed:?} for a 100 ms worker and a daemon sleeping in \
             shutdown.sleep(20 s): the daemon's sleep must end as soon as shutdown is signalled"
        );
        let (first, first_took, second, second_took) = rx
            .recv_timeout(secs(2))
            .expect("the daemon never reported back from its two sleeps");
        assert!(
            first && first_took < secs(2),
            "shutdown.sleep(20 s) returned {first} after {first_took:?}; expected true, soon \
             after the 100 ms worker finished"
        );
        assert!(
            second && second_took < ms(500),
            "shutdown.sleep(20 s) called after shutdown was signalled returned {second} after \
             {second_took:?}; expected true at once"
        );
    });
}

#[test]
fn shutdown_sleep_lasts_its_full_time_until_signalled() {
    threadlings_harness::graded(|| {
        let runtime = Runtime::new();
        let (tx, rx) = mpsc::channel();
        runtime.spawn_daemon("napper", move |shutdown| {
            let set_at_start = shutdown.is_set();
            let started = Instant::now();
            let woke_by_signal = shutdown.sleep(ms(200));
            let took = started.elapsed();
            while !shutdown.sleep(ms(10)) {}
            tx.send((set_at_start, woke_by_signal, took, shutdown.is_set()))
                .unwrap();
        });
        runtime.spawn("worker", || thread::sleep(ms(700)));
        let summary = runtime.finish(secs(3));

        let (set_at_start, woke_by_signal, took, set_at_end) = rx
            .recv_timeout(secs(2))
            .expect("the daemon never reported back: did it stop when shutdown was signalled?");
        assert!(
            !set_at_start,
            "shutdown.is_set() was already true when the daemon started, while the 700 ms \
             worker was still running"
        );
        assert!(
            !woke_by_signal,
            "shutdown.sleep(200 ms) returned true while the 700 ms worker was still running: it \
             must return false when the time ran out without a shutdown signal"
        );
        assert!(
            took >= ms(190) && took < ms(600),
            "shutdown.sleep(200 ms) without a signal took {took:?}: it must sleep the whole \
             200 ms (and not much longer)"
        );
        assert!(
            set_at_end,
            "after shutdown.sleep returned true, shutdown.is_set() was false"
        );
        assert_eq!(
            summary.daemons_stopped, 1,
            "the daemon stopped when shutdown was signalled, so it counts as stopped"
        );
    });
}

#[test]
fn shutdown_is_signalled_only_after_ordinary_threads_finish() {
    threadlings_harness::graded(|| {
        let runtime = Runtime::new();
        let slow_done = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel();
        let log = Log::default();
        {
            let slow_done = Arc::clone(&slow_done);
            let log = log.clone();
            runtime.spawn_daemon("watcher", move |shutdown| {
                while !shutdown.sleep(ms(5)) {}
                log.note("watcher", "Saw shutdown");
                tx.send(slow_done.load(Ordering::SeqCst)).unwrap();
            });
        }
        {
            let slow_done = Arc::clone(&slow_done);
            let log = log.clone();
            runtime.spawn("slow", move || {
                thread::sleep(ms(300));
                slow_done.store(true, Ordering::SeqCst);
                log.note("slow", "Returned slow");
            });
        }

        // The grace (100 ms) is shorter than the ordinary thread (300 ms): it only
        // limits the wait for daemons, never the wait for ordinary threads.
        let summary = runtime.finish(ms(100));
        log.note("test", "finish() returned");

        // If a check fails, the picture highlights the event it is about.
        let (events, mut timeline) = log.watch();
        if let Some(at) = position(&events, "finish() returned") {
            timeline.at(at);
        }
        assert!(
            slow_done.load(Ordering::SeqCst),
            "finish(100 ms) returned before the 300 ms ordinary thread was done: `grace` only \
             limits the wait for daemons"
        );
        let slow_was_done = rx
            .recv_timeout(secs(3))
            .expect("the daemon never saw shutdown signalled");
        // The watcher has logged by now (it logs before it reports).
        drop(timeline);
        let (events, mut timeline) = log.watch();
        if let Some(at) = position(&events, "Saw shutdown") {
            timeline.at(at);
        }
        if let Some(at) = position(&events, "Returned slow") {
            timeline.also(at);
        }
        assert!(
            slow_was_done,
            "the daemon saw shutdown signalled while the ordinary thread \"slow\" was still \
             running: finish() must signal Shutdown only after every ordinary thread returned"
        );
        timeline.done();
        assert_eq!(summary.finished, ["slow"], "summary.finished");
        assert_eq!(
            summary.daemons_stopped + summary.daemons_abandoned,
            1,
            "one daemon was spawned: daemons_stopped + daemons_abandoned must be 1"
        );
    });
}

#[test]
fn finished_lists_threads_in_completion_order() {
    threadlings_harness::graded(|| {
        threadlings_harness::with_seeds(0..4, |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut order: Vec<usize> = (0..4).collect();
            order.shuffle(&mut rng);
            if order.is_sorted() {
                order.reverse();
            }

            // Thread order[k] waits for its turn, waits 100 ms more, hands the turn on to
            // order[k + 1] and returns: the threads return 100 ms apart, in `order`.
            let (turn_senders, turn_receivers): (Vec<_>, Vec<_>) =
                (0..order.len()).map(|_| mpsc::channel::<()>()).unzip();
            let mut turn_receivers: Vec<Option<mpsc::Receiver<()>>> =
                turn_receivers.into_iter().map(Some).collect();
            let mut position_of = vec![0; order.len()];
            for (position, &index) in order.iter().enumerate() {
                position_of[index] = position;
            }

            let log = Log::default();
            let runtime = Runtime::new();
            for (index, &position) in position_of.iter().enumerate() {
                let my_turn = turn_receivers[position].take().unwrap();
                let next_turn = turn_senders.get(position + 1).cloned();
                let log = log.clone();
                let name = format!("t{index}");
                let lane = name.clone();
                runtime.spawn(&name, move || {
                    my_turn.recv().unwrap();
                    thread::sleep(ms(100));
                    // The thread's last action, logged before the next one may start.
                    log.note(&lane, format!("Returned {lane}"));
                    if let Some(next_turn) = next_turn {
                        next_turn.send(()).unwrap();
                    }
                });
            }
            turn_senders[0].send(()).unwrap();
            let summary = runtime.finish(ms(100));
            for name in &summary.finished {
                log.note("test", format!("Listed {name}"));
            }

            let expected: Vec<String> = order.iter().map(|index| format!("t{index}")).collect();
            // If the check fails, the picture highlights the first thread listed out of
            // place: when it returned, and where summary.finished lists it.
            let (events, mut timeline) = log.watch();
            let misplaced = expected
                .iter()
                .enumerate()
                .find(|&(k, name)| summary.finished.get(k) != Some(name));
            if let Some((_, name)) = misplaced {
                if let Some(at) = position(&events, &format!("Returned {name}")) {
                    timeline.at(at);
                }
                if let Some(at) = position(&events, &format!("Listed {name}")) {
                    timeline.also(at);
                }
            }
            assert_eq!(
                summary.finished, expected,
                "threads were spawned as t0, t1, t2, t3 but returned 100 ms apart in the order \
                 {expected:?}: summary.finished must be in completion order (record each name \
                 when its thread ends, not when it is spawned or joined)"
            );
        });
    });
}

#[test]
fn daemon_counts_add_up() {
    threadlings_harness::graded(|| {
        let runtime = Runtime::new();
        runtime.spawn_daemon("quick-1", |_| {});
        runtime.spawn_daemon("quick-2", |_| {});
        runtime.spawn_daemon("polite-1", polite);
        runtime.spawn_daemon("polite-2", polite);
        runtime.spawn_daemon("faulty", |shutdown| {
            polite(shutdown);
            panic!("faulty daemon gave up");
        });
        runtime.spawn_daemon("stubborn-1", stubborn);
        runtime.spawn_daemon("stubborn-2", stubborn);
        runtime.spawn("worker", || thread::sleep(ms(100)));

        let summary = runtime.finish(ms(400));

        assert_eq!(
            (summary.daemons_stopped, summary.daemons_abandoned),
            (5, 2),
            "of 7 daemons, 2 return at once, 2 stop when shutdown is signalled, 1 panics then, \
             and 2 never stop: expected 5 stopped (returned or panicked before finish() \
             returned) and 2 abandoned; every daemon spawned counts exactly once"
        );
    });
}

#[test]
fn daemon_panics_are_reported() {
    threadlings_harness::graded(|| {
        let runtime = Runtime::new();
        runtime.spawn_daemon("early", |_| panic!("early daemon failure"));
        runtime.spawn_daemon("late", |shutdown| {
            polite(shutdown);
            let code = std::hint::black_box(7);
            panic!("late daemon failure {code}");
        });
        runtime.spawn("worker", || thread::sleep(ms(100)));

        let summary = runtime.finish(secs(3));

        let mut panicked = summary.panicked.clone();
        panicked.sort();
        let expected = vec![
            ("early".to_string(), "early daemon failure".to_string()),
            ("late".to_string(), "late daemon failure 7".to_string()),
        ];
        assert_eq!(
            panicked, expected,
            "panics of daemon threads belong in summary.panicked too, as (name, message), \
             whether they happen before or after shutdown is signalled"
        );
        assert_eq!(
            (summary.daemons_stopped, summary.daemons_abandoned),
            (2, 0),
            "a daemon that panicked has ended, so it counts as stopped"
        );
        assert_eq!(
            summary.finished,
            ["worker"],
            "summary.finished lists ordinary threads only"
        );
    });
}

#[test]
fn threads_are_real_os_threads_running_at_once() {
    threadlings_harness::graded(|| {
        let runtime = Runtime::new();
        let (tx, rx) = mpsc::channel();
        let names: Vec<String> = (0..5).map(|i| format!("sleeper-{i}")).collect();

        let started = Instant::now();
        for name in &names {
            let tx = tx.clone();
            runtime.spawn(name, move || {
                let me = thread::current();
                tx.send((me.name().map(String::from), me.id())).unwrap();
                thread::sleep(ms(300));
            });
        }
        let spawning_took = started.elapsed();
        runtime.spawn_daemon("daemon", move |shutdown| {
            let me = thread::current();
            tx.send((me.name().map(String::from), me.id())).unwrap();
            while !shutdown.sleep(ms(5)) {}
        });
        let summary = runtime.finish(secs(3));
        let elapsed = started.elapsed();

        assert!(
            spawning_took < ms(250),
            "five spawn() calls of threads sleeping 300 ms took {spawning_took:?}: spawn() must \
             start the thread and return at once, without waiting for it"
        );
        assert!(
            elapsed < ms(1000),
            "five threads sleeping 300 ms each took {elapsed:?} from the first spawn() to the \
             end of finish(): they must all run at the same time (about 300 ms), not one after \
             another (1.5 s)"
        );
        let reports: Vec<_> = rx.try_iter().collect();
        let mut seen_names: Vec<String> = reports
            .iter()
            .map(|(name, _)| name.clone().unwrap_or_else(|| "<unnamed>".into()))
            .collect();
        seen_names.sort();
        let mut expected_names = names.clone();
        expected_names.push("daemon".into());
        expected_names.sort();
        assert_eq!(
            seen_names, expected_names,
            "thread::current().name() inside each spawned thread must be the name given to \
             spawn or spawn_daemon"
        );
        let ids: HashSet<_> = reports.iter().map(|(_, id)| *id).collect();
        assert_eq!(
            ids.len(),
            reports.len(),
            "several spawned closures ran on the same thread: each one needs its own OS thread"
        );
        assert!(
            !ids.contains(&thread::current().id()),
            "a spawned closure ran on the caller's thread: spawn must start a new OS thread"
        );
        assert_eq!(
            summary.finished.len(),
            5,
            "summary.finished: {:?}",
            summary.finished
        );
    });
}

#[test]
fn finish_with_no_threads_returns_an_empty_summary() {
    threadlings_harness::graded(|| {
        let started = Instant::now();
        let summary = Runtime::new().finish(secs(5));
        let elapsed = started.elapsed();
        assert_eq!(
            summary,
            Summary::default(),
            "a runtime that never spawned anything must report an empty summary"
        );
        assert!(
            elapsed < secs(1),
            "finish(5 s) with no threads at all took {elapsed:?}: there is nothing to wait for"
        );
    });
}
