//! Topic 06_ipc: talking between processes (进程间通信, inter-process communication).
//!
//! Threads share their process's memory; processes do not. Two processes can
//! only cooperate through something the operating system gives them both:
//!
//! - [`pipe`]: a child process reads numbers on its stdin and answers on its
//!   stdout (the pipe, the simplest IPC channel);
//! - [`framing`]: turning a byte stream into a queue of whole messages
//!   (a length header in front of every message);
//! - [`shm`]: one counter in a shared-memory segment that several processes
//!   increment at once (it needs an atomic, just as threads do).
//!
//! This file is given: it holds the types every exercise file uses. The given
//! binary `src/bin/ipc_worker.rs` is the child process the exercises start.

// No `unsafe` in this crate, your files included, so the compiler rules out memory bugs (`forbid`: no file can undo it).
#![forbid(unsafe_code)]

use std::fmt;

pub mod framing;
pub mod pipe;
pub mod shm;

pub use framing::{read_frame, write_frame};
pub use pipe::{serve_squares, squares_via_child};
pub use shm::{shared_memory_count, shm_add};

/// The largest payload one frame may carry: 1 MiB.
///
/// A reader must refuse a header announcing more, so that a corrupt or hostile
/// stream cannot make it allocate gigabytes.
pub const MAX_FRAME: usize = 1 << 20;

/// Everything that can go wrong in the shared-memory exercise.
#[derive(Debug)]
pub enum IpcError {
    /// An I/O error, for example starting a worker process failed.
    Io(std::io::Error),
    /// The shared-memory segment could not be created, opened or used.
    Shm(String),
    /// A worker process ended unsuccessfully.
    WorkerFailed {
        /// Its exit code, or `None` when a signal killed it.
        code: Option<i32>,
        /// Everything it wrote to its stderr.
        stderr: String,
    },
}

impl fmt::Display for IpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IpcError::Io(error) => write!(f, "I/O error: {error}"),
            IpcError::Shm(message) => write!(f, "shared memory: {message}"),
            IpcError::WorkerFailed { code, stderr } => {
                match code {
                    Some(code) => write!(f, "worker process exited with code {code}")?,
                    None => write!(f, "worker process was killed by a signal")?,
                }
                let stderr = stderr.trim();
                if !stderr.is_empty() {
                    write!(f, "; its stderr: {stderr}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for IpcError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            IpcError::Io(error) => Some(error),
            IpcError::Shm(_) | IpcError::WorkerFailed { .. } => None,
        }
    }
}

impl From<std::io::Error> for IpcError {
    fn from(error: std::io::Error) -> Self {
        IpcError::Io(error)
    }
}
