//! Shared memory: one counter that several processes increment at once.
//!
//! Threads share memory for free; processes share only what they map together.
//! `shared_memory_count` (the parent) creates a segment with the
//! `shared_memory` crate and starts `ipc_worker shm-add <os_id> <n>` children;
//! each child runs `shm_add`, which opens the same segment and increments the
//! counter in it. As with threads, the increment must be atomic (or locked),
//! or updates get lost.
//!
//! The counter is the `AtomicU64` in the first 8 bytes of the segment. Both sides
//! get it from the given helper crate `shm_counter` (in `exercises/06_ipc/shm_counter/`):
//! `shm_counter::atomic_counter(&segment)` returns `Some(&AtomicU64)`, or `None`
//! when the segment is too small. Turning raw bytes into an atomic needs `unsafe`,
//! which this crate forbids; the helper does that one step for you, safely.

// Parameters stay unused until you write the bodies; delete this line when you are done.
#![allow(unused_variables)]

use std::path::Path;

use crate::IpcError;

/// Creates a segment holding one AtomicU64 = 0, runs `processes` children
/// `worker shm-add <os_id> <increments>`, waits for all, returns the counter. The
/// segment is gone afterwards, on error paths too; a failed child → WorkerFailed.
///
/// `shared_memory::ShmemConf::new().size(..).create()` makes the segment and
/// `get_os_id()` names it; the segment is removed when the `Shmem` that created
/// it is dropped, so keep it alive until every child has been waited for.
/// `shm_counter::atomic_counter(&segment)` is the counter to set to 0 and read at the end.
/// A `processes` count of 0 is treated as 1.
pub fn shared_memory_count(
    worker: &Path,
    processes: usize,
    increments: u64,
) -> Result<u64, IpcError> {
    todo!()
}

/// Child side: opens the segment and does `increments` fetch_add(1).
///
/// `shared_memory::ShmemConf::new().os_id(os_id).open()` opens it; a segment that
/// cannot be opened is `IpcError::Shm` with a message naming `os_id`. The counter
/// is `shm_counter::atomic_counter(&segment)`: the `AtomicU64` at the start of the
/// segment (`None`, for a segment too small, is an `IpcError::Shm` too).
pub fn shm_add(os_id: &str, increments: u64) -> Result<(), IpcError> {
    todo!()
}
