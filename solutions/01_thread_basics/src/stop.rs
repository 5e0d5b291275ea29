//! Asking a thread to stop.
//!
//! Neither Python nor Rust can kill a thread from outside: killing it at a
//! random point could leave a lock held or data half written. Instead the
//! thread checks a shared flag and stops itself when the flag is set.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};

/// Starts a worker thread that counts loop iterations until `stop` is set.
///
/// The flag is checked on every iteration, so the worker returns almost as
/// soon as it is set.
pub fn start_counter(stop: Arc<AtomicBool>) -> JoinHandle<u64> {
    thread::spawn(move || {
        let mut count: u64 = 0;
        while !stop.load(Ordering::Relaxed) {
            count += 1;
        }
        count
    })
}
