//! Hidden tests of `src/counter.rs`: random amounts, big values, reads during writes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shared_state::{AtomicCounter, LockedCounter, SharedCounter};

/// Each of 8 threads adds 50 000 seeded random amounts; returns (expected sum, what `get` says).
fn random_adds(counter: &impl SharedCounter, seed: u64) -> (u64, u64) {
    const THREADS: u64 = 8;
    let start = Barrier::new(THREADS as usize);
    let expected: u64 = thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let start = &start;
                scope.spawn(move || {
                    let mut rng = ChaCha8Rng::seed_from_u64(seed * 100 + t);
                    let amounts: Vec<u64> =
                        (0..5_000).map(|_| rng.random_range(0..1_000)).collect();
                    start.wait();
                    for &n in &amounts {
                        counter.add(n);
                    }
                    amounts.iter().sum::<u64>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    (expected, counter.get())
}

#[test]
fn counters_add_random_amounts_exactly() {
    threadlings_harness::graded(|| {
        // New seeds for about a second: a lost update is a matter of timing.
        let began = Instant::now();
        threadlings_harness::with_seeds(0..1_000, |seed| {
            if seed > 2 && began.elapsed() > Duration::from_secs(1) {
                return;
            }
            let (expected, got) = random_adds(&LockedCounter::new(), seed);
            assert_eq!(
                got, expected,
                "LockedCounter: 8 threads added random amounts summing to {expected}, but get() \
                 says {got}. add(n) must add n (not 1) and hold the lock while it does."
            );
            let (expected, got) = random_adds(&AtomicCounter::new(), seed);
            assert_eq!(
                got, expected,
                "AtomicCounter: 8 threads added random amounts summing to {expected}, but get() \
                 says {got}. add(n) must add n (not 1) in one atomic step."
            );
        });
    });
}

#[test]
fn counters_hold_values_past_u32() {
    threadlings_harness::graded(|| {
        let big = u64::from(u32::MAX) * 1_000;
        for (name, counter) in [
            ("LockedCounter", &LockedCounter::new() as &dyn SharedCounter),
            ("AtomicCounter", &AtomicCounter::new()),
        ] {
            counter.add(big);
            counter.add(big);
            assert_eq!(
                counter.get(),
                2 * big,
                "{name}: add({big}) twice should give {}; is the value a u64?",
                2 * big
            );
        }
    });
}

/// Reads `get` on one thread while two others add; every value read must be
/// between 0 and the final total, and never smaller than the previous read.
fn reads_never_go_backwards(name: &str, counter: Arc<dyn SharedCounter + Send>) {
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (counter, done) = (Arc::clone(&counter), Arc::clone(&done));
        thread::spawn(move || {
            let mut last = 0;
            loop {
                let finished = done.load(Ordering::Acquire);
                let now = counter.get();
                if now < last {
                    return Err(format!("get() returned {last}, then later {now}"));
                }
                last = now;
                if finished {
                    return Ok(last);
                }
            }
        })
    };
    let writers: Vec<_> = (0..2)
        .map(|_| {
            let counter = Arc::clone(&counter);
            thread::spawn(move || {
                for _ in 0..50_000 {
                    counter.add(1);
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    done.store(true, Ordering::Release);
    match reader.join().unwrap() {
        Ok(last) => assert_eq!(
            last, 100_000,
            "{name}: after 2 threads added 1 50 000 times each, get() said {last} instead of 100000"
        ),
        Err(what) => panic!(
            "{name}: while 2 threads only ever added, {what}: the counter went backwards. \
             Is a write based on an old read (updates lost)?"
        ),
    }
}

#[test]
fn counters_never_go_backwards_while_others_add() {
    threadlings_harness::graded(|| {
        // A stale write is a matter of timing: new counters for about a second.
        let began = Instant::now();
        while began.elapsed() < Duration::from_secs(1) {
            reads_never_go_backwards("LockedCounter", Arc::new(LockedCounter::new()));
            reads_never_go_backwards("AtomicCounter", Arc::new(AtomicCounter::new()));
        }
    });
}
