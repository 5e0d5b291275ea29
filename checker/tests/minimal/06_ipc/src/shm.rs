//! Minimal `shm.rs`: every child started, then every child waited for.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;

use shared_memory::ShmemConf;

use crate::IpcError;

/// Waits for every child, keeping the first failure.
fn wait_all(children: Vec<Child>) -> Result<(), IpcError> {
    let mut first_error = None;
    for child in children {
        let outcome = match child.wait_with_output() {
            Ok(output) if output.status.success() => Ok(()),
            Ok(output) => Err(IpcError::WorkerFailed {
                code: output.status.code(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            }),
            Err(error) => Err(IpcError::Io(error)),
        };
        if let Err(error) = outcome {
            first_error.get_or_insert(error);
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// Creates a segment holding one AtomicU64 = 0, runs `processes` children
/// `worker shm-add <os_id> <increments>`, waits for all, returns the counter. The
/// segment is gone afterwards, on error paths too; a failed child → WorkerFailed.
pub fn shared_memory_count(
    worker: &Path,
    processes: usize,
    increments: u64,
) -> Result<u64, IpcError> {
    let segment = ShmemConf::new()
        .size(8)
        .create()
        .map_err(|error| IpcError::Shm(format!("cannot create a segment: {error}")))?;
    let counter = shm_counter::atomic_counter(&segment)
        .ok_or_else(|| IpcError::Shm("the new segment has no room for a counter".into()))?;
    counter.store(0, Ordering::SeqCst);
    let increments_arg = increments.to_string();
    let mut children = Vec::new();
    for _ in 0..processes.max(1) {
        let started = Command::new(worker)
            .arg("shm-add")
            .arg(segment.get_os_id())
            .arg(&increments_arg)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn();
        match started {
            Ok(child) => children.push(child),
            Err(error) => {
                // Reap the ones already started before the segment goes away.
                let _ = wait_all(children);
                return Err(IpcError::Io(error));
            }
        }
    }
    wait_all(children)?;
    Ok(counter.load(Ordering::SeqCst))
}

/// Child side: opens the segment and does `increments` fetch_add(1).
pub fn shm_add(os_id: &str, increments: u64) -> Result<(), IpcError> {
    let segment = ShmemConf::new()
        .os_id(os_id)
        .open()
        .map_err(|error| IpcError::Shm(format!("cannot open segment {os_id}: {error}")))?;
    let counter = shm_counter::atomic_counter(&segment)
        .ok_or_else(|| IpcError::Shm(format!("segment {os_id} has no room for a counter")))?;
    for _ in 0..increments {
        counter.fetch_add(1, Ordering::SeqCst);
    }
    Ok(())
}
