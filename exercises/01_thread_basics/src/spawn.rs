//! Named threads that report who they are.
//!
//! A thread is cheap to start and lives inside a process: it shares the
//! process's memory and its process id, but has its own name and its own id.
//! Python shows this with `threading.current_thread().name` and `.ident`;
//! Rust with `std::thread::current().name()` and `.id()`.

// Parameters stay unused until you write the bodies; delete this line when you are done.
#![allow(unused_variables)]

use crate::ThreadInfo;

/// Starts one named thread per name and returns what each thread reported.
///
/// Build each thread with `std::thread::Builder::new().name(...)`, so the
/// operating system and `std::thread::current()` both know its name. Inside
/// the thread (not in the caller!) read `std::thread::current()` and
/// `std::process::id()` and return a [`ThreadInfo`] from the thread's closure.
/// Start all the threads first (keep their `JoinHandle`s in a `Vec`), then
/// join each one and collect the results in the order of `names`.
///
/// An empty `names` gives an empty `Vec`. Names may repeat: each one still
/// gets its own thread.
pub fn spawn_named(names: &[&str]) -> Vec<ThreadInfo> {
    todo!()
}
