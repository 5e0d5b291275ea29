//! Minimal `counter.rs`: the two counters, no derive, only `new` and `SharedCounter`.

// The contract gives the counters no `Default`: tests must not need one.
#![allow(clippy::new_without_default)]

use std::sync::atomic::{AtomicU64, Ordering};

use crate::SharedCounter;
use crate::sync::Mutex;

/// A counter protected by a lock.
pub struct LockedCounter {
    value: Mutex<u64>,
}

impl LockedCounter {
    /// A locked counter starting at 0.
    pub fn new() -> Self {
        LockedCounter {
            value: Mutex::new(0),
        }
    }
}

impl SharedCounter for LockedCounter {
    fn add(&self, n: u64) {
        let mut value = self.value.lock().unwrap_or_else(|e| e.into_inner());
        *value += n;
    }

    fn get(&self) -> u64 {
        *self.value.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A counter built on one atomic.
pub struct AtomicCounter {
    value: AtomicU64,
}

impl AtomicCounter {
    /// An atomic counter starting at 0.
    pub fn new() -> Self {
        AtomicCounter {
            value: AtomicU64::new(0),
        }
    }
}

impl SharedCounter for AtomicCounter {
    fn add(&self, n: u64) {
        self.value.fetch_add(n, Ordering::SeqCst);
    }

    fn get(&self) -> u64 {
        self.value.load(Ordering::SeqCst)
    }
}
