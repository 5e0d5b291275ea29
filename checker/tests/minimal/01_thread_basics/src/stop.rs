//! Minimal `stop.rs`: a worker polling its stop flag.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};

/// A worker that counts loop iterations until `stop` is set, then returns the count within 50 ms.
pub fn start_counter(stop: Arc<AtomicBool>) -> JoinHandle<u64> {
    thread::spawn(move || {
        let mut count: u64 = 0;
        while !stop.load(Ordering::Acquire) {
            count = count.wrapping_add(1);
        }
        count
    })
}
