//! Minimal `join.rs`: every handle kept, then each joined.

use std::any::Any;
use std::panic;
use std::thread;

use crate::Task;

/// A panic payload's `&str` or `String`, else `"<non-string panic>"`.
fn message_of(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "<non-string panic>".to_owned()
    }
}

/// Starts every task, then joins every thread: each task's outcome, in task order.
fn run_all<T: Send + 'static>(tasks: Vec<Task<T>>) -> Vec<thread::Result<T>> {
    let handles: Vec<_> = tasks.into_iter().map(thread::spawn).collect();
    handles.into_iter().map(|handle| handle.join()).collect()
}

/// Spawns every task before waiting for any; results in task order. If tasks panicked,
/// the first panic in task order is resumed in the caller, only after every task finished.
pub fn join_all<T: Send + 'static>(tasks: Vec<Task<T>>) -> Vec<T> {
    let outcomes = run_all(tasks);
    let mut values = Vec::with_capacity(outcomes.len());
    let mut first_panic = None;
    for outcome in outcomes {
        match outcome {
            Ok(value) => values.push(value),
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
    values
}

/// Never panics: a panicked task gives Err(its message).
pub fn join_all_settled<T: Send + 'static>(tasks: Vec<Task<T>>) -> Vec<Result<T, String>> {
    run_all(tasks)
        .into_iter()
        .map(|outcome| outcome.map_err(|payload| message_of(payload.as_ref())))
        .collect()
}
