//! The locks `queue.rs` uses. Given: do not edit.
//!
//! Normally these are the standard library's types. The checker's model-checking
//! tests build the crate with the feature `model-check`, which swaps in the model
//! checker shuttle's versions: shuttle then runs your queue under thousands of
//! different thread interleavings and reports a schedule that breaks it. The
//! checker's other tests build it with the feature `waitgraph`: the same API,
//! from locks that remember who holds them and who waits on which condition
//! variable, so that a test that hangs can name the thread nobody woke, and the line.
//! That is why `queue.rs` must take its locks from here (`crate::sync::Mutex`),
//! never from somewhere else.

#[cfg(not(any(feature = "model-check", feature = "waitgraph")))]
pub use std::sync::{Arc, Condvar, Mutex, MutexGuard};

#[cfg(all(feature = "waitgraph", not(feature = "model-check")))]
pub use std::sync::Arc;
#[cfg(all(feature = "waitgraph", not(feature = "model-check")))]
pub use threadlings_waitgraph::{Condvar, Mutex, MutexGuard};

#[cfg(feature = "model-check")]
pub use shuttle::sync::{Arc, Condvar, Mutex, MutexGuard};
