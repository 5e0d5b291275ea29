//! Performance tier: `BoundedQueue` against `crossbeam_channel::bounded`, same
//! capacity, same threads, measured in one run (5 alternated runs each, medians
//! compared).
//!
//! The design target for the reference is "within 3x of crossbeam". On a loaded
//! 2-core machine the ratio of the reference swings between about 2x and 20x:
//! crossbeam spins briefly before it parks a thread, which pays off when the
//! threads share a core, while a Condvar queue always sleeps in the kernel. So
//! the test reports the ratio with `note` and fails only far outside it (slower
//! than 40x), which still catches a queue that sleeps or polls instead of
//! waiting on a Condvar.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use producer_consumer::BoundedQueue;
use threadlings_harness::within;

const PRODUCERS: u64 = 2;
const CONSUMERS: usize = 2;
const CAPACITY: usize = 64;
const ITEMS: u64 = 50_000;
/// Each consumer takes exactly this many items, so the queue is never closed.
const ITEMS_PER_CONSUMER: u64 = PRODUCERS * ITEMS / CONSUMERS as u64;
/// The sum of every item sent: each producer sends 0..ITEMS.
const EXPECTED_SUM: u64 = PRODUCERS * ITEMS * (ITEMS - 1) / 2;
/// Fail only when the queue is this many times slower than crossbeam (medians).
const FAIL_ABOVE: f64 = 40.0;

/// How many times each side is measured.
const RUNS: usize = 5;

/// The middle value of `times`.
fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn time_queue() -> Duration {
    let start = Instant::now();
    let q = Arc::new(BoundedQueue::new(CAPACITY));
    let consumers: Vec<_> = (0..CONSUMERS)
        .map(|_| {
            let q = q.clone();
            thread::spawn(move || {
                let mut sum = 0u64;
                // Correctness is graded elsewhere: here a `None` before the end
                // is only retried, so that the test measures speed alone.
                let mut received = 0;
                while received < ITEMS_PER_CONSUMER {
                    if let Some(item) = q.get() {
                        sum += item;
                        received += 1;
                    }
                }
                sum
            })
        })
        .collect();
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|_| {
            let q = q.clone();
            thread::spawn(move || {
                for item in 0..ITEMS {
                    assert!(q.put(item).is_ok(), "put failed on an open queue");
                }
            })
        })
        .collect();
    for p in producers {
        p.join().unwrap();
    }
    let sum: u64 = consumers.into_iter().map(|c| c.join().unwrap()).sum();
    assert_eq!(
        sum, EXPECTED_SUM,
        "the consumers did not receive every item exactly once"
    );
    start.elapsed()
}

fn time_channel() -> Duration {
    let start = Instant::now();
    let (tx, rx) = crossbeam_channel::bounded(CAPACITY);
    let consumers: Vec<_> = (0..CONSUMERS)
        .map(|_| {
            let rx = rx.clone();
            thread::spawn(move || rx.iter().sum::<u64>())
        })
        .collect();
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|_| {
            let tx = tx.clone();
            thread::spawn(move || {
                for item in 0..ITEMS {
                    tx.send(item).unwrap();
                }
            })
        })
        .collect();
    drop(tx);
    for p in producers {
        p.join().unwrap();
    }
    let sum: u64 = consumers.into_iter().map(|c| c.join().unwrap()).sum();
    assert_eq!(sum, EXPECTED_SUM);
    start.elapsed()
}

#[test]
fn queue_throughput_compared_with_crossbeam() {
    threadlings_harness::graded(|| {
        let (mut queues, mut channels) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            queues.push(within(
                Duration::from_secs(20),
                &format!(
                    "moving {} items through the BoundedQueue",
                    PRODUCERS * ITEMS
                ),
                "a producer or consumer waits forever (a missed wakeup?)",
                time_queue,
            ));
            channels.push(time_channel());
        }
        let (queue, channel) = (median(queues), median(channels));
        let ratio = queue.as_secs_f64() / channel.as_secs_f64();
        threadlings_harness::note(format!(
            "BoundedQueue: {queue:?}, crossbeam_channel::bounded: {channel:?} for {} items \
             ({PRODUCERS} producers, {CONSUMERS} consumers, capacity {CAPACITY}), medians of {RUNS} runs: ratio {ratio:.2}x (design target: within 3x)",
            PRODUCERS * ITEMS
        ));
        assert!(
            ratio <= FAIL_ABOVE,
            "BoundedQueue moved {} items in {queue:?}, crossbeam_channel::bounded in {channel:?}: {ratio:.1}x slower, \
             more than {FAIL_ABOVE}x (medians of {RUNS} runs). Does the queue sleep or poll instead of waiting on a \
             Condvar, or hold the lock while sleeping?",
            PRODUCERS * ITEMS
        );
    });
}
