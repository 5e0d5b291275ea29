//! Python's thread rules on Rust threads: `finish` waits for every ordinary
//! thread, then asks the daemon threads (守护线程) to stop and waits a little
//! while for them.
//!
//! Plan: every clone of a [`Runtime`] shares one piece of state — an `Arc` holding a
//! `Mutex` (how many threads are running, the names and panics seen so far) and a
//! `Condvar` that is notified whenever a thread ends. Count a thread *before* you
//! start it, so `finish` can never miss one that another thread spawns while
//! `finish` is already waiting.

// Parameters stay unused until you write the bodies; delete this line when you are done.
#![allow(unused_variables)]

use std::time::Duration;

use crate::Summary;

/// Starts ordinary and daemon threads and waits for them the way Python does.
///
/// Clones share the same threads: a thread may spawn more threads through a clone,
/// and [`finish`](Runtime::finish) waits for those too.
#[derive(Clone)]
pub struct Runtime {
    // TODO: the state every clone shares, for example an `Arc` of a struct holding a
    // `Mutex<...>` with your counters and a `Condvar`, plus the `Shutdown` for daemons.
}

impl Default for Runtime {
    /// Same as [`Runtime::new`].
    fn default() -> Self {
        Self::new()
    }
}

impl Runtime {
    /// A runtime with no threads yet.
    pub fn new() -> Self {
        todo!()
    }

    /// A named OS thread (thread::current().name() is `name`); finish() waits for it.
    ///
    /// Returns at once: it starts the thread with `std::thread::Builder` and does not
    /// wait for it. When `f` returns, the thread's name goes to [`Summary::finished`];
    /// when it panics, `(name, message)` goes to [`Summary::panicked`]. Run `f` inside
    /// `std::panic::catch_unwind`, so that a panic cannot skip this bookkeeping.
    pub fn spawn(&self, name: &str, f: impl FnOnce() + Send + 'static) {
        todo!()
    }

    /// A named OS thread that finish() does not wait for; it gets a Shutdown to watch.
    ///
    /// Like [`spawn`](Runtime::spawn), but `finish` only waits a short grace period for
    /// it, after signalling the [`Shutdown`] that `f` receives.
    pub fn spawn_daemon(&self, name: &str, f: impl FnOnce(Shutdown) + Send + 'static) {
        todo!()
    }

    /// Waits until no ordinary thread is alive, counting those spawned meanwhile through
    /// a clone of this Runtime; then signals Shutdown, waits at most `grace` for daemons.
    ///
    /// Returns as soon as every daemon has ended, or when `grace` is over, whichever
    /// comes first. In the [`Summary`], `finished` lists ordinary threads in the order
    /// they returned, and every daemon is either stopped or abandoned.
    pub fn finish(self, grace: Duration) -> Summary {
        todo!()
    }
}

/// A daemon's view of the shutdown signal that [`Runtime::finish`] raises.
///
/// No thread can be killed from outside: a daemon must check this now and then and
/// return once it is set. Clones watch the same signal.
#[derive(Clone)]
pub struct Shutdown {
    // TODO: a flag shared by every clone (e.g. `Arc` of a `Mutex<bool>` and a `Condvar`,
    // so sleepers can be woken up). Add private methods as you need them: one to
    // create a `Shutdown`, one for `finish` to signal it.
}

impl Shutdown {
    /// Whether shutdown has been signalled.
    pub fn is_set(&self) -> bool {
        todo!()
    }

    /// Sleeps up to `d`, waking at once when shutdown is signalled; returns is_set().
    ///
    /// `std::thread::sleep` cannot be interrupted; a condition variable's
    /// `wait_timeout` can.
    pub fn sleep(&self, d: Duration) -> bool {
        todo!()
    }
}
