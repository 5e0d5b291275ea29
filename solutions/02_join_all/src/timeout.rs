//! Waiting with a time limit.
//!
//! `JoinHandle::join` has no time limit: it blocks until the thread is done,
//! however long that takes. To stop waiting after a while, let the thread send
//! its result through a channel and wait on the channel with a limit instead.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

use crate::WaitError;

/// Runs `task` on a new thread and waits for it at most `limit`.
///
/// `Ok(value)` as soon as the task is done, `Err(WaitError::Panicked(message))`
/// as soon as it panicked, `Err(WaitError::TimedOut)` once `limit` ran out (the
/// task then keeps running detached).
pub fn run_with_timeout<T: Send + 'static>(
    limit: Duration,
    task: impl FnOnce() -> T + Send + 'static,
) -> Result<T, WaitError> {
    let (sender, receiver) = mpsc::channel();
    let handle = thread::spawn(move || {
        let value = task();
        // The caller may have stopped waiting; then nobody wants the value.
        let _ = sender.send(value);
    });

    match receiver.recv_timeout(limit) {
        Ok(value) => Ok(value),
        Err(RecvTimeoutError::Timeout) => Err(WaitError::TimedOut),
        // The sender was dropped without sending: the task panicked. The thread
        // is unwinding, so this join returns at once with the panic payload.
        Err(RecvTimeoutError::Disconnected) => match handle.join() {
            Err(payload) => Err(WaitError::Panicked(crate::panic_message(payload))),
            Ok(()) => unreachable!("the task thread ended without sending its value"),
        },
    }
}
