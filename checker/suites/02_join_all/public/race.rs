//! Public tests of src/race.rs: `first_of`.

use std::thread;
use std::time::Duration;

use join_all::{Task, first_of, task};

/// A task that sleeps `ms` milliseconds, then returns `value`.
fn sleeper(ms: u64, value: &'static str) -> Task<&'static str> {
    task(move || {
        thread::sleep(Duration::from_millis(ms));
        value
    })
}

#[test]
fn first_of_returns_the_first_finisher() {
    threadlings_harness::graded(|| {
        let tasks = vec![
            sleeper(600, "slow"),
            sleeper(50, "fast"),
            sleeper(400, "medium"),
        ];
        let winner = first_of(tasks);
        assert_eq!(
            winner,
            Some((1, "fast")),
            "tasks sleep 600, 50 and 400 ms: the first to finish is task 1; first_of must \
             return its index and its value"
        );
    });
}

#[test]
fn first_of_no_tasks_is_none() {
    threadlings_harness::graded(|| {
        let tasks: Vec<Task<u32>> = Vec::new();
        assert_eq!(
            first_of(tasks),
            None,
            "with no tasks there is no winner: first_of must return None (and not wait forever)"
        );
    });
}
