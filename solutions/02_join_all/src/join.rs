//! Wait for all threads: keep every handle, then join each one.
//!
//! `thread::spawn` returns at once (starting is non-blocking), so spawning many
//! threads takes almost no time. `JoinHandle::join` blocks until its thread is
//! done. Spawn *every* task first and only then join the handles: the tasks then
//! run at the same time, and waiting for all of them takes as long as the
//! slowest one, not as long as all of them added together.

use std::panic;
use std::thread::{self, JoinHandle};

use crate::Task;

/// Runs every task on its own thread and returns their results in task order.
///
/// Every task is spawned before any is joined. If tasks panicked, every handle
/// is still joined first; then the first panic in task order is re-raised in the
/// caller with its original payload.
pub fn join_all<T: Send + 'static>(tasks: Vec<Task<T>>) -> Vec<T> {
    let handles = spawn_all(tasks);

    let mut results = Vec::with_capacity(handles.len());
    let mut first_panic = None;
    for handle in handles {
        match handle.join() {
            Ok(value) => results.push(value),
            // Remember only the first panic, and keep joining the others.
            Err(payload) => {
                if first_panic.is_none() {
                    first_panic = Some(payload);
                }
            }
        }
    }

    if let Some(payload) = first_panic {
        panic::resume_unwind(payload);
    }
    results
}

/// Like [`join_all`], but never panics: each task gives `Ok(its value)`, or
/// `Err(its panic message)` if it panicked.
pub fn join_all_settled<T: Send + 'static>(tasks: Vec<Task<T>>) -> Vec<Result<T, String>> {
    spawn_all(tasks)
        .into_iter()
        .map(|handle| handle.join().map_err(crate::panic_message))
        .collect()
}

/// Starts one thread per task and keeps the handles.
///
/// `collect` runs the whole `map` before returning, so every thread is running
/// before the caller joins the first one.
fn spawn_all<T: Send + 'static>(tasks: Vec<Task<T>>) -> Vec<JoinHandle<T>> {
    tasks.into_iter().map(thread::spawn).collect()
}
