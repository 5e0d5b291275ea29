//! Asking a thread to stop.
//!
//! Neither Python nor Rust can kill a thread from outside: killing it at a
//! random point could leave a lock held or data half written. Instead the
//! thread checks a shared flag and stops itself when the flag is set.

// Parameters stay unused until you write the bodies; delete this line when you are done.
#![allow(unused_variables)]

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::thread::JoinHandle;

/// Starts a worker thread that counts loop iterations until `stop` is set.
///
/// Return the thread's `JoinHandle` at once: the caller keeps going while
/// the worker counts. The worker loops, adding 1 to its count each time
/// round, and checks `stop` (with `stop.load(Ordering::Relaxed)`) on every
/// iteration. Once `stop` is set it must return its count within 50 ms,
/// so never sleep for long between two checks.
pub fn start_counter(stop: Arc<AtomicBool>) -> JoinHandle<u64> {
    todo!()
}
