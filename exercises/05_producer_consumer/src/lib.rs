//! Topic 05: the producer–consumer model (生产者消费者模型).
//!
//! Producers make items, consumers use them, and a bounded queue sits in between
//! so that neither side has to wait for the other item by item. You write:
//!
//! - [`queue`]: [`BoundedQueue`], a blocking queue built from a `Mutex` and `Condvar`s;
//! - [`pipeline`]: the lesson's `cp(c_count, p_count)` program, shut down with
//!   poison pills and with Rust's own way, dropping the senders;
//! - [`crawler`]: a web crawler (爬虫), the model's classic use.
//!
//! Everything in this file is given: the data types the tests use.

// No `unsafe` in this crate, your files included, so the compiler rules out memory bugs (`forbid`: no file can undo it).
#![forbid(unsafe_code)]

pub mod crawler;
pub mod pipeline;
pub mod queue;
pub mod sync;

pub use crawler::crawl;
pub use pipeline::{run_with_disconnect, run_with_poison_pills};
pub use queue::BoundedQueue;

use std::time::Duration;

/// The error of [`BoundedQueue::put`]: the queue was closed, so the item comes back.
#[derive(Debug, PartialEq, Eq)]
pub struct Closed<T>(pub T);

/// The error of [`BoundedQueue::try_put`]; the item comes back in both cases.
///
/// When the queue is both closed and full, the answer is `Closed`: closed wins over full.
#[derive(Debug, PartialEq, Eq)]
pub enum TryPutError<T> {
    /// The queue holds `capacity` items already.
    Full(T),
    /// The queue was closed; no item will ever be accepted again.
    Closed(T),
}

/// How to run a pipeline: how many workers on each side, how much work, how slow.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    /// Number of producer threads (at least 1).
    pub producers: usize,
    /// Number of consumer threads (at least 1).
    pub consumers: usize,
    /// How many items each producer makes.
    pub items_per_producer: usize,
    /// Capacity of the channel between the two sides (at least 1).
    pub capacity: usize,
    /// Upper bound of the random sleeps (a producer before each item, a consumer
    /// after each item); zero means no sleeping at all.
    pub max_delay: Duration,
    /// Seed of the random sleeps.
    pub seed: u64,
}

/// One entry of a pipeline's event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Logged by producer `producer` just before it sends `item`.
    Produced {
        /// Index of the producer, `0..producers`.
        producer: usize,
        /// The item, named by [`item_name`].
        item: String,
    },
    /// Logged by consumer `consumer` just after it received `item`.
    Consumed {
        /// Index of the consumer, `0..consumers`.
        consumer: usize,
        /// The item, as it was sent.
        item: String,
    },
    /// Logged by consumer `consumer` when it stops, after its last `Consumed`.
    ConsumerDone {
        /// Index of the consumer, `0..consumers`.
        consumer: usize,
    },
}

/// What a pipeline run did: one log shared by every thread, in the real order of events.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Every event of the run, in the order the threads logged them.
    pub events: Vec<Event>,
}

/// The name of item number `index` made by producer `producer`, as in the lesson:
/// producer `wusir1` making its fourth bowl of swill is `"wusir1-泔水3"`.
pub fn item_name(producer: usize, index: usize) -> String {
    format!("wusir{producer}-泔水{index}")
}
