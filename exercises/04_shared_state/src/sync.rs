//! The locks of this topic, in one place (given).
//!
//! `counter.rs` and `bank.rs` import `Arc`, `Condvar`, `Mutex` and `MutexGuard`
//! from here (`use crate::sync::Mutex;`), never from `std::sync` directly.
//! Normally these are simply the standard library's types. The checker's
//! model-checking tests build the crate with the feature `model-check`, which
//! swaps in the model checker [shuttle]'s versions: shuttle then runs your code
//! under many different thread interleavings and reports a deadlock or a wrong
//! result together with the schedule that produced it. The checker's other
//! tests build it with the feature `waitgraph`: the same API, from locks that
//! remember who holds them and who waits, so that a test that hangs can tell
//! you which two threads deadlocked on which two locks, at which lines.
//!
//! [shuttle]: https://docs.rs/shuttle

#[cfg(not(any(feature = "model-check", feature = "waitgraph")))]
pub use std::sync::{Arc, Condvar, Mutex, MutexGuard};

#[cfg(all(feature = "waitgraph", not(feature = "model-check")))]
pub use std::sync::Arc;
#[cfg(all(feature = "waitgraph", not(feature = "model-check")))]
pub use threadlings_waitgraph::{Condvar, Mutex, MutexGuard};

#[cfg(feature = "model-check")]
pub use shuttle::sync::{Arc, Condvar, Mutex, MutexGuard};
