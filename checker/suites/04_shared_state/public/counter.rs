//! Public tests of `src/counter.rs`: both counters count exactly, alone and under contention.

use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use shared_state::{AtomicCounter, LockedCounter, SharedCounter};

/// Threads hammering one counter at the same time.
const THREADS: u64 = 8;
/// `add(1)` calls per thread.
const ADDS_PER_THREAD: u64 = 50_000;
/// How long to keep hammering new counters: a lost update is a matter of
/// timing, so one round could miss it (a correct counter never loses one).
const HAMMER_FOR: Duration = Duration::from_secs(1);

/// Adds 1 to `counter` `ADDS_PER_THREAD` times on each of `THREADS` threads
/// that all start together; returns what `get` says afterwards.
fn hammer(counter: &impl SharedCounter) -> u64 {
    let start = Barrier::new(THREADS as usize);
    thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                start.wait();
                for _ in 0..ADDS_PER_THREAD {
                    counter.add(1);
                }
            });
        }
    });
    counter.get()
}

/// Checks `new`, `add` and `get` on one thread.
fn counts_on_one_thread(name: &str, counter: &impl SharedCounter) {
    assert_eq!(counter.get(), 0, "a new {name} must start at 0");
    counter.add(5);
    assert_eq!(counter.get(), 5, "{name}: after add(5) get() should be 5");
    counter.add(0);
    counter.add(37);
    assert_eq!(
        counter.get(),
        42,
        "{name}: after add(5), add(0), add(37) get() should be 42"
    );
}

#[test]
fn locked_counter_counts_on_one_thread() {
    threadlings_harness::graded(|| {
        counts_on_one_thread("LockedCounter", &LockedCounter::new());
    });
}

#[test]
fn atomic_counter_counts_on_one_thread() {
    threadlings_harness::graded(|| {
        counts_on_one_thread("AtomicCounter", &AtomicCounter::new());
    });
}

#[test]
fn locked_counter_loses_no_update() {
    threadlings_harness::graded(|| {
        let expected = THREADS * ADDS_PER_THREAD;
        let began = Instant::now();
        while began.elapsed() < HAMMER_FOR {
            let got = hammer(&LockedCounter::new());
            assert_eq!(
                got,
                expected,
                "{THREADS} threads each called add(1) {ADDS_PER_THREAD} times on one LockedCounter, \
             so get() should be {expected}, but it is {got}: {} updates were lost. Does add hold \
             the lock from the read to the write (one `lock()`, one guard), or does it let go \
             in between?",
                expected.abs_diff(got)
            );
        }
    });
}

#[test]
fn atomic_counter_loses_no_update() {
    threadlings_harness::graded(|| {
        let expected = THREADS * ADDS_PER_THREAD;
        let began = Instant::now();
        while began.elapsed() < HAMMER_FOR {
            let got = hammer(&AtomicCounter::new());
            assert_eq!(
                got,
                expected,
                "{THREADS} threads each called add(1) {ADDS_PER_THREAD} times on one AtomicCounter, \
             so get() should be {expected}, but it is {got}: {} updates were lost. A `load` \
             followed by a `store` is two steps; `fetch_add` is one.",
                expected.abs_diff(got)
            );
        }
    });
}
