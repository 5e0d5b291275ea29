//! Two counters that never lose an update.
//!
//! The given [`crate::RacyCounter`] reads the value and writes it back in two
//! separate steps, so concurrent updates get lost. Both counters here make
//! "read, add, write back" one indivisible step: [`LockedCounter`] with a lock,
//! [`AtomicCounter`] with a single atomic instruction.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::SharedCounter;
use crate::sync::Mutex;

/// A counter protected by a `Mutex`: one thread at a time may touch the value.
#[derive(Debug, Default)]
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
        // The guard keeps the lock from the read to the write: nobody can sneak in between.
        let mut value = self.value.lock().unwrap();
        *value += n;
    }

    fn get(&self) -> u64 {
        *self.value.lock().unwrap()
    }
}

/// A counter built on one `AtomicU64`: `fetch_add` reads, adds and writes in one step.
#[derive(Debug, Default)]
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
        self.value.fetch_add(n, Ordering::Relaxed);
    }

    fn get(&self) -> u64 {
        self.value.load(Ordering::Relaxed)
    }
}
