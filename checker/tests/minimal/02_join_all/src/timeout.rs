//! Minimal `timeout.rs`: the value through a channel, the panic through the handle.

use std::any::Any;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

use crate::WaitError;

/// A panic payload's `&str` or `String`, else `"<non-string panic>"`.
fn message_of(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => match payload.downcast::<&str>() {
            Ok(text) => (*text).to_owned(),
            Err(_) => "<non-string panic>".to_owned(),
        },
    }
}

/// Runs `task` on a new thread and waits at most `limit`; returns as soon as it is done.
pub fn run_with_timeout<T: Send + 'static>(
    limit: Duration,
    task: impl FnOnce() -> T + Send + 'static,
) -> Result<T, WaitError> {
    let (sender, receiver) = mpsc::sync_channel(1);
    let handle = thread::spawn(move || {
        let value = task();
        let _ = sender.send(value);
    });
    match receiver.recv_timeout(limit) {
        Ok(value) => Ok(value),
        Err(RecvTimeoutError::Timeout) => Err(WaitError::TimedOut),
        // The sender was dropped without a value: the task panicked (the thread is
        // unwinding, so joining it takes no time).
        Err(RecvTimeoutError::Disconnected) => match handle.join() {
            Err(payload) => Err(WaitError::Panicked(message_of(payload))),
            Ok(()) => Err(WaitError::Panicked("<non-string panic>".to_owned())),
        },
    }
}
