//! Waiting with a time limit.
//!
//! `JoinHandle::join` has no time limit: it blocks until the thread is done,
//! however long that takes. To stop waiting after a while, let the thread send
//! its result through a channel and wait on the channel with a limit instead.

// Parameters stay unused until you write the bodies; delete this line when you are done.
#![allow(unused_variables)]

use std::time::Duration;

use crate::WaitError;

/// Runs `task` on a new thread and waits for it at most `limit`.
///
/// - The task finished in time: `Ok(its value)`, returned as soon as it is done
///   (do not sleep for the whole `limit`).
/// - The task panicked: `Err(WaitError::Panicked(its message))`, as soon as it
///   panicked (see [`crate::panic_message`]).
/// - `limit` ran out first: `Err(WaitError::TimedOut)`, right after the limit.
///   The task cannot be stopped; it keeps running detached.
pub fn run_with_timeout<T: Send + 'static>(
    limit: Duration,
    task: impl FnOnce() -> T + Send + 'static,
) -> Result<T, WaitError> {
    todo!()
}
