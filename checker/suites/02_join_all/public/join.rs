//! Public tests of src/join.rs: `join_all` and `join_all_settled`.

use std::panic::{self, AssertUnwindSafe};
use std::thread;
use std::time::{Duration, Instant};

use join_all::{Task, join_all, join_all_settled, task};

#[test]
fn results_come_back_in_task_order() {
    threadlings_harness::graded(|| {
        let tasks: Vec<Task<u32>> = (0..5).map(|i| task(move || i * 10)).collect();
        let results = join_all(tasks);
        assert_eq!(
            results,
            vec![0, 10, 20, 30, 40],
            "join_all must return one result per task, in the order of the tasks"
        );
    });
}

#[test]
fn tasks_run_concurrently() {
    threadlings_harness::graded(|| {
        let tasks: Vec<Task<usize>> = (0..10)
            .map(|i| {
                task(move || {
                    thread::sleep(Duration::from_millis(100));
                    i
                })
            })
            .collect();
        let start = Instant::now();
        let results = join_all(tasks);
        let elapsed = start.elapsed();
        assert_eq!(results.len(), 10, "expected one result per task");
        assert!(
            elapsed < Duration::from_millis(600),
            "10 tasks sleeping 100 ms took {elapsed:?} in join_all, but running at the same \
             time they need about 100 ms: were they joined one by one? Spawn every task first, \
             then join the handles"
        );
    });
}

#[test]
fn a_panicking_task_panics_the_caller() {
    threadlings_harness::graded(|| {
        let tasks: Vec<Task<u32>> = vec![task(|| 1), task(|| panic!("task 1 failed")), task(|| 3)];
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| join_all(tasks)));
        let payload = match outcome {
            Ok(results) => {
                panic!("task 1 panicked, so join_all must panic too, but it returned {results:?}")
            }
            Err(payload) => payload,
        };
        assert_eq!(
            payload.downcast_ref::<&str>(),
            Some(&"task 1 failed"),
            "join_all must re-raise the task's own panic (std::panic::resume_unwind with its \
             payload), not a panic of its own"
        );
    });
}

#[test]
fn settled_gives_a_result_per_task() {
    threadlings_harness::graded(|| {
        let tasks: Vec<Task<u32>> = vec![task(|| 1), task(|| panic!("task 1 failed")), task(|| 3)];
        let results = join_all_settled(tasks);
        assert_eq!(
            results,
            vec![Ok(1), Err("task 1 failed".to_owned()), Ok(3)],
            "join_all_settled must give Ok(value) for each task that returned and Err(panic \
             message) for each task that panicked, in task order"
        );
    });
}
