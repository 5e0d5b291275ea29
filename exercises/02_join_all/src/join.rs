//! Wait for all threads: keep every handle, then join each one.
//!
//! `thread::spawn` returns at once (starting is non-blocking), so spawning many
//! threads takes almost no time. `JoinHandle::join` blocks until its thread is
//! done. Spawn *every* task first and only then join the handles: the tasks then
//! run at the same time, and waiting for all of them takes as long as the
//! slowest one, not as long as all of them added together.

// Parameters stay unused until you write the bodies; delete this line when you are done.
#![allow(unused_variables)]

use crate::Task;

/// Runs every task on its own thread and returns their results in task order.
///
/// Build it like this:
/// 1. spawn one thread per task and keep its `JoinHandle` in a `Vec`;
/// 2. only when every task has been spawned, join the handles one after the other;
/// 3. collect the values in the order of `tasks` (not in the order they finished).
///
/// If tasks panicked, do not give up at the first one: join *every* handle first,
/// then re-raise the first panic in task order with `std::panic::resume_unwind`,
/// passing on the original payload unchanged.
pub fn join_all<T: Send + 'static>(tasks: Vec<Task<T>>) -> Vec<T> {
    todo!()
}

/// Like [`join_all`], but never panics: each task gives `Ok(its value)`, or
/// `Err(its panic message)` if it panicked (use [`crate::panic_message`]).
///
/// The results are in task order, and every task runs at the same time as the
/// others, just as in `join_all`.
pub fn join_all_settled<T: Send + 'static>(tasks: Vec<Task<T>>) -> Vec<Result<T, String>> {
    todo!()
}
