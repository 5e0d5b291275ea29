//! Public tests of `Runtime` and `Shutdown`: waiting for ordinary threads, stopping
//! daemons, thread names and panic reports.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use daemon_threads::Runtime;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Appends `event` to the lane of `thread` in a log the test owns.
fn note(log: &Mutex<Vec<(&'static str, &'static str)>>, thread: &'static str, event: &'static str) {
    log.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push((thread, event));
}

#[test]
fn finish_waits_for_ordinary_threads() {
    threadlings_harness::graded(|| {
        let runtime = Runtime::new();
        let names = ["short", "medium", "long"];
        let done: Arc<Vec<AtomicBool>> =
            Arc::new(names.iter().map(|_| AtomicBool::new(false)).collect());
        for (i, name) in names.iter().enumerate() {
            let done = Arc::clone(&done);
            runtime.spawn(name, move || {
                thread::sleep(ms(100 * (i as u64 + 1)));
                done[i].store(true, Ordering::SeqCst);
            });
        }

        let summary = runtime.finish(ms(100));

        for (i, name) in names.iter().enumerate() {
            assert!(
                done[i].load(Ordering::SeqCst),
                "finish() returned while the ordinary thread {name:?} (sleeping {} ms) was still \
                 running: finish() must wait until every thread started with spawn() has returned",
                100 * (i + 1)
            );
        }
        let mut finished = summary.finished.clone();
        finished.sort();
        assert_eq!(
            finished,
            ["long", "medium", "short"],
            "summary.finished must name every ordinary thread that returned (got {:?})",
            summary.finished
        );
        assert!(
            summary.panicked.is_empty(),
            "no thread panicked, yet summary.panicked is {:?}",
            summary.panicked
        );
        assert_eq!(
            (summary.daemons_stopped, summary.daemons_abandoned),
            (0, 0),
            "no daemon was spawned, so daemons_stopped and daemons_abandoned must both be 0"
        );
    });
}

#[test]
fn threads_carry_their_names() {
    threadlings_harness::graded(|| {
        let runtime = Runtime::new();
        let (tx, rx) = mpsc::channel();
        let test_thread = thread::current().id();

        let ordinary_tx = tx.clone();
        runtime.spawn("worker-1", move || {
            let me = thread::current();
            ordinary_tx
                .send(("worker-1", me.name().map(String::from), me.id()))
                .unwrap();
        });
        runtime.spawn_daemon("watcher", move |shutdown| {
            let me = thread::current();
            tx.send(("watcher", me.name().map(String::from), me.id()))
                .unwrap();
            while !shutdown.sleep(ms(5)) {}
        });
        runtime.finish(Duration::from_secs(3));

        let mut reports: Vec<_> = rx.try_iter().collect();
        reports.sort_by_key(|report| report.0);
        let expected = ["watcher", "worker-1"];
        assert_eq!(
            reports.iter().map(|report| report.0).collect::<Vec<_>>(),
            expected,
            "each spawned closure should have run exactly once before finish() returned"
        );
        for (expected_name, name, id) in reports {
            assert_eq!(
                name.as_deref(),
                Some(expected_name),
                "inside the thread spawned as {expected_name:?}, thread::current().name() was \
                 {name:?}: start a real named thread with std::thread::Builder::new().name(..)"
            );
            assert_ne!(
                id, test_thread,
                "the closure of {expected_name:?} ran on the caller's own thread: spawn must \
                 start a new OS thread"
            );
        }
    });
}

