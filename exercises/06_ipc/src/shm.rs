//! Shared memory: one counter that several processes increment at once.
//!
//! Threads share memory for free; processes share only what they map together.
//! `shared_memory_count` (the parent) creates a segment with the
//! `shared_memory` crate and starts `ipc_worker shm-add <os_id> <n>` children;
//! each child runs `shm_add`, which opens the same segment and increments the
//! counter in it. As with threads, the increment must be atomic (or locked),
//! or updates get lost.

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
/// is an `AtomicU64` at the start of the mapping (`as_ptr()`).
pub fn shm_add(os_id: &str, increments: u64) -> Result<(), IpcError> {
    todo!()
}
