//! Topic 03: daemon threads (守护线程).
//!
//! Python keeps a program alive until every ordinary (non-daemon) thread has
//! finished, and drops its daemon threads at that moment. Rust does neither: when
//! `main` returns, every other thread simply disappears. In `src/runtime.rs` you
//! build Python's rules on top of Rust threads:
//!
//! - [`Runtime::spawn`] starts an ordinary thread that [`Runtime::finish`] waits for;
//! - [`Runtime::spawn_daemon`] starts a daemon thread that `finish` does not wait for.
//!   Since no thread can be killed from outside, a daemon gets a [`Shutdown`] to watch
//!   and is expected to stop by itself once shutdown is signalled.
//!
//! `finish` returns a [`Summary`] of what happened. The lesson's son1/son2 program is
//! in `src/bin/demo.rs`: run it with `cargo run -p daemon_threads --bin demo`.

// No `unsafe` in this crate, your files included, so the compiler rules out memory bugs (`forbid`: no file can undo it).
#![forbid(unsafe_code)]

pub mod runtime;

pub use runtime::{Runtime, Shutdown};

/// What [`Runtime::finish`] reports about the threads of a runtime.
///
/// Every daemon is counted exactly once:
/// `daemons_stopped + daemons_abandoned` is the number of daemons spawned.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Names of the ordinary threads that returned normally, in the order they finished.
    pub finished: Vec<String>,
    /// `(thread name, panic message)` for every thread that panicked, ordinary or daemon,
    /// in any order.
    ///
    /// The message is the panic payload's `&str` or `String`, else `"<non-string panic>"`.
    pub panicked: Vec<(String, String)>,
    /// Daemons that ended (returned or panicked) before `finish` returned.
    pub daemons_stopped: usize,
    /// Daemons still running when `finish` returned.
    pub daemons_abandoned: usize,
}
