//! Public tests of `start_counter` (src/stop.rs).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use thread_basics::start_counter;

#[test]
fn counter_stops_when_asked() {
    threadlings_harness::graded(|| {
        let stop = Arc::new(AtomicBool::new(false));
        let handle = start_counter(Arc::clone(&stop));
        thread::sleep(Duration::from_millis(100));
        stop.store(true, Ordering::Relaxed);
        let count = handle.join().expect("the counter thread panicked");
        assert!(
            count > 0,
            "the counter ran for 100 ms before being asked to stop, yet returned a count of 0: \
             does it add 1 on every loop iteration and return its count?"
        );
    });
}
