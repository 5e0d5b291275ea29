//! Locks that remember who holds them and who waits for them.
//!
//! [`Mutex`], [`MutexGuard`] and [`Condvar`] have the standard library's API
//! (they wrap `std::sync`'s types) and record, cheaply, which thread holds each
//! lock and where it took it, and which thread waits for which lock or
//! condition variable, from which source line (`#[track_caller]`). Topics 04
//! and 05 re-export them from `crate::sync` under the feature `waitgraph`, which
//! only the checker's ordinary test build sets.
//!
//! When a test hangs, [`snapshot`] reads that record and [`diagnose`] turns it
//! into words: a cycle of threads each waiting for a lock the next one holds is
//! named as a lock-order deadlock, with both threads, both locks and both
//! lines; a thread waiting on a condition variable that no running thread is
//! left to notify is named as a lost wakeup.
//!
//! The record lives in the process under test, which runs student code: a
//! [`Snapshot`] read back from it is untrusted text. It is capped
//! ([`Snapshot::capped`]) and only ever adds words to a failure message.
//!
//! Lock numbers (`lock #3`) count the locks a process created, from 1.

mod analysis;
mod record;
mod sync;

pub use analysis::{Activity, Holder, Object, Snapshot, ThreadView, Wait, diagnose};
pub use record::snapshot;
pub use sync::{Condvar, Mutex, MutexGuard};
