//! Public tests of src/timeout.rs: `run_with_timeout`.

use std::thread;
use std::time::{Duration, Instant};

use join_all::{WaitError, run_with_timeout};

#[test]
fn a_quick_task_gives_its_value() {
    threadlings_harness::graded(|| {
        let result = run_with_timeout(Duration::from_secs(2), || 6 * 7);
        assert_eq!(
            result,
            Ok(42),
            "the task returns 42 at once, well within the 2 s limit"
        );
    });
}

#[test]
fn a_slow_task_times_out() {
    threadlings_harness::graded(|| {
        let start = Instant::now();
        let result = run_with_timeout(Duration::from_millis(100), || {
            thread::sleep(Duration::from_secs(3));
            "too late"
        });
        let elapsed = start.elapsed();
        assert_eq!(
            result,
            Err(WaitError::TimedOut),
            "the task sleeps 3 s but the limit is 100 ms"
        );
        assert!(
            elapsed < Duration::from_secs(1),
            "with a limit of 100 ms, run_with_timeout returned after {elapsed:?}: it must stop \
             waiting once the limit has passed, not join the slow task"
        );
    });
}
