//! Topic 04: shared state (共享数据) and locks (锁).
//!
//! Threads share their process's memory, so two threads can change the same
//! value at the same time. Without a lock that is a race condition (竞态条件):
//! "read, add, write back" from two threads can lose one of the updates. This
//! topic has three parts, one per file you edit:
//!
//! - `src/counter.rs`: [`LockedCounter`] (a `Mutex<u64>`) and [`AtomicCounter`]
//!   (an `AtomicU64`) never lose an update; the given [`RacyCounter`] shows what
//!   goes wrong without them.
//! - `src/bank.rs`: a [`Bank`] with one lock per account. A transfer needs two
//!   locks; taking them in a fixed order prevents deadlock (死锁), and
//!   [`Bank::total`] holds every lock at once to get a consistent snapshot.
//! - `src/word_count.rs`: [`shared_map_count`] shares one locked map between
//!   threads, [`merge_count`] shares nothing until the end — and is much faster.
//!
//! Run the lesson's program with `cargo run -p shared_state --bin demo`.

// No `unsafe` in this crate, your files included, so the compiler rules out memory bugs (`forbid`: no file can undo it).
#![forbid(unsafe_code)]

pub mod bank;
pub mod counter;
pub mod sync;
pub mod word_count;

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

pub use bank::Bank;
pub use counter::{AtomicCounter, LockedCounter};
pub use word_count::{merge_count, shared_map_count};

/// A counter that many threads can update through a shared reference (`&self`).
///
/// `Sync` is required so that a `&counter` may be handed to other threads.
pub trait SharedCounter: Sync {
    /// Adds `n` to the counter.
    fn add(&self, n: u64);
    /// The counter's current value.
    fn get(&self) -> u64;
}

/// A counter that is shared without a lock, and therefore loses updates.
///
/// It is given as the lesson's bad example. [`add`](SharedCounter::add) reads the
/// value, then writes back the value plus `n`, in two separate steps. When two
/// threads both read 5 before either writes, both write 6: one update is lost.
#[derive(Debug, Default)]
pub struct RacyCounter {
    value: AtomicU64,
}

impl RacyCounter {
    /// A racy counter starting at 0.
    pub fn new() -> Self {
        RacyCounter {
            value: AtomicU64::new(0),
        }
    }
}

impl SharedCounter for RacyCounter {
    /// Load, then store: another thread's update between the two steps is lost.
    fn add(&self, n: u64) {
        let current = self.value.load(Ordering::Relaxed);
        // Give other threads a chance to run between the read and the write, so
        // that the race shows up on every run instead of once in a while.
        std::thread::yield_now();
        self.value.store(current + n, Ordering::Relaxed);
    }

    fn get(&self) -> u64 {
        self.value.load(Ordering::Relaxed)
    }
}

/// Why [`Bank::transfer`] refused to move money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferError {
    /// `from` and `to` are the same account.
    SameAccount,
    /// There is no account with this id.
    NoSuchAccount(usize),
    /// The `from` account holds less than the amount to transfer.
    InsufficientFunds {
        /// The amount asked for.
        needed: u64,
        /// What the `from` account held.
        available: u64,
    },
}

impl fmt::Display for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransferError::SameAccount => write!(f, "cannot transfer from an account to itself"),
            TransferError::NoSuchAccount(id) => write!(f, "there is no account {id}"),
            TransferError::InsufficientFunds { needed, available } => {
                write!(
                    f,
                    "insufficient funds: needed {needed}, available {available}"
                )
            }
        }
    }
}

impl std::error::Error for TransferError {}
