//! A race: start every task, take the first one to succeed, leave the rest running.
//!
//! A Rust thread cannot be killed from outside. When the winner is known, the
//! other threads simply keep running on their own ("detached"): dropping a
//! `JoinHandle` does not stop its thread, it only means nobody will join it.

// Parameters stay unused until you write the bodies; delete this line when you are done.
#![allow(unused_variables)]

use crate::Task;

/// Starts every task on its own thread and returns as soon as the first one
/// finishes without panicking: `Some((its index in tasks, its value))`.
///
/// Do not wait for the other tasks: they keep running detached and their
/// results are thrown away. A task that panics does not win; the race goes on
/// with the others. Returns `None` when `tasks` is empty or every task panicked.
///
/// A channel (`std::sync::mpsc`) is the natural tool: each thread sends
/// `(index, value)` when it is done, and the caller waits for the first message.
pub fn first_of<T: Send + 'static>(tasks: Vec<Task<T>>) -> Option<(usize, T)> {
    todo!()
}
