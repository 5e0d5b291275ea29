//! Hidden tests of src/join.rs: order, concurrency, and how panics travel.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use join_all::{Task, join_all, join_all_settled, task};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Runs `join_all` and returns the payload it panicked with, or fails the test.
fn panic_of<T: Send + std::fmt::Debug + 'static>(
    tasks: Vec<Task<T>>,
    what: &str,
) -> Box<dyn Any + Send> {
    match panic::catch_unwind(AssertUnwindSafe(|| join_all(tasks))) {
        Ok(results) => panic!("{what}, so join_all must panic, but it returned {results:?}"),
        Err(payload) => payload,
    }
}

/// The text of a payload, for messages.
fn describe(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        format!("the &str {text:?}")
    } else if let Some(text) = payload.downcast_ref::<String>() {
        format!("the String {text:?}")
    } else {
        "a payload that is neither &str nor String".to_owned()
    }
}

#[test]
fn no_tasks_give_no_results() {
    threadlings_harness::graded(|| {
        let tasks: Vec<Task<u8>> = Vec::new();
        assert_eq!(
            join_all(tasks),
            Vec::<u8>::new(),
            "join_all of no tasks is empty"
        );
        let tasks: Vec<Task<u8>> = Vec::new();
        assert_eq!(
            join_all_settled(tasks),
            Vec::<Result<u8, String>>::new(),
            "join_all_settled of no tasks is empty"
        );
    });
}

#[test]
fn results_keep_task_order_when_later_tasks_finish_first() {
    threadlings_harness::graded(|| {
        threadlings_harness::with_seeds(0..5, |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            // Task 0 sleeps longest, so tasks finish roughly in reverse order,
            // with a little seeded jitter.
            let tasks: Vec<Task<String>> = (0..8u64)
                .map(|i| {
                    let ms = (8 - i) * 15 + rng.random_range(0..10u64);
                    task(move || {
                        thread::sleep(Duration::from_millis(ms));
                        format!("task {i}")
                    })
                })
                .collect();
            let expected: Vec<String> = (0..8).map(|i| format!("task {i}")).collect();
            assert_eq!(
                join_all(tasks),
                expected,
                "results must be in task order, not in the order the tasks finished"
            );
        });
    });
}

#[test]
fn every_task_starts_before_any_is_joined() {
    threadlings_harness::graded(|| {
        // Each task waits (up to 1 s) until all 3 tasks have started. If join_all
        // spawns them all first, they see each other at once; if it spawns,
        // joins, spawns, joins..., each task waits alone.
        let started = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<Task<usize>> = (0..3)
            .map(|_| {
                let started = Arc::clone(&started);
                task(move || {
                    started.fetch_add(1, Ordering::SeqCst);
                    let deadline = Instant::now() + Duration::from_secs(1);
                    while started.load(Ordering::SeqCst) < 3 && Instant::now() < deadline {
                        thread::sleep(Duration::from_millis(1));
                    }
                    started.load(Ordering::SeqCst)
                })
            })
            .collect();
        let seen = join_all(tasks);
        assert!(
            seen.iter().all(|&n| n == 3),
            "each task waited up to 1 s for all 3 tasks to be running, but they saw only \
             {seen:?} tasks started: were the tasks spawned and joined one by one? Spawn every \
             task before joining any"
        );
    });
}

#[test]
fn a_panic_is_raised_only_after_every_task_finished() {
    threadlings_harness::graded(|| {
        let slow_done = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&slow_done);
        let tasks: Vec<Task<u32>> = vec![
            task(|| panic!("task 0 fails at once")),
            task(move || {
                thread::sleep(Duration::from_millis(300));
                flag.store(true, Ordering::SeqCst);
                1
            }),
        ];
        let payload = panic_of(tasks, "task 0 panicked");
        assert!(
            slow_done.load(Ordering::SeqCst),
            "join_all panicked with {} before task 1 (sleeping 300 ms) had finished: join every \
             task first, then re-raise the first panic",
            describe(payload.as_ref())
        );
    });
}

#[test]
fn the_first_panic_in_task_order_is_raised() {
    threadlings_harness::graded(|| {
        let late = 3;
        let tasks: Vec<Task<u32>> = vec![
            task(|| 0),
            // Task 1 panics last (after 200 ms) but comes first in task order.
            task(move || {
                thread::sleep(Duration::from_millis(200));
                panic!("task 1 failed after {late} tries")
            }),
            task(|| panic!("task 2 failed at once")),
            task(|| panic!("task 3 failed at once")),
        ];
        let payload = panic_of(tasks, "tasks 1, 2 and 3 panicked");
        assert_eq!(
            payload.downcast_ref::<String>().map(String::as_str),
            Some("task 1 failed after 3 tries"),
            "tasks 1, 2 and 3 panicked (task 1 last in time): join_all must re-raise task 1's \
             panic, the first in task order, with its original String payload; it raised {}",
            describe(payload.as_ref())
        );
    });
}

