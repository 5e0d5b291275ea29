//! Minimal `runtime.rs`: one lock and one condition variable shared by the runtime
//! and its shutdown signal; every change of state wakes every waiter.

// The contract gives `Runtime` no `Default`: tests must not need one.
#![allow(clippy::new_without_default)]

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use crate::Summary;

/// What every clone of a runtime and of its shutdown signal sees.
#[derive(Default)]
struct State {
    ordinary_alive: usize,
    daemons_spawned: usize,
    daemons_alive: usize,
    shutdown: bool,
    finished: Vec<String>,
    panicked: Vec<(String, String)>,
}

/// The state behind its lock, and the condition variable notified on every change.
#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(&self, guard: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.changed
            .wait(guard)
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a change or until `deadline`; `None` means no deadline.
    fn wait_until<'a>(
        &self,
        guard: MutexGuard<'a, State>,
        deadline: Option<Instant>,
    ) -> MutexGuard<'a, State> {
        match deadline {
            None => self.wait(guard),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                self.changed
                    .wait_timeout(guard, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0
            }
        }
    }
}

/// A panic payload's `&str` or `String`, else `"<non-string panic>"`.
fn message_of(payload: &(dyn Any + Send)) -> String {
    match (
        payload.downcast_ref::<&str>(),
        payload.downcast_ref::<String>(),
    ) {
        (Some(text), _) => (*text).to_owned(),
        (None, Some(text)) => text.clone(),
        (None, None) => "<non-string panic>".to_owned(),
    }
}

/// Starts ordinary and daemon threads and waits for them the way Python does.
#[derive(Clone)]
pub struct Runtime {
    shared: Arc<Shared>,
}

/// A daemon's view of the shutdown signal that [`Runtime::finish`] raises.
#[derive(Clone)]
pub struct Shutdown {
    shared: Arc<Shared>,
}

impl Shutdown {
    /// Whether shutdown has been signalled.
    pub fn is_set(&self) -> bool {
        self.shared.lock().shutdown
    }

    /// Sleeps up to `d`, waking at once when shutdown is signalled; returns is_set().
    pub fn sleep(&self, d: Duration) -> bool {
        let deadline = Instant::now().checked_add(d);
        let mut state = self.shared.lock();
        while !state.shutdown && deadline.is_none_or(|deadline| Instant::now() < deadline) {
            state = self.shared.wait_until(state, deadline);
        }
        state.shutdown
    }
}

impl Runtime {
    /// A runtime with no threads yet.
    pub fn new() -> Self {
        Runtime {
            shared: Arc::new(Shared::default()),
        }
    }

    /// Starts `body` on a thread named `name`; `done` records its outcome under the lock.
    fn start(
        &self,
        name: &str,
        body: impl FnOnce() + Send + 'static,
        done: fn(&mut State, &str, Result<(), String>),
    ) {
        let shared = Arc::clone(&self.shared);
        let own_name = name.to_owned();
        let started = thread::Builder::new().name(name.to_owned()).spawn(move || {
            let outcome = panic::catch_unwind(AssertUnwindSafe(body))
                .map_err(|payload| message_of(payload.as_ref()));
            let mut state = shared.lock();
            done(&mut state, &own_name, outcome);
            drop(state);
            shared.changed.notify_all();
        });
        if let Err(error) = started {
            // Undo the count taken for it, so finish() does not wait for it forever.
            let mut state = self.shared.lock();
            done(&mut state, name, Err(format!("not started: {error}")));
            drop(state);
            self.shared.changed.notify_all();
            panic!("cannot start thread {name:?}: {error}");
        }
    }

    /// A named OS thread (thread::current().name() is `name`); finish() waits for it.
    pub fn spawn(&self, name: &str, f: impl FnOnce() + Send + 'static) {
        // Counted before it starts, so finish() cannot miss it.
        self.shared.lock().ordinary_alive += 1;
        self.start(name, f, |state, name, outcome| {
            match outcome {
                Ok(()) => state.finished.push(name.to_owned()),
                Err(message) => state.panicked.push((name.to_owned(), message)),
            }
            state.ordinary_alive -= 1;
        });
    }

    /// A named OS thread that finish() does not wait for; it gets a Shutdown to watch.
    pub fn spawn_daemon(&self, name: &str, f: impl FnOnce(Shutdown) + Send + 'static) {
        {
            let mut state = self.shared.lock();
            state.daemons_spawned += 1;
            state.daemons_alive += 1;
        }
        let shutdown = Shutdown {
            shared: Arc::clone(&self.shared),
        };
        self.start(
            name,
            move || f(shutdown),
            |state, name, outcome| {
                if let Err(message) = outcome {
                    state.panicked.push((name.to_owned(), message));
                }
                state.daemons_alive -= 1;
            },
        );
    }

    /// Waits until no ordinary thread is alive, counting those spawned meanwhile through
    /// a clone of this Runtime; then signals Shutdown, waits at most `grace` for daemons.
    pub fn finish(self, grace: Duration) -> Summary {
        let shared = self.shared;
        let mut state = shared.lock();
        while state.ordinary_alive > 0 {
            state = shared.wait(state);
        }
        state.shutdown = true;
        shared.changed.notify_all();
        let deadline = Instant::now().checked_add(grace);
        while state.daemons_alive > 0 && deadline.is_none_or(|deadline| Instant::now() < deadline) {
            state = shared.wait_until(state, deadline);
        }
        Summary {
            finished: std::mem::take(&mut state.finished),
            panicked: std::mem::take(&mut state.panicked),
            daemons_stopped: state.daemons_spawned - state.daemons_alive,
            daemons_abandoned: state.daemons_alive,
        }
    }
}
