//! Hidden tests of src/race.rs: `first_of` returns early and skips panics.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use join_all::{Task, first_of, task};

/// A task that sleeps `ms` milliseconds, then returns `value`.
fn sleeper(ms: u64, value: u32) -> Task<u32> {
    task(move || {
        thread::sleep(Duration::from_millis(ms));
        value
    })
}

#[test]
fn first_of_returns_early() {
    threadlings_harness::graded(|| {
        let tasks = vec![
            sleeper(2000, 0),
            sleeper(2000, 1),
            sleeper(50, 2),
            sleeper(2000, 3),
        ];
        let start = Instant::now();
        let winner = first_of(tasks);
        let elapsed = start.elapsed();
        assert_eq!(winner, Some((2, 2)), "task 2 (50 ms) finishes first");
        assert!(
            elapsed < Duration::from_secs(1),
            "the first task finished after 50 ms while the others sleep 2 s, yet first_of \
             returned after {elapsed:?}: it must return as soon as the first task is done, \
             without joining the others"
        );
    });
}

#[test]
fn first_of_skips_panicked_tasks() {
    threadlings_harness::graded(|| {
        let tasks: Vec<Task<u32>> = vec![
            task(|| panic!("task 0 fails at once")),
            sleeper(150, 1),
            task(|| panic!("task 2 fails at once")),
            sleeper(400, 3),
        ];
        assert_eq!(
            first_of(tasks),
            Some((1, 1)),
            "tasks 0 and 2 panic at once, task 1 returns after 150 ms: a panicked task does not \
             win, so first_of must wait for task 1"
        );
    });
}

#[test]
fn first_of_all_panicking_is_none() {
    threadlings_harness::graded(|| {
        let tasks: Vec<Task<u32>> = (0..3u64)
            .map(|i| {
                task(move || {
                    thread::sleep(Duration::from_millis(30 * i));
                    panic!("task {i} fails")
                })
            })
            .collect();
        let start = Instant::now();
        let winner = panic::catch_unwind(AssertUnwindSafe(|| first_of(tasks)));
        let elapsed = start.elapsed();
        match winner {
            Ok(winner) => assert_eq!(
                winner, None,
                "every task panicked, so there is no winner: first_of must return None"
            ),
            Err(_) => panic!(
                "every task panicked: first_of must return None, not panic (a panicked task \
                 just does not win)"
            ),
        }
        assert!(
            elapsed < Duration::from_secs(2),
            "every task had panicked within 60 ms, yet first_of returned after {elapsed:?}: it \
             should notice at once that no task is left"
        );
    });
}

#[test]
fn the_other_tasks_keep_running() {
    threadlings_harness::graded(|| {
        // Every task counts itself as finished; the slower ones must still get
        // to run to the end after first_of has returned.
        let finished = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<Task<u32>> = [400, 30, 300, 200]
            .into_iter()
            .enumerate()
            .map(|(i, ms)| {
                let finished = Arc::clone(&finished);
                task(move || {
                    thread::sleep(Duration::from_millis(ms));
                    finished.fetch_add(1, Ordering::SeqCst);
                    i as u32
                })
            })
            .collect();
        assert_eq!(
            first_of(tasks),
            Some((1, 1)),
            "task 1 (30 ms) finishes first"
        );
        let deadline = Instant::now() + Duration::from_secs(3);
        while finished.load(Ordering::SeqCst) < 4 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        let done = finished.load(Ordering::SeqCst);
        assert_eq!(
            done, 4,
            "3 s after first_of returned only {done} of 4 tasks (sleeping at most 400 ms) had \
             finished: every task must be started, and the losers keep running detached"
        );
    });
}
