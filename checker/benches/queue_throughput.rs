//! Benchmark: the reference `BoundedQueue` (solutions/05_producer_consumer)
//! against `crossbeam_channel::bounded`, same capacity and threads, measured
//! alternately in one run, built with the optimised bench profile.
//!
//! Run with `cargo bench -p checker --bench queue_throughput`; the results are
//! recorded in BENCHMARKS.md (the design target: within 3x of crossbeam).

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// The reference queue, compiled here as it is in the topic crate: it takes its
/// locks from `crate::sync` and its error types from the crate root.
#[path = "../../solutions/05_producer_consumer/src/queue.rs"]
#[allow(dead_code)] // the benchmark calls only `new`, `put` and `get`
mod queue;

/// What `crate::sync` is in the topic crate outside model checking.
mod sync {
    pub use std::sync::{Condvar, Mutex, MutexGuard};
}

pub use producer_consumer::{Closed, TryPutError};

use queue::BoundedQueue;

/// Items each producer sends.
const ITEMS: u64 = 100_000;
/// Alternated measurements of each side; medians are compared.
const RUNS: usize = 7;

/// One configuration: producers, consumers, capacity.
#[derive(Clone, Copy)]
struct Shape {
    producers: u64,
    consumers: u64,
    capacity: usize,
}

impl Shape {
    /// The sum of every item sent: each producer sends `0..ITEMS`.
    fn expected_sum(self) -> u64 {
        self.producers * ITEMS * (ITEMS - 1) / 2
    }

    /// How many items each consumer takes (the total divides evenly in every shape).
    fn per_consumer(self) -> u64 {
        self.producers * ITEMS / self.consumers
    }
}

/// Moves every item through a `BoundedQueue`; returns the time it took.
fn time_queue(shape: Shape) -> Duration {
    let start = Instant::now();
    let queue = Arc::new(BoundedQueue::new(shape.capacity));
    let consumers: Vec<_> = (0..shape.consumers)
        .map(|_| {
            let queue = Arc::clone(&queue);
            thread::spawn(move || {
                (0..shape.per_consumer())
                    .map(|_| queue.get().expect("the queue is never closed"))
                    .sum::<u64>()
            })
        })
        .collect();
    let producers: Vec<_> = (0..shape.producers)
        .map(|_| {
            let queue = Arc::clone(&queue);
            thread::spawn(move || {
                for item in 0..ITEMS {
                    assert!(queue.put(item).is_ok(), "the queue is never closed");
                }
            })
        })
        .collect();
    finish(producers, consumers, shape);
    start.elapsed()
}

/// Moves every item through a `crossbeam_channel::bounded`; returns the time it took.
fn time_channel(shape: Shape) -> Duration {
    let start = Instant::now();
    let (sender, receiver) = crossbeam_channel::bounded(shape.capacity);
    let consumers: Vec<_> = (0..shape.consumers)
        .map(|_| {
            let receiver = receiver.clone();
            thread::spawn(move || {
                (0..shape.per_consumer())
                    .map(|_| receiver.recv().expect("the channel is never closed"))
                    .sum::<u64>()
            })
        })
        .collect();
    let producers: Vec<_> = (0..shape.producers)
        .map(|_| {
            let sender = sender.clone();
            thread::spawn(move || {
                for item in 0..ITEMS {
                    sender.send(item).expect("the channel is never closed");
                }
            })
        })
        .collect();
    finish(producers, consumers, shape);
    start.elapsed()
}

/// Joins every thread and checks that each item arrived exactly once.
fn finish(
    producers: Vec<thread::JoinHandle<()>>,
    consumers: Vec<thread::JoinHandle<u64>>,
    shape: Shape,
) {
    for producer in producers {
        producer.join().expect("a producer panicked");
    }
    let sum: u64 = consumers
        .into_iter()
        .map(|consumer| consumer.join().expect("a consumer panicked"))
        .sum();
    assert_eq!(sum, shape.expected_sum(), "items were lost or duplicated");
}

/// The middle value of `times`.
fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let shapes = [
        Shape {
            producers: 1,
            consumers: 1,
            capacity: 64,
        },
        Shape {
            producers: 2,
            consumers: 2,
            capacity: 64,
        },
        Shape {
            producers: 4,
            consumers: 4,
            capacity: 64,
        },
        Shape {
            producers: 2,
            consumers: 2,
            capacity: 1,
        },
    ];
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    println!("BoundedQueue (reference) vs crossbeam_channel::bounded, {ITEMS} items per producer,");
    println!("medians of {RUNS} alternated runs, {cores} cores");
    println!();
    println!("| producers x consumers, capacity | BoundedQueue | crossbeam | ratio |");
    println!("|---|---:|---:|---:|");
    for shape in shapes {
        let (mut queue, mut channel) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            queue.push(time_queue(shape));
            channel.push(time_channel(shape));
        }
        let (queue, channel) = (median(queue), median(channel));
        println!(
            "| {} x {}, {} | {:.1} ms | {:.1} ms | {:.2}x |",
            shape.producers,
            shape.consumers,
            shape.capacity,
            queue.as_secs_f64() * 1e3,
            channel.as_secs_f64() * 1e3,
            queue.as_secs_f64() / channel.as_secs_f64()
        );
    }
}
