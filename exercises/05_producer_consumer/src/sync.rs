//! The locks `queue.rs` uses. Given: do not edit.
//!
//! Normally these are the standard library's types. The checker's model-checking
//! tests build the crate with the feature `model-check`, which swaps in the model
//! checker shuttle's versions: shuttle then runs your queue under thousands of
//! different thread interleavings and reports a schedule that breaks it.
//! That is why `queue.rs` must take its locks from here (`crate::sync::Mutex`),
//! never from somewhere else.

#[cfg(not(feature = "model-check"))]
pub use std::sync::{Arc, Condvar, Mutex, MutexGuard};

#[cfg(feature = "model-check")]
pub use shuttle::sync::{Arc, Condvar, Mutex, MutexGuard};
