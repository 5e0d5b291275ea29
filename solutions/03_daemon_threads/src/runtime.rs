//! Python's thread rules on Rust threads: `finish` waits for every ordinary
//! thread, then asks the daemon threads (守护线程) to stop and waits a little
//! while for them.
//!
//! All clones of a [`Runtime`] share one `State` behind a `Mutex`. Every thread
//! is counted *before* it starts and uncounted when its body has ended, and each
//! change is announced on a `Condvar`, so `finish` can sleep until the count of
//! running ordinary threads drops to zero — also counting threads that other
//! threads spawn while `finish` is already waiting.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::Duration;

use crate::Summary;

/// Starts ordinary and daemon threads and waits for them the way Python does.
///
/// Clones share the same threads: a thread may spawn more threads through a clone,
/// and [`finish`](Runtime::finish) waits for those too.
#[derive(Clone)]
pub struct Runtime {
    shared: Arc<Shared>,
}

/// What every clone of a runtime shares.
struct Shared {
    state: Mutex<State>,
    /// Notified whenever a thread ends.
    thread_ended: Condvar,
    /// Handed to every daemon; signalled by `finish`.
    shutdown: Shutdown,
}

/// The bookkeeping behind the mutex.
#[derive(Default)]
struct State {
    ordinary_running: usize,
    daemons_spawned: usize,
    daemons_running: usize,
    finished: Vec<String>,
    panicked: Vec<(String, String)>,
}

/// The two kinds of thread a runtime starts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ordinary,
    Daemon,
}

impl Default for Runtime {
    fn default() -> Self {
        Self::new()
    }
}

impl Runtime {
    /// A runtime with no threads yet.
    pub fn new() -> Self {
        Runtime {
            shared: Arc::new(Shared {
                state: Mutex::new(State::default()),
                thread_ended: Condvar::new(),
                shutdown: Shutdown::new(),
            }),
        }
    }

    /// A named OS thread (thread::current().name() is `name`); finish() waits for it.
    pub fn spawn(&self, name: &str, f: impl FnOnce() + Send + 'static) {
        self.start(name, Kind::Ordinary, f);
    }

    /// A named OS thread that finish() does not wait for; it gets a Shutdown to watch.
    pub fn spawn_daemon(&self, name: &str, f: impl FnOnce(Shutdown) + Send + 'static) {
        let shutdown = self.shared.shutdown.clone();
        self.start(name, Kind::Daemon, move || f(shutdown));
    }

    /// Waits until no ordinary thread is alive, counting those spawned meanwhile through
    /// a clone of this Runtime; then signals Shutdown, waits at most `grace` for daemons.
    pub fn finish(self, grace: Duration) -> Summary {
        let state = self.shared.lock();
        let state = self
            .shared
            .thread_ended
            .wait_while(state, |state| state.ordinary_running > 0)
            .unwrap();

        self.shared.shutdown.signal();
        let (mut state, _timed_out) = self
            .shared
            .thread_ended
            .wait_timeout_while(state, grace, |state| state.daemons_running > 0)
            .unwrap();

        Summary {
            finished: std::mem::take(&mut state.finished),
            panicked: std::mem::take(&mut state.panicked),
            daemons_stopped: state.daemons_spawned - state.daemons_running,
            daemons_abandoned: state.daemons_running,
        }
    }

    /// Counts the thread, then starts it; the thread uncounts itself when `body` ends.
    fn start(&self, name: &str, kind: Kind, body: impl FnOnce() + Send + 'static) {
        self.shared.lock().thread_started(kind);

        let shared = Arc::clone(&self.shared);
        let thread_name = name.to_owned();
        let spawned = thread::Builder::new().name(name.to_owned()).spawn(move || {
            // A panic must not skip the bookkeeping, so catch it and report it instead.
            let outcome = panic::catch_unwind(AssertUnwindSafe(body))
                .map_err(|payload| panic_message(payload.as_ref()));
            shared.lock().thread_ended(kind, thread_name, outcome);
            shared.thread_ended.notify_all();
        });

        if let Err(error) = spawned {
            // The thread never started: take it back so `finish` does not wait for it.
            self.shared.lock().thread_never_started(kind);
            panic!("could not start thread {name:?}: {error}");
        }
    }
}

impl Shared {
    /// Locks the state. User code never runs while the lock is held, so it cannot
    /// be poisoned.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }
}

impl State {
    fn thread_started(&mut self, kind: Kind) {
        match kind {
            Kind::Ordinary => self.ordinary_running += 1,
            Kind::Daemon => {
                self.daemons_spawned += 1;
                self.daemons_running += 1;
            }
        }
    }

    fn thread_never_started(&mut self, kind: Kind) {
        match kind {
            Kind::Ordinary => self.ordinary_running -= 1,
            Kind::Daemon => {
                self.daemons_spawned -= 1;
                self.daemons_running -= 1;
            }
        }
    }

    fn thread_ended(&mut self, kind: Kind, name: String, outcome: Result<(), String>) {
        match kind {
            Kind::Ordinary => self.ordinary_running -= 1,
            Kind::Daemon => self.daemons_running -= 1,
        }
        match outcome {
            Ok(()) if kind == Kind::Ordinary => self.finished.push(name),
            Ok(()) => {}
            Err(message) => self.panicked.push((name, message)),
        }
    }
}

/// The text of a panic: its `&str` or `String` payload, else `"<non-string panic>"`.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "<non-string panic>".to_owned()
    }
}

/// A daemon's view of the shutdown signal that [`Runtime::finish`] raises.
///
/// No thread can be killed from outside: a daemon must check this now and then and
/// return once it is set. Clones watch the same signal.
#[derive(Clone)]
pub struct Shutdown {
    signal: Arc<Signal>,
}

/// The flag and the condition variable that sleepers wait on.
struct Signal {
    is_set: Mutex<bool>,
    changed: Condvar,
}

impl Shutdown {
    /// A signal that is not set yet.
    fn new() -> Self {
        Shutdown {
            signal: Arc::new(Signal {
                is_set: Mutex::new(false),
                changed: Condvar::new(),
            }),
        }
    }

    /// Sets the signal and wakes every sleeping daemon.
    fn signal(&self) {
        *self.signal.is_set.lock().unwrap() = true;
        self.signal.changed.notify_all();
    }

    /// Whether shutdown has been signalled.
    pub fn is_set(&self) -> bool {
        *self.signal.is_set.lock().unwrap()
    }

    /// Sleeps up to `d`, waking at once when shutdown is signalled; returns is_set().
    pub fn sleep(&self, d: Duration) -> bool {
        let is_set = self.signal.is_set.lock().unwrap();
        let (is_set, _timed_out) = self
            .signal
            .changed
            .wait_timeout_while(is_set, d, |is_set| !*is_set)
            .unwrap();
        *is_set
    }
}
