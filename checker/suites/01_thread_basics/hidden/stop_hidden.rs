//! Hidden tests of `start_counter` (src/stop.rs): it runs on its own thread,
//! keeps running until asked, and stops promptly once asked.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use thread_basics::start_counter;

/// Sets `stop` when dropped, so a failing assertion never leaves a counter running.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

#[test]
fn start_counter_returns_at_once() {
    threadlings_harness::graded(|| {
        let stop = Arc::new(AtomicBool::new(false));
        let _guard = StopOnDrop(Arc::clone(&stop));
        let (sender, receiver) = mpsc::channel();
        let flag = Arc::clone(&stop);
        thread::spawn(move || {
            let handle = start_counter(flag);
            let _ = sender.send(handle);
        });
        let handle = receiver.recv_timeout(Duration::from_secs(1)).unwrap_or_else(|_| {
            panic!(
                "start_counter did not return within 1 s while the stop flag was unset: it must \
                 start a thread and return its JoinHandle at once, not run the loop itself"
            )
        });
        stop.store(true, Ordering::Relaxed);
        handle.join().expect("the counter thread panicked");
    });
}

#[test]
fn counter_keeps_running_until_stop_is_set() {
    threadlings_harness::graded(|| {
        let stop = Arc::new(AtomicBool::new(false));
        let _guard = StopOnDrop(Arc::clone(&stop));
        let handle = start_counter(Arc::clone(&stop));
        thread::sleep(Duration::from_millis(300));
        assert!(
            !handle.is_finished(),
            "the counter thread finished within 300 ms although the stop flag was never set: \
             it must keep counting until asked to stop"
        );
        stop.store(true, Ordering::Relaxed);
        let count = handle.join().expect("the counter thread panicked");
        assert!(
            count > 0,
            "the counter ran for 300 ms but returned a count of 0"
        );
    });
}

#[test]
fn counter_stops_promptly() {
    threadlings_harness::graded(|| {
        let stop = Arc::new(AtomicBool::new(false));
        let _guard = StopOnDrop(Arc::clone(&stop));
        let handle = start_counter(Arc::clone(&stop));
        thread::sleep(Duration::from_millis(200));
        stop.store(true, Ordering::Relaxed);
        let asked = Instant::now();
        // Wait for the end without blocking forever on a counter that ignores the flag.
        let deadline = asked + Duration::from_secs(3);
        while !handle.is_finished() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(1));
        }
        let took = asked.elapsed();
        assert!(
            took < Duration::from_millis(500),
            "the counter took {took:?} to return after the stop flag was set (expected within \
             50 ms; the test allows 500 ms): check the flag on every iteration and never sleep \
             long between two checks"
        );
        let count = handle.join().expect("the counter thread panicked");
        assert!(
            count > 0,
            "the counter ran for 200 ms but returned a count of 0"
        );
    });
}

#[test]
fn counters_have_their_own_flags() {
    threadlings_harness::graded(|| {
        let first_stop = Arc::new(AtomicBool::new(false));
        let second_stop = Arc::new(AtomicBool::new(false));
        let _first_guard = StopOnDrop(Arc::clone(&first_stop));
        let _second_guard = StopOnDrop(Arc::clone(&second_stop));
        let first = start_counter(Arc::clone(&first_stop));
        let second = start_counter(Arc::clone(&second_stop));
        thread::sleep(Duration::from_millis(100));

        first_stop.store(true, Ordering::Relaxed);
        let first_count = first.join().expect("the first counter thread panicked");
        thread::sleep(Duration::from_millis(100));
        assert!(
            !second.is_finished(),
            "stopping one counter also stopped another one whose flag was never set: each \
             counter must watch the flag it was given"
        );
        second_stop.store(true, Ordering::Relaxed);
        let second_count = second.join().expect("the second counter thread panicked");
        assert!(
            first_count > 0 && second_count > 0,
            "both counters ran for at least 100 ms, yet returned {first_count} and {second_count}"
        );
    });
}
