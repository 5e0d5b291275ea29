//! Minimal `word_count.rs`: texts dealt out in turn (thread `t` takes texts `t`,
//! `t + threads`, ...) instead of contiguous chunks; partial maps merged through a channel.

use std::collections::HashMap;
use std::sync::{Mutex, mpsc};
use std::thread;

/// The texts thread `index` of `threads` counts.
fn share<'a>(
    texts: &'a [&'a str],
    index: usize,
    threads: usize,
) -> impl Iterator<Item = &'a str> + 'a {
    texts.iter().skip(index).step_by(threads).copied()
}

/// All threads update one shared Mutex<HashMap>.
pub fn shared_map_count(texts: &[&str], threads: usize) -> HashMap<String, usize> {
    let threads = threads.max(1);
    let counts = Mutex::new(HashMap::new());
    thread::scope(|scope| {
        for index in 0..threads {
            let counts = &counts;
            scope.spawn(move || {
                for word in share(texts, index, threads).flat_map(str::split_whitespace) {
                    let mut counts = counts.lock().unwrap_or_else(|e| e.into_inner());
                    *counts.entry(word.to_owned()).or_insert(0) += 1;
                }
            });
        }
    });
    counts.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// Each thread counts privately; results are merged at the end (share less).
pub fn merge_count(texts: &[&str], threads: usize) -> HashMap<String, usize> {
    let threads = threads.max(1);
    let (sender, receiver) = mpsc::channel::<HashMap<&str, usize>>();
    thread::scope(|scope| {
        for index in 0..threads {
            let sender = sender.clone();
            scope.spawn(move || {
                let mut mine = HashMap::new();
                for word in share(texts, index, threads).flat_map(str::split_whitespace) {
                    *mine.entry(word).or_insert(0) += 1;
                }
                let _ = sender.send(mine);
            });
        }
        drop(sender);
        let mut total = HashMap::new();
        for partial in receiver {
            for (word, count) in partial {
                *total.entry(word.to_owned()).or_insert(0) += count;
            }
        }
        total
    })
}
