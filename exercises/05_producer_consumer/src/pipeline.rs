//! The lesson's `cp(c_count, p_count)`: producers and consumers joined by a
//! bounded channel (`crossbeam_channel::bounded(cfg.capacity)`), shut down in two ways.
//!
//! Rules both functions follow:
//! - panic when `producers`, `consumers` or `capacity` is 0, with a message that
//!   names the field (for example "consumers must be at least 1");
//! - producer `p` makes `items_per_producer` items named `crate::item_name(p, index)`,
//!   sleeping a random time in `[0, max_delay)` before each one; consumers sleep
//!   like that after each item they take; `max_delay` 0 means no sleeping. Seed the
//!   random numbers from `cfg.seed` and the worker's index (for example with
//!   `rand_chacha::ChaCha8Rng::seed_from_u64`);
//! - every thread logs to one shared `Vec<Event>` (behind a `Mutex`): `Produced` just
//!   before the send, `Consumed` just after the receive, `ConsumerDone` when a
//!   consumer stops. The log, in real order, is the returned `Report`.

// Parameters stay unused until you write the bodies; delete this line when you are done.
#![allow(unused_variables)]

use crate::{PipelineConfig, Report};

/// Producers, then one `None` per consumer once every producer has been joined.
///
/// The channel carries `Option<String>`: `Some(item)` is work, `None` is a poison
/// pill (毒丸) that tells one consumer to stop. Send one pill per consumer, and only
/// after joining every producer; then join the consumers.
pub fn run_with_poison_pills(cfg: &PipelineConfig) -> Report {
    todo!()
}

/// No sentinel: consumers stop when every sender has been dropped.
///
/// The channel carries `String`. A consumer's `for item in receiver` loop ends once
/// the channel is empty and no `Sender` is left, so drop every sender: each
/// producer's clone when it finishes, and the main thread's own.
pub fn run_with_disconnect(cfg: &PipelineConfig) -> Report {
    todo!()
}
