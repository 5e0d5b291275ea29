//! Hidden tests of src/timeout.rs: `run_with_timeout` returns at the right moment.

use std::panic;
use std::thread;
use std::time::{Duration, Instant};

use join_all::{WaitError, run_with_timeout};

#[test]
fn returns_as_soon_as_the_task_is_done() {
    threadlings_harness::graded(|| {
        let start = Instant::now();
        let result = run_with_timeout(Duration::from_secs(5), || {
            thread::sleep(Duration::from_millis(50));
            "done"
        });
        let elapsed = start.elapsed();
        assert_eq!(
            result,
            Ok("done"),
            "the task finishes after 50 ms, limit 5 s"
        );
        assert!(
            elapsed < Duration::from_secs(1),
            "the task finished after 50 ms but run_with_timeout returned after {elapsed:?}: \
             return as soon as the task is done, do not sleep for the whole limit (5 s)"
        );
    });
}

#[test]
fn times_out_soon_after_the_limit() {
    threadlings_harness::graded(|| {
        let limit = Duration::from_millis(200);
        let start = Instant::now();
        let result = run_with_timeout(limit, || {
            thread::sleep(Duration::from_secs(4));
            "too late"
        });
        let elapsed = start.elapsed();
        assert_eq!(
            result,
            Err(WaitError::TimedOut),
            "the task sleeps 4 s, the limit is 200 ms"
        );
        assert!(
            elapsed >= limit,
            "run_with_timeout gave up after {elapsed:?}, before the limit of {limit:?}"
        );
        assert!(
            elapsed < Duration::from_millis(600),
            "with a limit of 200 ms run_with_timeout returned after {elapsed:?}: it must give \
             up right after the limit, without joining the slow task"
        );
    });
}

#[test]
fn a_panicking_task_gives_its_message() {
    threadlings_harness::graded(|| {
        let limit = Duration::from_secs(5);
        let start = Instant::now();
        let result = run_with_timeout(limit, || -> u32 {
            thread::sleep(Duration::from_millis(30));
            panic!("a &str message")
        });
        let elapsed = start.elapsed();
        assert_eq!(
            result,
            Err(WaitError::Panicked("a &str message".to_owned())),
            "the task panicked with a &str"
        );
        assert!(
            elapsed < Duration::from_secs(1),
            "the task panicked after 30 ms but run_with_timeout returned after {elapsed:?}: \
             report the panic as soon as it happens, do not sleep for the whole limit (5 s)"
        );

        let attempt = 3;
        let result = run_with_timeout(limit, move || -> u32 {
            panic!("a String message, attempt {attempt}")
        });
        assert_eq!(
            result,
            Err(WaitError::Panicked(
                "a String message, attempt 3".to_owned()
            )),
            "the task panicked with a String built at run time"
        );

        let result = run_with_timeout(limit, || -> u32 { panic::panic_any(404_u16) });
        assert_eq!(
            result,
            Err(WaitError::Panicked("<non-string panic>".to_owned())),
            "a payload that is neither &str nor String gives \"<non-string panic>\" \
             (crate::panic_message does this)"
        );
    });
}
