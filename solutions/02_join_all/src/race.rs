//! A race: start every task, take the first one to succeed, leave the rest running.
//!
//! A Rust thread cannot be killed from outside. When the winner is known, the
//! other threads simply keep running on their own ("detached"): dropping a
//! `JoinHandle` does not stop its thread, it only means nobody will join it.

use std::sync::mpsc;
use std::thread;

use crate::Task;

/// Starts every task on its own thread and returns as soon as the first one
/// finishes without panicking: `Some((its index in tasks, its value))`.
///
/// The other tasks keep running detached. `None` when `tasks` is empty or every
/// task panicked.
pub fn first_of<T: Send + 'static>(tasks: Vec<Task<T>>) -> Option<(usize, T)> {
    let (sender, receiver) = mpsc::channel();
    for (index, task) in tasks.into_iter().enumerate() {
        let sender = sender.clone();
        thread::spawn(move || {
            let value = task();
            // Once the winner is taken the receiver is gone and later sends fail:
            // those results are simply thrown away.
            let _ = sender.send((index, value));
        });
    }
    // Keep no sender here: when every task has panicked (each dropping its
    // sender while unwinding), `recv` sees the channel closed and returns `Err`.
    drop(sender);
    receiver.recv().ok()
}