#[test]
fn daemon_is_asked_to_stop_when_ordinary_threads_are_done() {
    threadlings_harness::graded(|| {
        let runtime = Runtime::new();
        let ticks = Arc::new(AtomicUsize::new(0));
        let daemon_returned = Arc::new(AtomicBool::new(false));
        // What the threads saw happen, in order: (thread, event). If a check fails,
        // the checker draws it, the events the check is about highlighted.
        let log: Arc<Mutex<Vec<(&str, &str)>>> = Arc::default();

        let started = Instant::now();
        {
            let ticks = Arc::clone(&ticks);
            let daemon_returned = Arc::clone(&daemon_returned);
            let log = Arc::clone(&log);
            runtime.spawn_daemon("ticker", move |shutdown| {
                while !shutdown.sleep(ms(10)) {
                    ticks.fetch_add(1, Ordering::SeqCst);
                    note(&log, "ticker", "Tick");
                }
                daemon_returned.store(true, Ordering::SeqCst);
                note(&log, "ticker", "Returned ticker");
            });
        }
        {
            let log = Arc::clone(&log);
            runtime.spawn("worker", move || {
                thread::sleep(ms(200));
                note(&log, "worker", "Returned worker");
            });
        }
        let summary = runtime.finish(Duration::from_secs(5));
        let elapsed = started.elapsed();
        note(&log, "test", "finish() returned");

        let events = log.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let position = |label: &str| events.iter().position(|&(_, l)| l == label);
        let mut timeline = threadlings_harness::timeline::Watch::new();
        for &(thread, label) in &events {
            timeline.event(thread, label);
        }
        // The daemon ended before the worker: its return, and the worker's.
        if let Some(at) = position("Returned ticker") {
            timeline.at(at);
        }
        if let Some(at) = position("Returned worker") {
            timeline.also(at);
        }
        assert!(
            ticks.load(Ordering::SeqCst) > 0,
            "the daemon never completed a 10 ms tick while the 200 ms worker ran: \
             Shutdown::sleep returned true (or the daemon was not running) before finish() \
             signalled shutdown"
        );
        // finish() returned while the daemon was still running.
        if let Some(at) = position("finish() returned") {
            timeline.at(at);
        }
        assert!(
            daemon_returned.load(Ordering::SeqCst),
            "finish() returned before the daemon, which stops as soon as shutdown is \
             signalled, had returned: after signalling Shutdown, wait (up to `grace`) for \
             the daemons"
        );
        timeline.done();
        assert_eq!(
            (summary.daemons_stopped, summary.daemons_abandoned),
            (1, 0),
            "the daemon stopped within the 5 s grace, so it counts as stopped, not abandoned"
        );
        assert_eq!(summary.finished, ["worker"], "summary.finished");
        assert!(
            elapsed < Duration::from_secs(2),
            "a 200 ms worker and a daemon that stops at once took {elapsed:?} in all: finish() \
             must return as soon as every daemon has ended, not wait out the whole 5 s grace"
        );
    });
}

#[test]
fn panics_in_ordinary_threads_are_reported() {
    threadlings_harness::graded(|| {
        let runtime = Runtime::new();
        runtime.spawn("calm", || {});
        runtime.spawn("str-panic", || panic!("static message"));
        runtime.spawn("string-panic", || {
            // A value known only at run time, so the payload is a String, not a &str.
            let n = std::hint::black_box(42);
            panic!("computed message {n}");
        });
        runtime.spawn("other-panic", || std::panic::panic_any(42_u32));

        let summary = runtime.finish(ms(100));

        let mut panicked = summary.panicked.clone();
        panicked.sort();
        let expected: Vec<(String, String)> = [
            ("other-panic", "<non-string panic>"),
            ("str-panic", "static message"),
            ("string-panic", "computed message 42"),
        ]
        .iter()
        .map(|(name, message)| (name.to_string(), message.to_string()))
        .collect();
        assert_eq!(
            panicked, expected,
            "summary.panicked must hold (thread name, panic message) for each panicked thread; \
             the message is the payload's &str or String (downcast_ref both), else \
             \"<non-string panic>\""
        );
        assert_eq!(
            summary.finished,
            ["calm"],
            "summary.finished lists only the threads that returned normally, not those that \
             panicked"
        );
    });
}