#[test]
fn the_original_payload_is_raised() {
    threadlings_harness::graded(|| {
        let tasks: Vec<Task<u32>> = vec![task(|| panic!("a &str payload"))];
        let payload = panic_of(tasks, "the task panicked");
        assert_eq!(
            payload.downcast_ref::<&str>(),
            Some(&"a &str payload"),
            "a task that panics with a &str must make join_all panic with that same &str \
             (resume_unwind with the payload from join); it raised {}",
            describe(payload.as_ref())
        );

        let code = 7 * 6;
        let tasks: Vec<Task<u32>> = vec![task(move || panic!("error code {code}"))];
        let payload = panic_of(tasks, "the task panicked");
        assert_eq!(
            payload.downcast_ref::<String>().map(String::as_str),
            Some("error code 42"),
            "a task that panics with a String must make join_all panic with that same String; \
             it raised {}",
            describe(payload.as_ref())
        );

        let tasks: Vec<Task<u32>> = vec![task(|| panic::panic_any(404_u16))];
        let payload = panic_of(tasks, "the task panicked");
        assert_eq!(
            payload.downcast_ref::<u16>(),
            Some(&404),
            "a task that panics with panic_any(404_u16) must make join_all panic with that same \
             u16 payload, unchanged; it raised {}",
            describe(payload.as_ref())
        );
    });
}

#[test]
fn settled_gives_each_panic_message() {
    threadlings_harness::graded(|| {
        let attempt = 2;
        let tasks: Vec<Task<&str>> = vec![
            task(|| "fine"),
            task(|| panic!("a &str message")),
            task(move || panic!("a String message, attempt {attempt}")),
            task(|| panic::panic_any(404_u16)),
            task(|| "also fine"),
        ];
        let results = join_all_settled(tasks);
        assert_eq!(
            results,
            vec![
                Ok("fine"),
                Err("a &str message".to_owned()),
                Err("a String message, attempt 2".to_owned()),
                Err("<non-string panic>".to_owned()),
                Ok("also fine"),
            ],
            "join_all_settled must give Err(message) for each panicked task: the &str or String \
             payload, else \"<non-string panic>\" (crate::panic_message does this)"
        );
    });
}

#[test]
fn settled_waits_for_every_task_and_never_panics() {
    threadlings_harness::graded(|| {
        let finished = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<Task<u32>> = (0..4u32)
            .map(|i| {
                let finished = Arc::clone(&finished);
                task(move || {
                    thread::sleep(Duration::from_millis(50 * u64::from(i)));
                    finished.fetch_add(1, Ordering::SeqCst);
                    panic!("task {i} always fails")
                })
            })
            .collect();
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| join_all_settled(tasks)));
        let results = match outcome {
            Ok(results) => results,
            Err(payload) => panic!(
                "join_all_settled must never panic, but it panicked with {}",
                describe(payload.as_ref())
            ),
        };
        let expected: Vec<Result<u32, String>> = (0..4)
            .map(|i| Err(format!("task {i} always fails")))
            .collect();
        assert_eq!(
            results, expected,
            "every task panicked, each gives Err(its message)"
        );
        assert_eq!(
            finished.load(Ordering::SeqCst),
            4,
            "join_all_settled returned before every task had finished"
        );
    });
}

#[test]
fn settled_tasks_run_concurrently() {
    threadlings_harness::graded(|| {
        let tasks: Vec<Task<usize>> = (0..10)
            .map(|i| {
                task(move || {
                    thread::sleep(Duration::from_millis(100));
                    if i == 4 {
                        panic!("task 4 fails after its sleep");
                    }
                    i
                })
            })
            .collect();
        let start = Instant::now();
        let results = join_all_settled(tasks);
        let elapsed = start.elapsed();
        assert_eq!(results.len(), 10, "expected one result per task");
        assert!(
            elapsed < Duration::from_millis(600),
            "10 tasks sleeping 100 ms took {elapsed:?} in join_all_settled, but running at the \
             same time they need about 100 ms: were they joined one by one? Spawn every task \
             first, then join the handles"
        );
    });
}
