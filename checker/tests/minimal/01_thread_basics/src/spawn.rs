//! Minimal `spawn.rs`: exactly the contract, written with scoped threads.

use std::thread;

use crate::ThreadInfo;

/// One named thread per name; each reports its own ThreadInfo from inside itself. Result in `names` order.
pub fn spawn_named(names: &[&str]) -> Vec<ThreadInfo> {
    thread::scope(|scope| {
        let handles: Vec<_> = names
            .iter()
            .map(|name| {
                thread::Builder::new()
                    .name((*name).to_owned())
                    .spawn_scoped(scope, || {
                        let me = thread::current();
                        ThreadInfo {
                            name: me.name().map(str::to_owned),
                            id: me.id(),
                            pid: std::process::id(),
                        }
                    })
                    .expect("the OS starts a thread")
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a reporting thread does not panic"))
            .collect()
    })
}
