//! # Topic 02 — join: wait for your threads
//!
//! Starting a thread is asynchronous and non-blocking: `thread::spawn` returns at
//! once while the new thread runs on its own. Joining is synchronous and blocking:
//! `JoinHandle::join` waits until that thread has finished. To wait for several
//! threads, keep every handle and join each one.
//!
//! This file is given: it holds the types every exercise shares. You write
//! `src/join.rs`, `src/race.rs` and `src/timeout.rs`.

// No `unsafe` in this crate, your files included, so the compiler rules out memory bugs (`forbid`: no file can undo it).
#![forbid(unsafe_code)]

use std::any::Any;
use std::fmt;

pub mod join;
pub mod race;
pub mod timeout;

pub use join::{join_all, join_all_settled};
pub use race::first_of;
pub use timeout::run_with_timeout;

/// A piece of work to run on its own thread: a closure, boxed so that a `Vec`
/// can hold different closures that return the same type.
pub type Task<T> = Box<dyn FnOnce() -> T + Send + 'static>;

/// Boxes a closure into a [`Task`], so a list of tasks reads naturally:
///
/// ```
/// use join_all::{task, Task};
///
/// let tasks: Vec<Task<u32>> = vec![task(|| 1), task(|| 2)];
/// assert_eq!(tasks.len(), 2);
/// ```
pub fn task<T>(work: impl FnOnce() -> T + Send + 'static) -> Task<T> {
    Box::new(work)
}

/// Why [`run_with_timeout`] has no value to give back.
#[derive(Debug, PartialEq, Eq)]
pub enum WaitError {
    /// The task was still running when the time limit ran out.
    TimedOut,
    /// The task panicked; this is its panic message (see [`panic_message`]).
    Panicked(String),
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::TimedOut => write!(f, "the task did not finish in time"),
            WaitError::Panicked(message) => write!(f, "the task panicked: {message}"),
        }
    }
}

impl std::error::Error for WaitError {}

/// The message of a panic, taken from the payload that `JoinHandle::join` returns
/// in its `Err`.
///
/// `panic!("literal")` carries a `&str`, `panic!("{x}")` a `String`; any other
/// payload (from `std::panic::panic_any`) gives `"<non-string panic>"`.
///
/// ```
/// let handle = std::thread::spawn(|| panic!("boom"));
/// let payload = handle.join().unwrap_err();
/// assert_eq!(join_all::panic_message(payload), "boom");
/// ```
pub fn panic_message(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<&str>() {
        Ok(text) => (*text).to_owned(),
        Err(payload) => match payload.downcast::<String>() {
            Ok(text) => *text,
            Err(_) => "<non-string panic>".to_owned(),
        },
    }
}
