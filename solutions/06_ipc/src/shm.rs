//! Shared memory: one counter that several processes increment at once.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use shared_memory::{Shmem, ShmemConf};

use crate::IpcError;

/// Creates a segment holding one AtomicU64 = 0, runs `processes` children
/// `worker shm-add <os_id> <increments>`, waits for all, returns the counter. The
/// segment is gone afterwards, on error paths too; a failed child → WorkerFailed.
pub fn shared_memory_count(
    worker: &Path,
    processes: usize,
    increments: u64,
) -> Result<u64, IpcError> {
    let processes = processes.max(1);
    // The creator owns the segment: dropping `segment` unlinks it from /dev/shm,
    // on every return path below and during a panic too.
    let segment = ShmemConf::new()
        .size(size_of::<AtomicU64>())
        .create()
        .map_err(|error| IpcError::Shm(format!("cannot create a segment: {error}")))?;
    let counter = counter_in(&segment)?;
    counter.store(0, Ordering::SeqCst);

    let mut children = Vec::new();
    let mut spawn_error = None;
    for _ in 0..processes {
        let started = Command::new(worker)
            .arg("shm-add")
            .arg(segment.get_os_id())
            .arg(increments.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn();
        match started {
            Ok(child) => children.push(child),
            Err(error) => {
                spawn_error = Some(error);
                break;
            }
        }
    }

    // Wait for every child that started, even after an error: the segment must
    // outlive every process that uses it, and no child may be left a zombie.
    let mut first_failure = None;
    for child in children {
        if let Err(failure) = wait_for(child) {
            first_failure.get_or_insert(failure);
        }
    }
    if let Some(error) = spawn_error {
        return Err(IpcError::Io(error));
    }
    if let Some(failure) = first_failure {
        return Err(failure);
    }
    Ok(counter.load(Ordering::SeqCst))
}

/// Child side: opens the segment and does `increments` fetch_add(1).
pub fn shm_add(os_id: &str, increments: u64) -> Result<(), IpcError> {
    let segment = ShmemConf::new()
        .os_id(os_id)
        .open()
        .map_err(|error| IpcError::Shm(format!("cannot open segment {os_id:?}: {error}")))?;
    let counter = counter_in(&segment)?;
    for _ in 0..increments {
        // One indivisible read-modify-write. A load followed by a store would let
        // two processes read the same value and lose one of the increments.
        // Relaxed is enough: waiting for the children orders everything else.
        counter.fetch_add(1, Ordering::Relaxed);
    }
    Ok(())
}

/// The AtomicU64 at the start of the segment. Viewing raw bytes as an atomic
/// takes one line of `unsafe`, which the topic crate forbids: the given
/// `shm_counter` crate does it, behind a safe function.
fn counter_in(segment: &Shmem) -> Result<&AtomicU64, IpcError> {
    shm_counter::atomic_counter(segment).ok_or_else(|| {
        IpcError::Shm(format!(
            "segment {:?} holds {} bytes, too few for a counter",
            segment.get_os_id(),
            segment.len()
        ))
    })
}

/// Waits for one child; an unsuccessful exit becomes `WorkerFailed` with its stderr.
fn wait_for(child: Child) -> Result<(), IpcError> {
    let output = child.wait_with_output()?;
    if output.status.success() {
        Ok(())
    } else {
        Err(IpcError::WorkerFailed {
            code: output.status.code(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }
}
