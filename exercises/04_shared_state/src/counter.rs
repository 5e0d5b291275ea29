//! Two counters that never lose an update.
//!
//! The given [`crate::RacyCounter`] reads the value and writes it back in two
//! separate steps, so concurrent updates get lost. Your two counters must make
//! "read, add, write back" one indivisible step: [`LockedCounter`] with a lock,
//! [`AtomicCounter`] with a single atomic instruction.

// Parameters stay unused until you write the bodies; delete this line when you are done.
#![allow(unused_variables)]

use crate::SharedCounter;

/// A counter protected by a lock: one thread at a time may touch the value.
///
/// Give it one field, the count behind a lock: `crate::sync::Mutex<u64>`.
/// Take the lock from `crate::sync` (`use crate::sync::Mutex;`), never from
/// `std::sync`: the checker swaps in a model checker's `Mutex` there.
#[derive(Debug)]
pub struct LockedCounter {
    // Your field goes here.
}

impl LockedCounter {
    /// A locked counter starting at 0.
    pub fn new() -> Self {
        todo!()
    }
}

impl Default for LockedCounter {
    fn default() -> Self {
        Self::new()
    }
}

impl SharedCounter for LockedCounter {
    /// Adds `n` while holding the lock, so no other thread can change the
    /// value between your read and your write.
    fn add(&self, n: u64) {
        todo!()
    }

    /// The current value, read under the lock.
    fn get(&self) -> u64 {
        todo!()
    }
}

/// A counter built on one `std::sync::atomic::AtomicU64`, no lock at all.
///
/// Give it one field of that type. `fetch_add` reads, adds and writes back in
/// one step that no other thread can interrupt; `Ordering::Relaxed` is enough
/// for a counter.
#[derive(Debug)]
pub struct AtomicCounter {
    // Your field goes here.
}

impl AtomicCounter {
    /// An atomic counter starting at 0.
    pub fn new() -> Self {
        todo!()
    }
}

impl Default for AtomicCounter {
    fn default() -> Self {
        Self::new()
    }
}

impl SharedCounter for AtomicCounter {
    /// Adds `n` in one atomic step.
    fn add(&self, n: u64) {
        todo!()
    }

    /// The current value.
    fn get(&self) -> u64 {
        todo!()
    }
}
