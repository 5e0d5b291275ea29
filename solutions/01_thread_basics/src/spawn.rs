//! Named threads that report who they are.
//!
//! A thread is cheap to start and lives inside a process: it shares the
//! process's memory and its process id, but has its own name and its own id.
//! Python shows this with `threading.current_thread().name` and `.ident`;
//! Rust with `std::thread::current().name()` and `.id()`.

use std::thread;

use crate::ThreadInfo;

/// Starts one named thread per name and returns what each thread reported.
///
/// Every thread is started before any is joined, and each builds its own
/// [`ThreadInfo`] from inside itself. Results come back in `names` order.
pub fn spawn_named(names: &[&str]) -> Vec<ThreadInfo> {
    let handles: Vec<_> = names
        .iter()
        .map(|&name| {
            thread::Builder::new()
                .name(name.to_owned())
                .spawn(|| {
                    let me = thread::current();
                    ThreadInfo {
                        name: me.name().map(str::to_owned),
                        id: me.id(),
                        pid: std::process::id(),
                    }
                })
                .expect("the operating system refused to start a thread")
        })
        .collect();

    handles
        .into_iter()
        .map(|handle| handle.join().expect("a named thread panicked"))
        .collect()
}
