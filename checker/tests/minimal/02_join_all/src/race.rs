//! Minimal `race.rs`: winners send, losers (panicked tasks) just drop their sender.

use std::sync::mpsc;
use std::thread;

use crate::Task;

/// Returns as soon as the first task finishes successfully: (its index, its value). The
/// others keep running detached. None for no tasks or when every task panicked.
pub fn first_of<T: Send + 'static>(tasks: Vec<Task<T>>) -> Option<(usize, T)> {
    let (sender, receiver) = mpsc::channel();
    for (index, task) in tasks.into_iter().enumerate() {
        let sender = sender.clone();
        thread::spawn(move || {
            let value = task();
            // The race may be over already: nobody listens any more.
            let _ = sender.send((index, value));
        });
    }
    drop(sender);
    // Every sender gone without a message: every task panicked (or there were none).
    receiver.recv().ok()
}
